import type { Redis } from 'ioredis';
import { createRelayPubSub, createRedisPubSub, type PubSub } from '../broadcast/pubSub.ts';
import type { BufferCursor } from '../buffer/bufferCursor.ts';
import type { PipelineMode } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { createForwarder, type Stage } from '../forward/createForwarder.ts';
import { createBufferSource } from '../persist/sources/bufferSource.ts';
import type { EventSource } from '../persist/sources/eventSource.ts';
import { createRedisStreamSource } from '../persist/sources/redisStreamSource.ts';
import { createRedis } from '../redis/createRedis.ts';

export interface StageOptions {
  mode: PipelineMode;
  cursor: BufferCursor;
  /** This collector's consumer name in the stream's group. */
  collectorId: string;
  claimIdleMs: number;
  /** Embedded: hands a live message to the main thread. */
  relay(channel: string, text: string): void;
  log: Logger;
}

export interface PipelineStages {
  /** Where the persister reads: the Redis Stream, or (embedded) the buffer itself. */
  source: EventSource;
  /** Buffer → Redis Stream; none when embedded (the persister reads the buffer directly). */
  forwarder?: Stage;
  /** Where persisted events are published live. */
  pubsub: PubSub;
  /** Closes the connections the stages opened (after the stages themselves stopped). */
  close(): void;
}

/**
 * The pipeline thread's half of the mode (config.ts decides it once): embedded — the buffer is the
 * stream and live messages go to the main thread; redis — forward to the stream, persist from it,
 * publish over Redis Pub/Sub.
 */
export function createStages(options: StageOptions): PipelineStages {
  const { mode, cursor, log } = options;
  if (mode.kind === 'embedded') {
    return { source: createBufferSource(cursor), pubsub: createRelayPubSub(options.relay), close() {} };
  }
  const redisLog = log.child({ module: 'redis' });
  const redis: Redis = createRedis(mode.redisUrl, 'commands', redisLog);
  const blocking: Redis = createRedis(mode.redisUrl, 'stream-reader', redisLog);
  return {
    source: createRedisStreamSource({ redis, blocking, consumer: options.collectorId, claimIdleMs: options.claimIdleMs, log: log.child({ module: 'stream' }) }),
    forwarder: createForwarder({ buffer: cursor, redis, log: log.child({ module: 'forward' }) }),
    pubsub: createRedisPubSub({ publisher: redis, log: redisLog }),
    close() {
      redis.disconnect();
      blocking.disconnect();
    },
  };
}
