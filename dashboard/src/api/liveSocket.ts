/**
 * The board's live socket (`/dashboard/ws`): the token travels as a WebSocket subprotocol, never in
 * the URL. It reconnects with the shared full-jitter backoff and says so; after each (re)connect the
 * page fetches a fresh snapshot (`useBoard.ts`), so nothing said while it was away is missed. Closed
 * for an expired or revoked token, it ends the session instead (`session.end()`); closed because
 * the instructor no longer teaches the class (removed as a teacher) or the class is gone, it stops
 * and says so (`onClassLost`) — reconnecting would only be refused again.
 */
import { createBackoff } from '@cell-monitor/shared/backoff';
import { SOCKET_CLOSE, type DashboardMessage } from '@cell-monitor/shared/dashboard';
import { session } from './session.ts';

export interface LiveSocketOptions {
  classId: number | null;
  onOpen: () => void;
  onMessage: (message: DashboardMessage) => void;
  onDown: () => void;
  onClassLost: (reason: 'not_class_teacher' | 'class_not_found') => void;
}

export function openLiveSocket(options: LiveSocketOptions): { close(): void } {
  const backoff = createBackoff({ baseMs: 1_000, maxMs: 30_000 }, Math.random);
  let socket: WebSocket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const connect = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = options.classId === null ? '' : `?class_id=${options.classId}`;
    socket = new WebSocket(`${scheme}://${location.host}/dashboard/ws${query}`, ['cell-monitor.bearer', session.token() ?? '']);
    socket.onopen = () => backoff.reset();
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as DashboardMessage;
      if (message.type === 'hello') options.onOpen();
      else options.onMessage(message);
    };
    socket.onclose = (event) => {
      if (closed) return;
      if (event.code === SOCKET_CLOSE.tokenExpired || event.code === SOCKET_CLOSE.tokenRevoked) {
        closed = true;
        return session.end();
      }
      if (event.code === SOCKET_CLOSE.forbidden || event.code === SOCKET_CLOSE.notFound) {
        closed = true;
        return options.onClassLost(event.code === SOCKET_CLOSE.forbidden ? 'not_class_teacher' : 'class_not_found');
      }
      options.onDown();
      timer = setTimeout(connect, backoff.next());
    };
  };
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close(1000, 'page left');
    },
  };
}
