import type { Server } from 'node:http';
import type { Knex } from 'knex';
import { createBuffer, type EventBuffer } from './buffer/createBuffer.ts';
import { createLocalNotifier, createRedisNotifier, type Notifier } from './broadcast/notifier.ts';
import { createStatusBus } from './broadcast/statusBus.ts';
import { createChannel } from './broadcast/channel.ts';
import { createSocketRegistry } from './broadcast/socketRegistry.ts';
import type { Revocation } from './auth/tokens.ts';
import { AUTH_REVOCATION_CHANNEL } from './redis/streamNames.ts';
import { createWsHub } from './broadcast/wsHub.ts';
import type { Config } from './core/config.ts';
import { ConfigError } from './core/config.ts';
import { createDb, migrateLatest, safeUrl } from './db/createDb.ts';
import { countInstructors } from './instructors/store.ts';
import { closePasswordHashing } from './auth/passwords.ts';
import { createApp, routerRoutes, routeTables } from './createApp.ts';
import type { RouteSpec } from './http/routeTable.ts';
import type { Logger } from './core/logger.ts';
import { startPipeline, type Pipeline } from './pipeline/startPipeline.ts';
import { createRedis, type Redis } from './redis/createRedis.ts';

export interface Collector {
  config: Config;
  buffer: EventBuffer;
  db: Knex;
  /** Forward + persist, running in a worker thread. */
  persister: Pipeline;
  /** What the router serves, and the route table it was built from (OpenAPI and auth-matrix tests). */
  routes(): Array<{ method: string; path: string }>;
  routeSpecs(): readonly RouteSpec[];
  /** Listens on config.host:config.port (port 0 picks a free one); resolves with the bound server. */
  listen(): Promise<Server>;
  /** Stops taking requests, lets the pipeline drain for up to `drainMs`, then closes everything. */
  close(drainMs?: number): Promise<void>;
}

/**
 * Wires the pipeline: ingest → buffer → (Redis Stream | buffer cursor) → persist → notify → /ws.
 * This thread serves HTTP and appends to the buffer; forward + persist run in a worker thread.
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
    if (!config.jwtSecret && (await countInstructors(db)) > 0) {
      throw new ConfigError(['JWT_SECRET is required: instructor accounts exist in the database (set a random value of 32+ characters, e.g. openssl rand -hex 32)']);
    }
  } catch (err) {
    buffer.close();
    await db.destroy();
    throw err;
  }

  let redis: Redis | undefined;
  let subscriber: Redis | undefined;
  let notifier: Notifier;
  let local: ReturnType<typeof createLocalNotifier> | undefined;
  if (config.redisUrl) {
    const redisLog = log.child({ module: 'redis' });
    redis = createRedis(config.redisUrl, 'commands', redisLog);
    subscriber = createRedis(config.redisUrl, 'subscriber', redisLog, false);
    notifier = createRedisNotifier({ redis, subscriber, log: redisLog });
  } else {
    notifier = local = createLocalNotifier();
  }
  const pipeline = startPipeline({ config, buffer, log, onLive: (events) => local?.deliver(events) });
  const hub = createWsHub({ notifier, log: log.child({ module: 'ws' }) });
  const statusBus = createStatusBus({ redis, subscriber, log: log.child({ module: 'status' }) });
  const sockets = createSocketRegistry({
    maxClients: config.wsMaxClients,
    maxPerAddress: config.wsMaxPerAddress,
    heartbeatMs: config.wsHeartbeatSeconds * 1000,
    log: log.child({ module: 'ws' }),
  });
  const revocations = createChannel<Revocation>(AUTH_REVOCATION_CHANNEL, { redis, subscriber, log: log.child({ module: 'auth' }) });
  const offRevocations = revocations.subscribe((revocation) => sockets.revoke(revocation));
  const app = createApp({ config, log, buffer, db, redis, hub, statusBus, sockets, revocations, pipelineStats: () => pipeline.stats });
  let server: Server | undefined;

  log.info(
    { database: safeUrl(config.databaseUrl), redis: config.redisUrl ? safeUrl(config.redisUrl) : 'embedded', collectorId: config.collectorId },
    'collector configured',
  );

  return {
    config,
    buffer,
    db,
    persister: pipeline,
    routes: () => routerRoutes(app),
    routeSpecs: () => routeTables.get(app)?.specs ?? [],
    listen() {
      return new Promise((resolve, reject) => {
        const s = app.listen(config.port, config.host);
        s.once('listening', () => resolve(s));
        s.once('error', reject);
        server = s;
      });
    },
    async close(drainMs = 10_000) {
      offRevocations();
      revocations.close();
      if (server) {
        const closed = new Promise((resolve) => server!.close(resolve));
        server.closeIdleConnections();
        hub.close();
        statusBus.close();
        sockets.close();
        await closed;
      } else {
        hub.close();
        statusBus.close();
        sockets.close();
      }
      await pipeline.close(drainMs);
      await notifier.close();
      for (const client of [redis, subscriber]) client?.disconnect();
      buffer.close();
      await db.destroy();
      await closePasswordHashing();
    },
  };
}
