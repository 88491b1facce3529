/**
 * Every open WebSocket of this collector, with who opened it. The registry enforces what must hold
 * for all of them, whatever the route: a cap overall and per client address, a heartbeat that drops
 * peers which stopped answering pings, and the end of a socket when its token ends — at `exp`, or
 * when a revocation (logout, password change, deactivation) arrives from any collector.
 */
import type { WebSocket } from 'ws';
import { SOCKET_CLOSE } from '@cell-monitor/shared';
import { revokes, type Authenticated, type Revocation } from '../auth/tokens.ts';
import type { Logger } from '../core/logger.ts';

/** Close codes the dashboard reads (4000-4999 are for applications): declared in shared. */
export const CLOSE = SOCKET_CLOSE;

export interface RegistryOptions {
  maxClients: number;
  maxPerAddress: number;
  heartbeatMs: number;
  log: Logger;
}

interface Entry {
  address: string;
  who?: Authenticated;
  alive: boolean;
  expiry?: NodeJS.Timeout;
}

export function createSocketRegistry(options: RegistryOptions) {
  const { log } = options;
  const sockets = new Map<WebSocket, Entry>();
  const perAddress = new Map<string, number>();

  const count = (address: string) => perAddress.get(address) ?? 0;
  function remove(ws: WebSocket): void {
    const entry = sockets.get(ws);
    if (!entry) return;
    sockets.delete(ws);
    clearTimeout(entry.expiry);
    const n = count(entry.address) - 1;
    if (n > 0) perAddress.set(entry.address, n);
    else perAddress.delete(entry.address);
  }

  const heartbeat = setInterval(() => {
    for (const [ws, entry] of sockets) {
      if (!entry.alive) {
        log.info({ address: entry.address }, 'websocket peer stopped answering pings; dropped');
        ws.terminate();
        remove(ws);
        continue;
      }
      entry.alive = false;
      try {
        ws.ping();
      } catch {
        // closing already; the close event removes it
      }
    }
  }, options.heartbeatMs);
  heartbeat.unref();

  return {
    /** Before the upgrade: is there room for one more socket from this address? */
    admit(address: string): { ok: true } | { ok: false; status: number; message: string } {
      if (sockets.size >= options.maxClients) return { ok: false, status: 503, message: 'Too many WebSocket clients' };
      if (count(address) >= options.maxPerAddress) return { ok: false, status: 429, message: 'Too many WebSocket clients from this address' };
      return { ok: true };
    },
    /** Tracks an open socket; false (and the socket closed) when the caps were reached meanwhile. */
    add(ws: WebSocket, address: string, who?: Authenticated): boolean {
      if (sockets.size >= options.maxClients || count(address) >= options.maxPerAddress) {
        ws.close(CLOSE.tooMany, 'too many websocket clients');
        return false;
      }
      const entry: Entry = { address, who, alive: true };
      sockets.set(ws, entry);
      perAddress.set(address, count(address) + 1);
      if (who) {
        const ms = who.claims.exp * 1000 - Date.now();
        entry.expiry = setTimeout(() => ws.close(CLOSE.tokenExpired, 'token_expired'), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
      }
      ws.on('pong', () => {
        entry.alive = true;
      });
      ws.once('close', () => remove(ws));
      ws.once('error', () => remove(ws));
      return true;
    },
    /** Closes every socket the revocation ends (it may have been published by another collector). */
    revoke(revocation: Revocation): number {
      let closed = 0;
      for (const [ws, entry] of sockets) {
        if (entry.who && revokes(revocation, entry.who.instructor.id, entry.who.claims)) {
          ws.close(CLOSE.tokenRevoked, revocation.reason);
          remove(ws);
          closed += 1;
        }
      }
      if (closed > 0) log.info({ reason: revocation.reason, instructorId: revocation.instructorId, closed }, 'websockets closed: token revoked');
      return closed;
    },
    get size() {
      return sockets.size;
    },
    /** Distinct instructors with at least one open socket (/metrics). */
    get instructors() {
      return new Set([...sockets.values()].flatMap((e) => (e.who ? [e.who.instructor.id] : []))).size;
    },
    close(): void {
      clearInterval(heartbeat);
      for (const ws of [...sockets.keys()]) {
        ws.close(CLOSE.shuttingDown, 'collector shutting down');
        remove(ws);
      }
    },
  };
}

export type SocketRegistry = ReturnType<typeof createSocketRegistry>;
