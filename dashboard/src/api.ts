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
  const token = session.token();
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The collector cannot be reached.');
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (res.ok) return data as T;
  const error = (data ?? {}) as { error?: string; message?: string };
  if (res.status === 401 && token && !path.endsWith('/auth/login')) {
    session.forget();
    onSessionEnded();
  }
  throw new ApiError(res.status, error.error ?? `http_${res.status}`, error.message ?? res.statusText);
}
