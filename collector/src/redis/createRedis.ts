import { Redis } from 'ioredis';
import { logError, type Logger } from '../core/logger.ts';

export type { Redis };

/**
 * One ioredis connection for one role (commands, blocking stream reads, pub/sub subscriber).
 * `failFast` turns off ioredis's offline queue: while Redis is down commands reject at once, so
 * the forwarder backs off and the buffer grows instead of requests piling up in memory.
 */
export function createRedis(url: string, role: string, log: Logger, failFast = true): Redis {
  const client = new Redis(url, {
    connectionName: `cell-monitor:${role}`,
    enableOfflineQueue: !failFast,
    maxRetriesPerRequest: failFast ? 0 : null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    lazyConnect: false,
  });
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) log.warn({ role, err: logError(err) }, 'redis connection error');
    down = true;
  });
  client.on('ready', () => {
    if (down) log.info({ role }, 'redis connection restored');
    down = false;
  });
  return client;
}

/**
 * Waits (at most `ms`) for `client` to be ready. A fail-fast client refuses commands while it is
 * still connecting, so a loop's first command at start would fail and log a warning for nothing;
 * the loops wait here first. After `ms` it returns anyway and the command reports the real error.
 */
export function whenReady(client: Redis, ms = 2000): Promise<void> {
  if (client.status === 'ready' || client.status === 'end') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.once('ready', done);
  });
}
