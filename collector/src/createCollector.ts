import type { Server } from 'node:http';
import path from 'node:path';
import type { Knex } from 'knex';
import { closePasswordHashing } from './auth/passwords.ts';
import { createLiveChannels } from './broadcast/liveChannels.ts';
import { createLocalPubSub, createRedisPubSub } from './broadcast/pubSub.ts';
import { createSocketRegistry } from './broadcast/socketRegistry.ts';
import { createWsHub } from './broadcast/wsHub.ts';
import { createBufferWriter, type BufferWriter } from './buffer/bufferWriter.ts';
import { ConfigError, type Config } from './core/config.ts';
import type { Logger } from './core/logger.ts';
import { createDb, migrateLatest, safeUrl } from './db/createDb.ts';
import type { RouteSpec } from './http/routeTable.ts';
import { countInstructors } from './instructors/store.ts';
import { generatedJwtSecret, SECRET_FILE } from './auth/generatedSecret.ts';
import { createBoardService } from './board/boardService.ts';
import { startPipeline, type Pipeline } from './pipeline/startPipeline.ts';
import type { InfluxSinkStats } from './sink/influxSink.ts';
import { startPrivacyJobs } from './privacy/privacyJobs.ts';
import { createRedis } from './redis/createRedis.ts';
import { createApp, type App } from './createApp.ts';
import { checkLegacyClass } from './v1/legacyClients.ts';

export interface Collector {
  config: Config;
  buffer: BufferWriter;
  db: Knex;
  /** Forward + persist, running in a worker thread. */
  pipeline: Pipeline;
  /** The InfluxDB sink's health (status, failingSince, queued, written, dropped, lastError); undefined without INFLUXDB_URL. */
  readonly influxStats: InfluxSinkStats | undefined;
  /** The HTTP + WebSocket app (`app.koa.callback()` serves a request without a port). */
  app: App;
  /** What the router serves, and the route table it was built from (OpenAPI and auth-matrix tests). */
  routes(): Array<{ method: string; path: string }>;
  routeSpecs(): readonly RouteSpec[];
  /** Listens on config.host:config.port (port 0 picks a free one); resolves with the bound server. */
  listen(): Promise<Server>;
  /** Stops taking requests, lets the pipeline drain for up to `drainMs`, then closes everything. */
  close(drainMs?: number): Promise<void>;
}

/**
 * Wires the collector: ingest → buffer → pipeline thread (forward → persist → live channel) → /ws.
 * This thread serves HTTP and appends to the buffer. The mode (config.mode) picks the live
 * channels' transport here and the stream in the pipeline thread (pipeline/createStages.ts).
 */
export async function createCollector(given: Config, log: Logger): Promise<Collector> {
  const config: Config = given.jwtSecret || given.mode.kind !== 'embedded' ? given : { ...given, jwtSecret: generatedJwtSecret(given.dataDir) };
  if (config !== given) log.info({ file: path.join(config.dataDir, SECRET_FILE) }, 'JWT_SECRET unset: instructor tokens are signed with the secret generated in DATA_DIR');
  const buffer = createBufferWriter({
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
      throw new ConfigError(['JWT_SECRET is required with REDIS_URL: instructor accounts exist in the database, and every collector must sign tokens with the same secret (set a random value of 32+ characters, e.g. openssl rand -hex 32)']);
    }
    await checkLegacyClass(db, config.legacy, log);
  } catch (err) {
    buffer.close();
    await db.destroy();
    throw err;
  }

  const redisLog = log.child({ module: 'redis' });
  const redis = config.mode.kind === 'redis' ? createRedis(config.mode.redisUrl, 'commands', redisLog) : undefined;
  const subscriber = config.mode.kind === 'redis' ? createRedis(config.mode.redisUrl, 'subscriber', redisLog, false) : undefined;
  const pubsub = redis ? createRedisPubSub({ publisher: redis, subscriber, log: redisLog }) : createLocalPubSub();
  const channels = createLiveChannels(pubsub, log.child({ module: 'live' }));
  const pipeline = startPipeline({ config, buffer, log, pubsub });
  const wsLog = log.child({ module: 'ws' });
  const hub = createWsHub({ events: channels.events, log: wsLog });
  const sockets = createSocketRegistry({
    maxClients: config.wsMaxClients,
    maxPerAddress: config.wsMaxPerAddress,
    heartbeatMs: config.wsHeartbeatSeconds * 1000,
    log: wsLog,
  });
  const offRevocations = channels.revocations.subscribe((revocation) => sockets.revoke(revocation));
  const board = createBoardService({ db, events: channels.events, help: channels.helpRequests, erasures: channels.erasures, log: log.child({ module: 'dashboard' }) });
  try {
    await board.start();
  } catch (err) {
    board.stop();
    await pipeline.close(0);
    pubsub.close();
    for (const client of [redis, subscriber]) client?.disconnect();
    buffer.close();
    await db.destroy();
    throw err;
  }
  const app = createApp({ config, log, buffer, db, redis, hub, channels, sockets, board, pipelineStats: () => pipeline.stats, influxStats: () => pipeline.influx });
  const privacy = startPrivacyJobs({ config, db, redis, erasures: channels.erasures, log: log.child({ module: 'privacy' }) });
  let server: Server | undefined;

  log.info(
    { database: safeUrl(config.databaseUrl), redis: config.mode.kind === 'redis' ? safeUrl(config.mode.redisUrl) : 'embedded', collectorId: config.collectorId },
    'collector configured',
  );
  if (config.legacy.enabled) {
    const legacyClass = config.legacy.classCode ? await db('classes').where({ class_code: config.legacy.classCode }).first('id').catch(() => undefined) : undefined;
    log.warn(
      { corsOrigins: config.legacy.corsOrigins, classCode: config.legacy.classCode, classFound: config.legacy.classCode ? legacyClass !== undefined : undefined },
      'LEGACY_V1_CLIENTS=1: v1 clients post without credentials; their user id (emailAddress), name and team are self-reported, not authenticated',
    );
  }

  return {
    config,
    buffer,
    db,
    pipeline,
    get influxStats() {
      return pipeline.influx;
    },
    app,
    routes: () => app.routes(),
    routeSpecs: () => app.table.specs,
    listen() {
      return new Promise((resolve, reject) => {
        const s = app.koa.listen(config.port, config.host);
        s.once('listening', () => resolve(s));
        s.once('error', reject);
        // The WebSocket server re-emits the HTTP server's errors (EADDRINUSE…): handled by `reject`.
        app.koa.ws.server?.on('error', () => {});
        server = s;
      });
    },
    async close(drainMs = 10_000) {
      offRevocations();
      const closed = server ? new Promise((resolve) => server!.close(resolve)) : undefined;
      server?.closeIdleConnections();
      hub.close();
      board.stop();
      sockets.close();
      await privacy.stop();
      await closed;
      await pipeline.close(drainMs);
      app.close();
      pubsub.close();
      for (const client of [redis, subscriber]) client?.disconnect();
      buffer.close();
      await db.destroy();
      await closePasswordHashing();
    },
  };
}
