/**
 * The wire: one POST of a batch to the companion route of this Jupyter server
 * (`{baseUrl}cell-monitor`), through JupyterLab's ServerConnection so the request carries the
 * Jupyter token/cookie and XSRF header like any other JupyterLab call. gzip when the browser has
 * CompressionStream. Never throws for an HTTP status: the answer goes to sendPolicy.
 */
import type { CellEvent } from '@cell-monitor/shared';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { OWNER_HEADER } from './queueOwner.ts';
import type { IngestAnswer } from './sendPolicy.ts';

export const COMPANION_PATH = 'cell-monitor';

export interface EncodedBatch {
  body: string | Uint8Array<ArrayBuffer>;
  gzip: boolean;
  /** Bytes on the wire (request body). */
  bytes: number;
  /** Bytes of the JSON before compression. */
  jsonBytes: number;
}

export async function encodeBatch(events: readonly CellEvent[]): Promise<EncodedBatch> {
  const json = JSON.stringify(events);
  const raw = new TextEncoder().encode(json);
  if (typeof CompressionStream === 'undefined') return { body: json, gzip: false, bytes: raw.byteLength, jsonBytes: raw.byteLength };
  const stream = new Blob([raw]).stream().pipeThrough(new CompressionStream('gzip'));
  const gzipped = new Uint8Array(await new Response(stream).arrayBuffer());
  return { body: gzipped, gzip: true, bytes: gzipped.byteLength, jsonBytes: raw.byteLength };
}

export interface BatchStats {
  events: number;
  bytes: number;
  jsonBytes: number;
  gzip: boolean;
  status: number | undefined;
}

/**
 * Posts batches of the queue of `owner` (the user the companion must stamp them with: it answers 409
 * `owner_mismatch` rather than send them under anyone else's name).
 */
export function companionPoster(
  serverSettings: ServerConnection.ISettings,
  owner: string,
  onBatch?: (stats: BatchStats) => void,
): (events: CellEvent[]) => Promise<IngestAnswer> {
  const url = URLExt.join(serverSettings.baseUrl, COMPANION_PATH);
  return async (events) => {
    const encoded = await encodeBatch(events);
    const headers: Record<string, string> = { 'Content-Type': 'application/json', [OWNER_HEADER]: encodeURIComponent(owner) };
    if (encoded.gzip) headers['Content-Encoding'] = 'gzip';
    let answer: IngestAnswer = {};
    try {
      const response = await ServerConnection.makeRequest(url, { method: 'POST', body: encoded.body, headers }, serverSettings);
      const text = await response.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      answer = { status: response.status, retryAfter: response.headers.get('Retry-After'), body };
    } catch {
      answer = {};
    }
    onBatch?.({ events: events.length, bytes: encoded.bytes, jsonBytes: encoded.jsonBytes, gzip: encoded.gzip, status: answer.status });
    return answer;
  };
}

/** The companion's GET: true when the collector answers its readiness check. Never throws. */
export function companionProbe(serverSettings: ServerConnection.ISettings): () => Promise<boolean> {
  const url = URLExt.join(serverSettings.baseUrl, COMPANION_PATH);
  return async () => {
    if (globalThis.navigator?.onLine === false) return false;
    try {
      const response = await ServerConnection.makeRequest(url, { method: 'GET', cache: 'no-store' }, serverSettings);
      if (!response.ok) return false;
      const body = (await response.json()) as { collector?: unknown };
      return body.collector === 'reachable';
    } catch {
      return false;
    }
  };
}
