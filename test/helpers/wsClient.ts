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

/** The HTTP status of a WebSocket upgrade: 101 when it opened (then closed again), else the refusal's status. */
export function upgradeStatus(url: string, protocols?: string[]): Promise<number> {
  const ws = new WebSocket(url, protocols);
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', (err) => reject(err));
  });
}

/** Opens a socket and collects its JSON messages; resolves after the first (hello) message. */
export function openSocket(url: string, protocols?: string[]): Promise<{ ws: WebSocket; messages: any[] }> {
  const ws = new WebSocket(url, protocols);
  const messages: any[] = [];
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.on('message', (data) => {
      messages.push(JSON.parse(String(data)));
      if (messages.length === 1) resolve({ ws, messages });
    });
  });
}
