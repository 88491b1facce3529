/**
 * The collector's API from the page: the token (kept in sessionStorage, so it lives for the tab) goes
 * in the Authorization header, never in a URL. A 401 means the session ended: `onSessionEnded` sends
 * the page back to sign-in.
 */
const TOKEN_KEY = 'cell-monitor:dashboard-token';

export class ApiError extends Error {
  constructor(readonly status: number, readonly id: string, message: string) {
    super(message);
  }
}

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  keep: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  forget: () => sessionStorage.removeItem(TOKEN_KEY),
};

let onSessionEnded: () => void = () => undefined;
export function whenSessionEnds(callback: () => void): void {
  onSessionEnded = callback;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
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

/** Bytes from the API (a CSV export, the seat-map image), with the token in the header. */
export async function apiBlob(path: string): Promise<{ blob: Blob; filename: string | null }> {
  const res = await send('GET', path);
  if (!res.ok) throw failure(res, path, await res.json().catch(() => undefined));
  return { blob: await res.blob(), filename: /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? null };
}

/** Bytes to the API as they are (an image upload); the JSON answer. */
export async function apiUpload<T>(method: string, path: string, file: Blob): Promise<T> {
  const res = await send(method, path, { type: file.type || 'application/octet-stream', data: file });
  const data = await res.json().catch(() => undefined);
  if (res.ok) return data as T;
  throw failure(res, path, data);
}

async function send(method: string, path: string, body?: { type: string; data: BodyInit }): Promise<Response> {
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
  if (res.status === 401 && session.token() && !path.endsWith('/auth/login')) {
    session.forget();
    onSessionEnded();
  }
  return new ApiError(res.status, error.error ?? `http_${res.status}`, error.message ?? res.statusText);
}
