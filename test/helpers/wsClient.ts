import WebSocket from 'ws';

export interface LiveClient {
  /** eventId → number of times received. */
  seen: Map<string, number>;
  messages: unknown[];
  close(): void;
}

/** Connects to `/ws` and counts every event id it receives. Resolves after the hello message. */
export function connectLive(baseUrl: string): Promise<LiveClient> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
  const seen = new Map<string, number>();
  const messages: unknown[] = [];
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason}`)));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      messages.push(message);
      if (message.type === 'hello') resolve({ seen, messages, close: () => ws.close() });
      if (message.type === 'events') for (const e of message.events) seen.set(e.eventId, (seen.get(e.eventId) ?? 0) + 1);
    });
  });
}

/** Connects and resolves with the close code and reason the server sent. */
export function closeCodeOf(url: string): Promise<{ code: number; reason: string }> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) }));
  });
}
