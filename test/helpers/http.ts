/**
 * The tests' one HTTP client for the collector's JSON API: `request` answers status, parsed body and
 * headers (never throws on a 4xx/5xx: the tests assert on them); `login` returns an instructor's token.
 */
import * as assert from 'uvu/assert';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  /** An instructor token: `Authorization: Bearer …`. */
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, as JSON (a malformed body, say). */
  raw?: string;
  headers?: Record<string, string>;
}

export async function request(base: string, method: string, route: string, options: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined || options.raw !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(base + route, { method: method.toUpperCase(), headers, body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)) });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

/** Logs in and returns the token; a refused login fails the test with the collector's answer. */
export async function login(base: string, email: string, password: string): Promise<string> {
  const reply = await request(base, 'post', '/api/v1/auth/login', { body: { email, password } });
  assert.is(reply.status, 200, JSON.stringify(reply.body));
  return reply.body.token;
}
