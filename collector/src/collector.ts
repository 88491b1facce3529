import type { Server } from 'node:http';
import type { Knex } from 'knex';
import { createBuffer, type EventBuffer } from './buffer/createBuffer.ts';
import { createBufferSource } from './buffer/bufferSource.ts';
import { createLocalNotifier, createRedisNotifier, type Notifier } from './broadcast/notifier.ts';
import { createWsHub } from './broadcast/wsHub.ts';
import type { Config } from './config.ts';
import { createDb, migrateLatest, safeUrl } from './db/createDb.ts';
import { createForwarder, type Stage } from './forward/createForwarder.ts';
import { createApp } from './http/createApp.ts';
import type { Logger } from './logger.ts';
import { createPersister, type Persister } from './persist/createPersister.ts';
import type { EventSource } from './persist/eventSource.ts';
import { createRedis, type Redis } from './redis/createRedis.ts';
import { createRedisStreamSource } from './redis/redisStreamSource.ts';

export interface Collector {
  config: Config;
  buffer: EventBuffer;
  db: Knex;
  persister: Persister;
  /** Listens on config.host:config.port (port 0 picks a free one); resolves with the bound server. */
  listen(): Promise<Server>;
  /** Stops taking requests, lets the pipeline drain for up to `drainMs`, then closes everything. */
  close(drainMs?: number): Promise<void>;
}

/**
 * Wires the pipeline: ingest → buffer → (Redis Stream | buffer cursor) → persist → notify → /ws.
 * With `REDIS_URL` unset it runs embedded: the buffer is the stream and an EventEmitter the bus.
 */
export async function createCollector(config: Config, log: Logger): Promise<Collector> {
  const buffer = createBuffer({
    dataDir: config.dataDir,
    sync: config.bufferSync,
    retentionHours: config.bufferRetentionHours,
    maxBytes: config.bufferMaxBytes,
    log: log.child({ module: 'buffer' }),
  });
  const db = createDb(config.databaseUrl);
  try {
    const applied = await migrateLatest(db);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
  } catch (err) {
    buffer.close();
    await db.destroy();
    throw err;
  }

  let redis: Redis | undefined;
  const extraRedis: Redis[] = [];
  let source: EventSource;
  let notifier: Notifier;
  let forwarder: Stage | undefined;
  if (config.redisUrl) {
    const redisLog = log.child({ module: 'redis' });
    redis = createRedis(config.redisUrl, 'commands', redisLog);
    const blocking = createRedis(config.redisUrl, 'stream-reader', redisLog);
    const subscriber = createRedis(config.redisUrl, 'subscriber', redisLog, false);
    extraRedis.push(blocking, subscriber);
    source = createRedisStreamSource({
      redis,
      blocking,
      consumer: config.collectorId,
      claimIdleMs: config.streamClaimIdleMs,
      log: log.child({ module: 'stream' }),
    });
    notifier = createRedisNotifier({ redis, subscriber, log: redisLog });
    forwarder = createForwarder({ buffer, redis, log: log.child({ module: 'forward' }) });
  } else {
    source = createBufferSource(buffer);
    notifier = createLocalNotifier();
  }
  const persister = createPersister({ source, db, notifier, log: log.child({ module: 'persist' }) });
  const hub = createWsHub({ notifier, log: log.child({ module: 'ws' }) });
  const app = createApp({ config, log, buffer, db, redis, hub });
  let server: Server | undefined;

  log.info(
    { database: safeUrl(config.databaseUrl), redis: config.redisUrl ? safeUrl(config.redisUrl) : 'embedded', collectorId: config.collectorId },
    'collector configured',
  );
  forwarder?.start();
  persister.start();

  return {
    config,
    buffer,
    db,
    persister,
    listen() {
      return new Promise((resolve, reject) => {
        const s = app.listen(config.port, config.host);
        s.once('listening', () => resolve(s));
        s.once('error', reject);
        server = s;
      });
    },
    async close(drainMs = 10_000) {
      if (server) {
        const closed = new Promise((resolve) => server!.close(resolve));
        server.closeIdleConnections();
        hub.close();
        await closed;
      } else {
        hub.close();
      }
      const deadline = Date.now() + drainMs;
      if (forwarder) await forwarder.drain(drainMs);
      while (!persister.idle && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await forwarder?.close();
      await persister.close();
      await source.close();
      await notifier.close();
      for (const client of [redis, ...extraRedis]) client?.disconnect();
      buffer.close();
      await db.destroy();
    },
  };
}
