import type { WebSocket } from 'ws';
import type { EventsMessage, LiveEvent } from '@cell-monitor/shared';
import type { Logger } from '../core/logger.ts';
import type { Channel } from './channel.ts';

/** A client that has fallen this far behind is dropped rather than letting memory grow. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Keeps this collector's /ws clients and sends each batch of the live events channel to each, filtered. */
export function createWsHub(options: { events: Channel<LiveEvent[]>; log: Logger }) {
  const { log } = options;
  /** Each client with the events it may see (undefined: all of them — admins, DEV_OPEN_WS). */
  const clients = new Map<WebSocket, ((event: LiveEvent) => boolean) | undefined>();

  const unsubscribe = options.events.subscribe((events: LiveEvent[]) => {
    if (clients.size === 0 || events.length === 0) return;
    let everything: string | undefined;
    for (const [ws, canSee] of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        log.warn({ bufferedBytes: ws.bufferedAmount }, 'dropping slow websocket client');
        ws.terminate();
        continue;
      }
      if (!canSee) {
        everything ??= JSON.stringify({ type: 'events', events } satisfies EventsMessage);
        ws.send(everything);
        continue;
      }
      const visible = events.filter((e) => canSee(e));
      if (visible.length > 0) ws.send(JSON.stringify({ type: 'events', events: visible } satisfies EventsMessage));
    }
  });

  return {
    /** `canSee`: which events this client may receive (the class boundary of its instructor). */
    add(ws: WebSocket, canSee?: (event: LiveEvent) => boolean) {
      clients.set(ws, canSee);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
    },
    get size() {
      return clients.size;
    },
    close() {
      unsubscribe();
      for (const ws of clients.keys()) ws.close(1001, "collector shutting down");
      clients.clear();
    },
  };
}

export type WsHub = ReturnType<typeof createWsHub>;
