/**
 * Checks every request passes before any route, HTTP or WebSocket: the Host header against the
 * allow-list (a web page on another name that resolves to this machine — DNS rebinding — gets
 * nothing), and the client address as seen through the trusted proxies (TRUSTED_PROXY_HOPS).
 * In front of every route of the table: no control character in a path or query parameter.
 */
import type { IncomingMessage } from 'node:http';
import type { Context, Next } from 'koa';
import type { Config } from '../core/config.ts';
import { errors } from './errors.ts';

/** The host name of a Host header, lower-cased, without the port (`[::1]:8765` → `[::1]`). */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const host = header.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(0, end + 1) : undefined;
  }
  const colon = host.indexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

export function hostAllowed(header: string | undefined, allowed: Config['allowedHosts']): boolean {
  if (allowed === '*') return true;
  const name = hostName(header);
  return name !== undefined && allowed.includes(name);
}

export function hostGuard(allowed: Config['allowedHosts']) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!hostAllowed(ctx.get('host'), allowed)) {
      throw errors.forbidden('host_not_allowed', 'this collector does not answer to this Host name (ALLOWED_HOSTS)');
    }
    await next();
  };
}

/** The client's address: the socket's, or the one the trusted proxies saw (X-Forwarded-For). */
export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  const socketAddress = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops <= 0) return socketAddress;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  return forwarded.length > 0 ? forwarded.slice(-trustedHops)[0] : socketAddress;
}

/** The path of a request URL, exactly as sent (no case folding, trailing slash kept). */
export function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return '/';
  }
}

/** C0 controls and DEL: PostgreSQL refuses a NUL in text (a 500), and no id or name holds one. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The first guard of every route in the table (http/routeTable.ts), before who may call it: a path
 * or query parameter (name or value, after percent-decoding) with a control character is a 400
 * `invalid_parameter`, never a query that fails in the database.
 */
export async function parameterGuard(ctx: Context, next: Next): Promise<void> {
  const params = (ctx as Context & { params?: Record<string, string> }).params ?? {};
  for (const [name, value] of Object.entries(params)) {
    if (CONTROL.test(String(value))) throw errors.badRequest('invalid_parameter', `the path parameter ${name} contains a control character`, { parameter: name });
  }
  for (const [name, value] of Object.entries(ctx.query)) {
    const values = Array.isArray(value) ? value : [value ?? ''];
    if (CONTROL.test(name) || values.some((v) => CONTROL.test(v))) {
      throw errors.badRequest('invalid_parameter', 'a query parameter contains a control character', { parameter: name.replace(/[\u0000-\u001f\u007f]/g, '?') });
    }
  }
  await next();
}
