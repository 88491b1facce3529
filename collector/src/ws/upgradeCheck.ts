/**
 * Every WebSocket upgrade is checked before any socket exists: Host, then room (caps per client and
 * per address), then a token for every path that is not public — whatever its spelling (/WS, /ws/
 * and unknown paths included). A socket that opens without a recorded identity is closed at once.
 */
import type { IncomingMessage } from 'node:http';
import type { Authenticated, Authenticator } from '../auth/tokens.ts';
import type { SocketRegistry } from '../broadcast/socketRegistry.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { Ctx } from '../http/routeTable.ts';
import { clientAddress, hostAllowed, pathOf } from '../http/requestGuards.ts';
import type { InstructorRow } from '../instructors/store.ts';

/** The largest WebSocket message a client may send (clients only listen; ws's default is 100 MiB). */
export const WS_MAX_PAYLOAD_BYTES = 16 * 1024;
/** The WebSocket routes; each needs an instructor token unless it is on the public list. */
export const WS_ROUTES: ReadonlySet<string> = new Set(['/ws', '/instructor/ws', '/dashboard/ws']);

export interface SocketMeta {
  address: string;
  /** The instructor of the token; absent only on a public path (DEV_OPEN_WS). */
  who?: Authenticated<InstructorRow>;
}

export interface UpgradeCheckOptions {
  config: Pick<Config, 'allowedHosts' | 'trustedProxyHops' | 'devOpenWs'>;
  sockets: SocketRegistry;
  authenticator?: Authenticator<InstructorRow>;
  log: Logger;
}

type Done = (ok: boolean, status?: number, message?: string) => void;

export function createUpgradeCheck(options: UpgradeCheckOptions) {
  const { config, sockets, authenticator, log } = options;
  /** WebSocket paths open without a token: none, unless DEV_OPEN_WS=1 (loopback only) opens /ws. */
  const publicWs = new Set<string>(config.devOpenWs ? ['/ws'] : []);
  const socketMeta = new WeakMap<IncomingMessage, SocketMeta>();

  return {
    /** For ws's `verifyClient`: answers the upgrade with 101 or a refusal status. */
    verifyClient(info: { req: IncomingMessage }, done: Done): void {
      const req = info.req;
      if (!hostAllowed(req.headers.host, config.allowedHosts)) return done(false, 403, 'Host not allowed');
      const address = clientAddress(req, config.trustedProxyHops);
      const room = sockets.admit(address);
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
          log.info({ reason: err.id ?? 'error' }, 'websocket refused');
          done(false, err.status === 401 ? 401 : 500, err.status === 401 ? 'Unauthorized' : 'Internal Server Error');
        },
      );
    },
    /** The identity verifyClient recorded for this socket, registered with the socket registry; else the socket is closed. */
    admit(ctx: Ctx): SocketMeta | undefined {
      const meta = socketMeta.get(ctx.req);
      if (!meta || (!meta.who && !publicWs.has(ctx.path))) {
        ctx.websocket.close(1008, 'unauthenticated');
        return undefined;
      }
      return sockets.add(ctx.websocket, meta.address, meta.who) ? meta : undefined;
    },
  };
}

export type UpgradeCheck = ReturnType<typeof createUpgradeCheck>;
