import type { WebSocket } from 'ws';
import type { EventsMessage, LiveEvent } from '@cell-monitor/shared';
import type { Logger } from '../logger.ts';
import type { Notifier } from './notifier.ts';

/** A client that has fallen this far behind is dropped rather than letting memory grow. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Keeps this collector's live WebSocket clients and sends each notified batch to all of them. */
export function createWsHub(options: { notifier: Notifier; log: Logger }) {
  const { notifier, log } = options;
  const clients = new Set<WebSocket>();

  const unsubscribe = notifier.subscribe((events: LiveEvent[]) => {
    if (clients.size === 0 || events.length === 0) return;
    const message: EventsMessage = { type: 'events', events };
    const text = JSON.stringify(message);
    for (const ws of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        log.warn({ bufferedBytes: ws.bufferedAmount }, 'dropping slow websocket client');
        ws.terminate();
        continue;
      }
      ws.send(text);
    }
  });

  return {
    add(ws: WebSocket) {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
    },
    get size() {
      return clients.size;
    },
    close() {
      unsubscribe();
      for (const ws of clients) ws.close(1001, 'collector shutting down');
      clients.clear();
    },
  };
}

export type WsHub = ReturnType<typeof createWsHub>;
