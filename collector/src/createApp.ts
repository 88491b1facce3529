import Koa from 'koa';
import Router from '@koa/router';
import websockify from 'koa-websocket';
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import type { EventBuffer } from './buffer/createBuffer.ts';
import type { WsHub } from './broadcast/wsHub.ts';
import type { Config } from './core/config.ts';
import type { Logger } from './core/logger.ts';
import type { IncomingMessage } from 'node:http';
import { createAccessGuards } from './auth/accessGuards.ts';
import { createAuthenticator, WS_SUBPROTOCOL, type Authenticated, type Authenticator, type Revocation } from './auth/tokens.ts';
import type { StatusBus } from './broadcast/statusBus.ts';
import { statusView } from './instructors/routes.ts';
import { findInstructor, view, type InstructorRow } from './instructors/store.ts';
import { createIngestHandler } from './ingest/ingestRoute.ts';
import { addInstructorRoutes } from './instructors/routes.ts';
import { addLmsRoutes } from './lms/routes.ts';
import { addStudentRoutes } from './lms/studentRoutes.ts';
import { addReadRoutes } from './lms/readRoutes.ts';
import { createRosterFilter, isAdmin, scopeGuard } from './lms/classAccess.ts';
import { errorMiddleware } from './http/errors.ts';
import { addHealthRoutes } from './http/healthRoutes.ts';
import { openApiDocument } from './http/openapi.ts';
import { createRouteTable, type Ctx, type RouteTable } from './http/routeTable.ts';
import { clientAddress, hostAllowed, hostGuard, pathOf } from './http/requestGuards.ts';
import type { Channel } from './broadcast/channel.ts';
import type { PersisterStats } from './persist/createPersister.ts';
import type { SocketRegistry } from './broadcast/socketRegistry.ts';

export interface AppParts {
  config: Config;
  log: Logger;
  buffer: EventBuffer;
  db: Knex;
  redis?: Redis;
  hub: WsHub;
  statusBus: StatusBus;
  /** Every open WebSocket: caps, heartbeat, and the end of sockets whose token ends. */
  sockets: SocketRegistry;
  /** Revoked tokens, heard by every collector (logout, password change, deactivation). */
  revocations: Channel<Revocation>;
  /** The pipeline thread's totals (dead letters show in /readyz). */
  pipelineStats?: () => PersisterStats;
}

/** The largest WebSocket message a client may send (clients only listen; ws's default is 100 MiB). */
export const WS_MAX_PAYLOAD_BYTES = 16 * 1024;
/** The WebSocket routes; each needs an instructor token unless it is on the public list. */
const WS_ROUTES = new Set(['/ws', '/instructor/ws']);

interface SocketMeta {
  address: string;
  who?: Authenticated<InstructorRow>;
}
const socketMeta = new WeakMap<IncomingMessage, SocketMeta>();

/** The route table an app was built from (the auth-matrix and OpenAPI tests read it). */
export const routeTables = new WeakMap<object, RouteTable>();

/** Method + path of every route the app's router serves (HEAD, added by the router for GET, left out). */
export function routerRoutes(app: { middleware: unknown[] }): Array<{ method: string; path: string }> {
  const dispatch = app.middleware.find((m) => (m as { router?: Router }).router) as { router: Router } | undefined;
  if (!dispatch) return [];
  return dispatch.router.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((method) => ({ method: method.toLowerCase(), path: layer.path as string })));
}

/** The HTTP + WebSocket surface of the collector; used by `main.ts` and by the tests alike. */
export function createApp(parts: AppParts) {
  const { config, log } = parts;
  const authenticator: Authenticator<InstructorRow> | undefined = config.jwtSecret
    ? createAuthenticator({ secret: config.jwtSecret, db: parts.db, findAccount: (id) => findInstructor(parts.db, id) })
    : undefined;
  const wsLog = log.child({ module: 'ws' });
  /** WebSocket paths open without a token: none, unless DEV_OPEN_WS=1 (loopback only) opens /ws. */
  const publicWs = new Set<string>(config.devOpenWs ? ['/ws'] : []);
  const koa = new Koa({ proxy: config.trustedProxyHops > 0, maxIpsCount: config.trustedProxyHops });
  // Every upgrade is checked before any socket exists: Host, room, then a token for every path
  // that is not public (whatever its spelling: /WS, /ws/ and unknown paths included).
  const app = websockify(koa, {
    maxPayload: WS_MAX_PAYLOAD_BYTES,
    handleProtocols: (protocols: Set<string>) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
    verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, status?: number, message?: string) => void) => {
      const req = info.req;
      if (!hostAllowed(req.headers.host, config.allowedHosts)) return done(false, 403, 'Host not allowed');
      const address = clientAddress(req, config.trustedProxyHops);
      const room = parts.sockets.admit(address);
      if (!room.ok) return done(false, room.status, room.message);
      const path = pathOf(req.url);
      if (publicWs.has(path)) {
        socketMeta.set(req, { address });
        return done(true);
      }
      if (!authenticator) return done(false, 503, 'instructor accounts are not configured (JWT_SECRET is unset)');
      authenticator.authenticateSocket(req).then(
        (who) => {
          if (!WS_ROUTES.has(path)) return done(false, 404, 'Not Found');
          socketMeta.set(req, { address, who });
          done(true);
        },
        (err: { status?: number; id?: string }) => {
          wsLog.info({ reason: err.id ?? 'error' }, 'websocket refused');
          done(false, err.status === 401 ? 401 : 500, err.status === 401 ? 'Unauthorized' : 'Internal Server Error');
        },
      );
    },
  } as never);
  app.silent = true;

  /** The identity verifyClient recorded for this upgrade; a socket without one is closed at once. */
  const admitted = (ctx: Ctx): SocketMeta | undefined => {
    const meta = socketMeta.get(ctx.req);
    if (!meta || (!meta.who && !publicWs.has(ctx.path))) {
      ctx.websocket.close(1008, 'unauthenticated');
      return undefined;
    }
    return parts.sockets.add(ctx.websocket, meta.address, meta.who) ? meta : undefined;
  };

  const router = new Router({ strict: true, sensitive: true });
  const table = createRouteTable(router, {
    guards: createAccessGuards({ authenticator: () => authenticator, masterKey: config.ingestKey, scopeGuard: (scope, limit) => scopeGuard(parts.db, scope, limit) }),
  });
  addHealthRoutes(table, { ...parts, log: log.child({ module: 'health' }) });
  table.add({
    method: 'post',
    path: '/api/v1/events',
    access: 'ingest',
    tag: 'events',
    summary: 'Ingest 1-100 events (array or {events}); 202 once they are on disk',
    responses: { 202: 'stored (accepted, duplicates, rejected by index)', 400: 'malformed body', 401: 'wrong or missing student credential', 403: 'no INGEST_KEY and not from this machine', 413: 'too large', 415: 'not JSON', 422: 'no valid event', 429: 'over the per-student rate (Retry-After)', 503: 'buffer unavailable' },
    handler: createIngestHandler({
      buffer: parts.buffer,
      log: log.child({ module: 'ingest' }),
      maxBytes: config.ingestMaxBytes,
      outputMaxChars: config.outputMaxChars,
      ratePerMinute: config.ingestRateLimit,
    }),
  });
  addInstructorRoutes(table, { db: parts.db, config, log: log.child({ module: 'instructors' }), authenticator: () => authenticator, statusBus: parts.statusBus, revocations: parts.revocations, redis: parts.redis });
  addLmsRoutes(table, { db: parts.db, log: log.child({ module: 'lms' }), redis: parts.redis, submissionMaxBytes: config.submissionMaxBytes, submissionsKept: config.submissionsKept });
  addStudentRoutes(table, { db: parts.db, submissionMaxBytes: config.submissionMaxBytes, submissionsKept: config.submissionsKept });
  addReadRoutes(table, { db: parts.db });
  table.add({
    method: 'get',
    path: '/api/v1/openapi.json',
    access: 'public',
    tag: 'operations',
    summary: 'This API as an OpenAPI 3.1 document',
    responses: { 200: 'the document' },
    handler: (ctx) => {
      ctx.body = openApiDocument(table.specs, '0.1.0');
    },
  });
  routeTables.set(app, table);
  app.use(errorMiddleware(log.child({ module: 'http' })));
  app.use(hostGuard(config.allowedHosts));
  app.use(router.routes());
  app.use(router.allowedMethods());

  const wsRouter = new Router({ strict: true, sensitive: true });
  wsRouter.all('/ws', async (ctx) => {
    const meta = admitted(ctx);
    if (!meta) return;
    const socket = ctx.websocket;
    // Instructors see the live events of their classes' students; admins (and DEV_OPEN_WS) all.
    if (meta.who && !isAdmin(meta.who)) {
      const roster = await createRosterFilter(parts.db, meta.who.instructor.id);
      socket.once('close', () => roster.stop());
      if (socket.readyState !== socket.OPEN) return roster.stop();
      parts.hub.add(socket, roster.canSee);
    } else {
      parts.hub.add(socket);
    }
    socket.send(JSON.stringify({ type: 'hello', collectorId: config.collectorId }));
  });
  wsRouter.all('/instructor/ws', (ctx) => {
    const meta = admitted(ctx);
    if (!meta) return;
    const who = meta.who!;
    const socket = ctx.websocket;
    const unsubscribe = parts.statusBus.subscribe((update) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(update));
    });
    const offClose = parts.statusBus.onClose(() => socket.close(1001, 'collector shutting down'));
    const cleanup = () => {
      unsubscribe();
      offClose();
    };
    socket.on('close', cleanup);
    socket.on('error', cleanup);
    socket.send(JSON.stringify({ type: 'hello', collectorId: config.collectorId, instructor: view(who.instructor), status: statusView(who.instructor) }));
  });
  app.ws.use(wsRouter.routes() as never);
  app.ws.use((ctx) => {
    ctx.websocket.close(1008, 'no such websocket route');
  });
  return app;
}
