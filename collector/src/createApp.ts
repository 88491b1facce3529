/**
 * The HTTP + WebSocket surface of the collector, built from its parts; `createCollector` serves it
 * and tests can drive `app.callback()` without a port. Only wiring: what each route does lives in
 * its folder, who may call it in the route table (auth/accessGuards.ts).
 */
import { maySeeInstructor } from './classes/colleagues.ts';
import Koa from 'koa';
import Router from '@koa/router';
import websockify from 'koa-websocket';
import type { Knex } from 'knex';
import { createAccessGuards } from './auth/accessGuards.ts';
import { createAuthenticator, WS_SUBPROTOCOL, type Authenticator } from './auth/tokens.ts';
import type { SocketRegistry } from './broadcast/socketRegistry.ts';
import type { WsHub } from './broadcast/wsHub.ts';
import type { BufferWriter } from './buffer/bufferWriter.ts';
import type { BoardService } from './board/boardService.ts';
import type { Coordination } from './coordination/capabilities.ts';
import { addPageRoutes } from './http/pageRoutes.ts';
import type { Config } from './core/config.ts';
import type { Logger } from './core/logger.ts';
import { errorMiddleware } from './http/errors.ts';
import { addOpenApiRoute } from './http/openapi.ts';
import { hostGuard } from './http/requestGuards.ts';
import { createRouteTable, type RouteTable } from './http/routeTable.ts';
import { addIngestRoutes } from './ingest/ingestRoute.ts';
import { createHeaderlessIngest, createLegacyIntake, legacyCors } from './v1/legacyClients.ts';
import { addInstructorRoutes } from './instructors/instructorRoutes.ts';
import { findInstructor, type InstructorRow } from './instructors/store.ts';
import { scopeGuard, type ScopeResolvers } from './classes/classAccess.ts';
import { classIdOfAssignment } from './assignments/store.ts';
import { classIdOfSubmission } from './assignments/submissionStore.ts';
import { studentOfHelpRequest } from './help/helpStore.ts';
import { studentOfVersion } from './history/reads.ts';
import { addBufferAdminRoutes } from './operations/bufferAdmin.ts';
import { addConnectionTestRoutes } from './operations/connectionTestRoutes.ts';
import { addEnvironmentRoutes } from './environment/environmentRoutes.ts';
import { addHealthRoutes } from './operations/healthRoutes.ts';
import { createMetrics } from './operations/metrics.ts';
import { addMetricsRoute } from './operations/metricsRoute.ts';
import { createRevocations } from './auth/credentialRevocation.ts';
import { addPrivacyRoutes } from './privacy/privacyRoutes.ts';
import { addResearchRoutes } from './research/researchRoutes.ts';
import type { PersisterStats } from './persist/createPersister.ts';
import type { InfluxSinkStats } from './sink/influxSink.ts';
import { addDomainRoutes } from './routes.ts';
import { createLiveSocketRouter } from './ws/liveSocketRoutes.ts';
import { createUpgradeCheck, WS_MAX_PAYLOAD_BYTES } from './ws/upgradeCheck.ts';

export { WS_MAX_PAYLOAD_BYTES };

export interface AppParts {
  config: Config;
  log: Logger;
  buffer: BufferWriter;
  db: Knex;
  /** The mode's capabilities: live channels, rate limiters, the streams' admin side, readiness checks. */
  coordination: Coordination;
  hub: WsHub;
  /** Every open WebSocket: caps, heartbeat, and the end of sockets whose token ends. */
  sockets: SocketRegistry;
  /** The live dashboard board (rebuilt at start, fed by the live channels). */
  board: BoardService;
  /** The pipeline thread's totals (dead letters show in /readyz). */
  pipelineStats?: () => PersisterStats;
  /** The InfluxDB sink's health (a /readyz detail, never a reason to be unready); undefined without it. */
  influxStats?: () => InfluxSinkStats | undefined;
}

export interface App {
  koa: websockify.App;
  /** Every route with who may call it: the router, OpenAPI and the auth-matrix tests read it. */
  table: RouteTable;
  /** Method + path of every route the router serves (HEAD, added by the router for GET, left out). */
  routes(): Array<{ method: string; path: string }>;
  /** Releases what the routes hold (the buffer admin's connection to the buffer file). */
  close(): void;
}

export function createApp(parts: AppParts): App {
  const { config, log, db } = parts;
  const { channels } = parts.coordination;
  const authenticator: Authenticator<InstructorRow> | undefined = config.jwtSecret
    ? createAuthenticator({ secret: config.jwtSecret, db, findAccount: (id) => findInstructor(db, id) })
    : undefined;
  const upgrades = createUpgradeCheck({ config, sockets: parts.sockets, authenticator, log: log.child({ module: 'ws' }) });
  const koa = websockify(new Koa({ proxy: config.trustedProxyHops > 0, maxIpsCount: config.trustedProxyHops }), {
    maxPayload: WS_MAX_PAYLOAD_BYTES,
    handleProtocols: (protocols: Set<string>) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
    verifyClient: upgrades.verifyClient,
  } as never);
  koa.silent = true;

  const router = new Router({ strict: true, sensitive: true });
  // Whose an assignment, a hand-in or a help request is: asked of their owners by the class scope guard.
  const scopeResolvers: ScopeResolvers = { classOfAssignment: classIdOfAssignment, classOfSubmission: classIdOfSubmission, studentOfHelpRequest, studentOfVersion };
  const revocations = config.ingestKey ? createRevocations(db, config.ingestKey, { readNow: true }) : undefined;
  const table = createRouteTable(router, {
    guards: createAccessGuards({
      authenticator: () => authenticator,
      masterKey: config.ingestKey,
      revocations,
      scopeGuard: (scope, limit) => scopeGuard(db, scopeResolvers, scope, limit),
      headerlessIngest: createHeaderlessIngest({ legacy: config.legacy, maxBytes: config.ingestMaxBytes, credentialRequired: Boolean(config.ingestKey), log: log.child({ module: 'ingest' }) }),
      metricsToken: config.metricsToken,
    }),
  });
  addHealthRoutes(table, { ...parts, readiness: parts.coordination.readiness, log: log.child({ module: 'health' }) });
  const metrics = createMetrics({
    buffer: parts.buffer,
    streams: parts.coordination.streams,
    pipelineStats: parts.pipelineStats,
    liveClients: () => ({ '/ws': parts.hub.size, '/dashboard/ws': parts.board.watchers }),
    openSockets: () => parts.sockets.size,
    instructorsConnected: () => parts.sockets.instructors,
    dashboardWatchers: () => parts.board.watchers,
  });
  addMetricsRoute(table, metrics);
  addIngestRoutes(table, {
    buffer: parts.buffer,
    log: log.child({ module: 'ingest' }),
    maxBytes: config.ingestMaxBytes,
    outputMaxChars: config.outputMaxChars,
    ratePerMinute: config.ingestRateLimit,
    bytesPerMinute: config.ingestBytesPerMinute,
    limiter: parts.coordination.limiter,
    legacy: createLegacyIntake(config.legacy.addressRateLimit),
  });
  addInstructorRoutes(table, { db, config, log: log.child({ module: 'instructors' }), authenticator: () => authenticator, instructorStatus: channels.instructorStatus, revocations: channels.revocations, limiter: parts.coordination.limiter, maySeeInstructor });
  addDomainRoutes(table, { db, log, submissionMaxBytes: config.submissionMaxBytes, submissionsKept: config.submissionsKept, channels, board: parts.board });
  addPageRoutes(table, { log: log.child({ module: 'dashboard' }) });
  addConnectionTestRoutes(table, { db });
  addEnvironmentRoutes(table, { db, log: log.child({ module: 'environments' }) });
  const closeBufferAdmin = addBufferAdminRoutes(table, { dataDir: config.dataDir, buffer: parts.buffer, mode: parts.coordination.mode, streams: parts.coordination.streams, log: log.child({ module: 'offline' }) });
  addPrivacyRoutes(table, { db, log: log.child({ module: 'privacy' }), dataDir: config.dataDir, streams: parts.coordination.streams, erasures: channels.erasures, influx: config.influx, revocations });
  addResearchRoutes(table, { db, log: log.child({ module: 'research' }), pseudonymKey: config.exportPseudonymKey });
  addOpenApiRoute(table, '0.1.0');
  koa.use(errorMiddleware(log.child({ module: 'http' })));
  koa.use(hostGuard(config.allowedHosts));
  koa.use(legacyCors(config.legacy));
  koa.use(metrics.observeIngest);
  koa.use(router.routes());
  koa.use(router.allowedMethods());

  const sockets = createLiveSocketRouter({ db, hub: parts.hub, channels, collectorId: config.collectorId, upgrades, board: parts.board });
  koa.ws.use(sockets.routes() as never);
  koa.ws.use((ctx) => {
    ctx.websocket.close(1008, 'no such websocket route');
  });
  return {
    koa,
    table,
    routes: () => router.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((method) => ({ method: method.toLowerCase(), path: layer.path as string }))),
    close: closeBufferAdmin,
  };
}
