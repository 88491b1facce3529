/**
 * The one way the page talks HTTP to the collector: the token in the Authorization header, JSON in
 * and out, the collector's `{ error, message }` turned into an `ApiError`. A 401 on a signed-in
 * request ends the session (sign-in page); a network failure is `ApiError(0, 'network')`. Only
 * `client.ts` calls these: components call the client, whose functions carry the wire types (the
 * import-graph test holds every file outside api/ to that).
 */
import { ApiError } from './apiError.ts';
import { session } from './session.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A JSON answer (undefined when the body is empty). The answer's type is the caller's promise. */
export async function requestJson<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body === undefined ? undefined : { type: 'application/json', data: JSON.stringify(body) });
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (res.ok) return data as T;
  throw failure(res, path, data);
}

/** Bytes from the API (a CSV export, the seat-map image), with the file name the collector gave. */
export async function requestBlob(path: string): Promise<{ blob: Blob; filename: string | null }> {
  const res = await send('GET', path);
  if (!res.ok) throw failure(res, path, await res.json().catch(() => undefined));
  return { blob: await res.blob(), filename: /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? null };
}

/** Bytes to the API as they are (an image upload); the JSON answer. */
export async function uploadBlob<T>(method: Method, path: string, file: Blob): Promise<T> {
  const res = await send(method, path, { type: file.type || 'application/octet-stream', data: file });
  const data = await res.json().catch(() => undefined);
  if (res.ok) return data as T;
  throw failure(res, path, data);
}

async function send(method: Method, path: string, body?: { type: string; data: BodyInit }): Promise<Response> {
  const token = session.token();
  try {
    return await fetch(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': body.type } : {}) },
      body: body?.data,
    });
  } catch {
    throw new ApiError(0, 'network', 'The collector cannot be reached.');
  }
}

function failure(res: Response, path: string, data: unknown): ApiError {
  const error = (data ?? {}) as { error?: string; message?: string };
  if (res.status === 401 && session.token() && !path.endsWith('/auth/login')) session.end();
  return new ApiError(res.status, error.error ?? `http_${res.status}`, error.message ?? res.statusText);
}
