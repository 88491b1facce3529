/**
 * The Redis mode's coordination, shared by every collector of the deployment: the live channels
 * over Redis Pub/Sub (each collector hears each message once), locks as `SET cell-monitor:<name>
 * <collector> NX PX`, rate-limit counts in Redis (in memory while Redis is away), the streams'
 * admin side, and a PING for /readyz.
 *
 * A collector's command connection fails fast while Redis is down (no offline queue: callers back
 * off or count in memory); its subscriber reconnects and re-subscribes by itself. A one-shot CLI
 * `command` gets one connection that waits for Redis, and only publishes.
 */
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { createLiveChannels } from '../broadcast/liveChannels.ts';
import { createRedisPubSub } from '../broadcast/pubSub.ts';
import type { Logger } from '../core/logger.ts';
import { createRedis } from '../redis/createRedis.ts';
import { KEY_PREFIX, type Coordination } from './capabilities.ts';
import { createRedisStreamAdmin } from './redisStreamAdmin.ts';

export interface RedisCoordinationOptions {
  redisUrl: string;
  /** The holder a lock names. */
  collectorId: string;
  log: Logger;
  /** A one-shot command's name (its connection's): waits for Redis, never subscribes. */
  command?: string;
}

export function createRedisCoordination(options: RedisCoordinationOptions): Coordination {
  const { redisUrl, collectorId, command } = options;
  const log = options.log.child({ module: 'redis' });
  const commands = command ? createRedis(redisUrl, command, log, false) : createRedis(redisUrl, 'commands', log);
  const subscriber = command ? undefined : createRedis(redisUrl, 'subscriber', log, false);
  const pubsub = createRedisPubSub({ publisher: commands, subscriber, log });
  return {
    mode: 'redis',
    channels: createLiveChannels(pubsub, options.log.child({ module: 'live' })),
    lock: (name) => ({
      take: async (ttlMs) => (await commands.set(KEY_PREFIX + name, collectorId, 'PX', ttlMs, 'NX')) === 'OK',
    }),
    limiter(name, limits) {
      const settings = { ...limits, keyPrefix: KEY_PREFIX + name };
      return new RateLimiterRedis({ ...settings, storeClient: commands, insuranceLimiter: new RateLimiterMemory(settings) });
    },
    streams: createRedisStreamAdmin(commands),
    readiness: { redis: () => commands.ping() },
    relay: (channel, text) => void pubsub.publish(channel, text),
    close() {
      pubsub.close();
      commands.disconnect();
      subscriber?.disconnect();
    },
  };
}
