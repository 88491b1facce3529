import { parentPort, workerData } from 'node:worker_threads';
import { toLiveEvent } from '@cell-monitor/shared';
import { openBufferCursor } from '../buffer/createBuffer.ts';
import { createBufferSource } from '../buffer/bufferSource.ts';
import { createRedisPublisher, type Notifier } from '../broadcast/notifier.ts';
import { createDb } from '../db/createDb.ts';
import { createForwarder, type Stage } from '../forward/createForwarder.ts';
import { createLogger } from '../core/logger.ts';
import { createPersister } from '../persist/createPersister.ts';
import type { EventSource } from '../persist/eventSource.ts';
import { createRedis, type Redis } from '../redis/createRedis.ts';
import { createRedisStreamSource } from '../redis/redisStreamSource.ts';
import type { FromPipeline, PipelineData, ToPipeline } from './messages.ts';

/**
 * The pipeline thread: buffer → (Redis Stream →) main store → live notification. It runs beside
 * the HTTP thread so that persisting never waits behind ingest requests on one event loop, and
 * ingest never waits behind database round trips.
 */
const port = parentPort!;
const { config } = workerData as PipelineData;
const log = createLogger(config.logLevel).child({ thread: 'pipeline' });
const send = (message: FromPipeline) => port.postMessage(message);

const buffer = openBufferCursor(config.dataDir);
const db = createDb(config.databaseUrl);
const connections: Redis[] = [];
let source: EventSource;
let notifier: Notifier;
let forwarder: Stage | undefined;
if (config.redisUrl) {
  const redisLog = log.child({ module: 'redis' });
  const redis = createRedis(config.redisUrl, 'commands', redisLog);
  const blocking = createRedis(config.redisUrl, 'stream-reader', redisLog);
  connections.push(redis, blocking);
  source = createRedisStreamSource({ redis, blocking, consumer: config.collectorId, claimIdleMs: config.streamClaimIdleMs, log: log.child({ module: 'stream' }) });
  notifier = createRedisPublisher(redis);
  forwarder = createForwarder({ buffer, redis, log: log.child({ module: 'forward' }) });
} else {
  source = createBufferSource(buffer);
  notifier = {
    async publish(events) {
      send({ type: 'live', events: events.map(toLiveEvent) });
    },
    subscribe() {
      throw new Error('the pipeline thread does not subscribe');
    },
    async close() {},
  };
}
const persister = createPersister({
  source,
  db,
  notifier,
  log: log.child({ module: 'persist' }),
  onProgress: (stats, idle) => send({ type: 'stats', stats, idle }),
});

async function close(drainMs: number): Promise<void> {
  const deadline = Date.now() + drainMs;
  if (forwarder) await forwarder.drain(drainMs);
  while (!persister.idle && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await forwarder?.close();
  await persister.close();
  await source.close();
  await notifier.close();
  for (const connection of connections) connection.disconnect();
  buffer.close();
  await db.destroy();
  send({ type: 'stats', stats: persister.stats, idle: true });
  port.close(); // the thread exits; the main thread waits for that
}

port.on('message', (message: ToPipeline) => {
  if (message.type === 'appended') buffer.appended();
  else if (message.type === 'close') {
    close(message.drainMs).catch((err) => {
      log.error({ err }, 'pipeline shutdown failed');
      port.close();
    });
  }
});

forwarder?.start();
persister.start();
