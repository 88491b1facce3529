import type { Server } from 'node:http';
import { classIdByCode } from './classes/selfEnrolment.ts';
import path from 'node:path';
import type { Knex } from 'knex';
import { closePasswordHashing } from './auth/passwords.ts';
import { createSocketRegistry } from './broadcast/socketRegistry.ts';
import { createWsHub } from './broadcast/wsHub.ts';
import { createBufferWriter, type BufferWriter } from './buffer/bufferWriter.ts';
import { createCoordination } from './coordination/createCoordination.ts';
import { ConfigError, type Config } from './core/config.ts';
import type { Logger } from './core/logger.ts';
import { createShutdown } from './core/shutdown.ts';
import { createDb, migrateLatest, safeUrl } from './db/createDb.ts';
import type { RouteSpec } from './http/routeTable.ts';
import { countInstructors } from './instructors/store.ts';
import { generatedJwtSecret, SECRET_FILE } from './auth/generatedSecret.ts';
import { createBoardService } from './board/boardService.ts';
import { startPipeline, type Pipeline } from './pipeline/startPipeline.ts';
import type { InfluxSinkStats } from './sink/influxSink.ts';
import { startPrivacyJobs } from './privacy/privacyJobs.ts';
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
 * This thread serves HTTP and appends to the buffer. The mode (config.mode) picks the coordination
 * object here (coordination/: live channels, locks, limiters, the streams' admin side) and the
 * stream in the pipeline thread (pipeline/createStages.ts). Every part adds its closing to one
 * shutdown list (core/shutdown.ts) as it opens, so close() and a start that fails half-way close
 * the same things in the same order.
 */
export async function createCollector(given: Config, log: Logger): Promise<Collector> {
  const config: Config = given.jwtSecret || given.mode.kind !== 'embedded' ? given : { ...given, jwtSecret: generatedJwtSecret(given.dataDir) };
  if (config !== given) log.info({ file: path.join(config.dataDir, SECRET_FILE) }, 'JWT_SECRET unset: instructor tokens are signed with the secret generated in DATA_DIR');
  const shutdown = createShutdown(log);
  let drainMs = 0;
  shutdown.add('release', 'password hashing', closePasswordHashing);
  const buffer = createBufferWriter({
    dataDir: config.dataDir,
    sync: config.bufferSync,
    retentionHours: config.bufferRetentionHours,
    maxBytes: config.bufferMaxBytes,
    log: log.child({ module: 'buffer' }),
  });
  shutdown.add('release', 'buffer', () => buffer.close());
  const db = createDb(config.databaseUrl);
  shutdown.add('release', 'database', () => db.destroy());
  const failed = async (err: unknown): Promise<never> => {
    await shutdown.run().catch(() => undefined); // each failed step is logged
    throw err;
  };
  try {
    const applied = await migrateLatest(db);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
    if (!config.jwtSecret && (await countInstructors(db)) > 0) {
      throw new ConfigError(['JWT_SECRET is required with REDIS_URL: instructor accounts exist in the database, and every collector must sign tokens with the same secret (set a random value of 32+ characters, e.g. openssl rand -hex 32)']);
    }
    await checkLegacyClass(db, config.legacy, log);
  } catch (err) {
    return failed(err);
  }

  const coordination = createCoordination({ mode: config.mode, collectorId: config.collectorId, log });
  shutdown.add('release', 'coordination', () => coordination.close());
  const { channels } = coordination;
  const pipeline = startPipeline({ config, buffer, log, relay: coordination.relay });
  shutdown.add('drain', 'pipeline', () => pipeline.close(drainMs));
  const wsLog = log.child({ module: 'ws' });
  const hub = createWsHub({ events: channels.events, log: wsLog });
  shutdown.add('live', '/ws clients', () => hub.close());
  const sockets = createSocketRegistry({
    maxClients: config.wsMaxClients,
    maxPerAddress: config.wsMaxPerAddress,
    heartbeatMs: config.wsHeartbeatSeconds * 1000,
    log: wsLog,
  });
  shutdown.add('live', 'sockets', () => sockets.close());
  shutdown.add('intake', 'revocations', channels.revocations.subscribe((revocation) => sockets.revoke(revocation)));
  const board = createBoardService({ db, events: channels.events, help: channels.helpRequests, erasures: channels.erasures, log: log.child({ module: 'dashboard' }) });
  shutdown.add('live', 'board', () => board.stop());
  try {
    await board.start();
  } catch (err) {
    return failed(err);
  }
  const app = createApp({ config, log, buffer, db, coordination, hub, sockets, board, pipelineStats: () => pipeline.stats, influxStats: () => pipeline.influx });
  shutdown.add('release', 'app', () => app.close());
  const privacy = startPrivacyJobs({ config, db, lock: coordination.lock, streams: coordination.streams, erasures: channels.erasures, log: log.child({ module: 'privacy' }) });
  shutdown.add('live', 'privacy jobs', () => privacy.stop());

  log.info(
    { database: safeUrl(config.databaseUrl), redis: config.mode.kind === 'redis' ? safeUrl(config.mode.redisUrl) : 'embedded', collectorId: config.collectorId },
    'collector configured',
  );
  if (config.legacy.enabled) {
    const legacyClass = config.legacy.classCode ? await classIdByCode(db, config.legacy.classCode).catch(() => undefined) : undefined;
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
        // An idle keep-alive connection stays longer than a reverse proxy's (nginx: 60 s) or a
        // client agent's usual idle time, so it is the client that closes it: a POST sent on a
        // connection the server is closing at that instant fails with ECONNRESET (the classroom
        // bench saw 2-3 in 15,000 with Node's 5 s default). Headers must still come within 66 s.
        s.keepAliveTimeout = 65_000;
        s.headersTimeout = 66_000;
        s.once('listening', () => resolve(s));
        s.once('error', reject);
        // The WebSocket server re-emits the HTTP server's errors (EADDRINUSE…): handled by `reject`.
        app.koa.ws.server?.on('error', () => {});
        // Stops accepting at once; the last requests end once the sockets above closed (`live`).
        let closed: Promise<unknown> | undefined;
        shutdown.add('intake', 'http server', () => {
          closed = new Promise((resolve) => s.close(resolve));
          s.closeIdleConnections();
        });
        shutdown.add('drain', 'http requests', () => closed);
      });
    },
    async close(drain = 10_000) {
      drainMs = drain;
      await shutdown.run();
    },
  };
}
