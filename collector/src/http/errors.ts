import type { Context, Next } from 'koa';
import type { Logger } from '../core/logger.ts';

/** An error a client may see: stable snake_case id, HTTP status, human message, optional details. */
export class HttpError extends Error {
  readonly expose = true;
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * The one way to make an HTTP error: every route and guard throws one of these (a test refuses
 * `new HttpError(` anywhere else), so each status has one shape of id, message and headers.
 */
export const errors = {
  malformedJson: (message = 'request body is not valid JSON') => new HttpError(400, 'malformed_json', message),
  badRequest: (id: string, message: string, details?: unknown) => new HttpError(400, id, message, details),
  /** 401; `WWW-Authenticate: Bearer` unless other headers are given (`{}`: none). */
  unauthorized: (message = 'missing or wrong student credential', id = 'unauthorized', headers: Record<string, string> = { 'WWW-Authenticate': 'Bearer' }) =>
    new HttpError(401, id, message, undefined, headers),
  forbidden: (id: string, message: string) => new HttpError(403, id, message),
  /** A resource that does not exist (or is not visible): `<resource>_not_found`, e.g. `class_not_found`. */
  notFound: (resource: string, message = `no such ${resource.replace(/_/g, ' ')}`) => new HttpError(404, `${resource}_not_found`, message),
  /** No route answers this method + path: the only plain `not_found`. */
  routeNotFound: () => new HttpError(404, 'not_found', 'no such route'),
  conflict: (id: string, message: string, details?: unknown) => new HttpError(409, id, message, details),
  payloadTooLarge: (message: string, details?: unknown) => new HttpError(413, 'payload_too_large', message, details),
  unsupportedMediaType: (message: string, id = 'unsupported_media_type') => new HttpError(415, id, message),
  unprocessable: (id: string, message: string, details?: unknown) => new HttpError(422, id, message, details),
  /** 429 with the headers that say when to retry (Retry-After). */
  tooManyRequests: (id: string, message: string, details: unknown, headers: Record<string, string>) => new HttpError(429, id, message, details, headers),
  badGateway: (id: string, message: string, details?: unknown) => new HttpError(502, id, message, details),
  /** 503; `Retry-After` in seconds, or none (null) when retrying will not help until an admin acts. */
  unavailable: (id: string, message: string, retryAfterSeconds: number | null = 5) =>
    new HttpError(503, id, message, undefined, retryAfterSeconds === null ? {} : { 'Retry-After': String(retryAfterSeconds) }),
};

/** Wire bytes of an unread request body the server still reads before answering an error. */
export const DRAIN_MAX_BYTES = 8 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * A request refused before its body was read (wrong credential, 413, bad encoding): read and drop
 * the rest of the body (up to DRAIN_MAX_BYTES, for at most 10 s) before answering. Otherwise the
 * socket closes with unread data, the kernel resets it, and the client sees a broken connection
 * instead of the 401/413 — a companion would turn that into 502 and retry forever instead of
 * splitting the batch.
 */
function drainUnreadBody(ctx: Context): Promise<void> {
  const req = ctx.req;
  if (req.complete || req.destroyed) return Promise.resolve();
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > DRAIN_MAX_BYTES) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      req.off('data', count);
      resolve();
    };
    const count = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_MAX_BYTES) done();
    };
    const timer = setTimeout(done, DRAIN_TIMEOUT_MS);
    req.on('data', count);
    req.once('end', done);
    req.once('close', done);
    req.once('error', done);
    req.resume();
  });
}

/**
 * Renders every error as `{ error, message, details }`. Errors that are not `HttpError`s are
 * logged with their stack and become a generic 500 — their text never reaches the client.
 */
export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw errors.routeNotFound();
    } catch (err) {
      await drainUnreadBody(ctx);
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.set(err.headers);
        ctx.body = { error: err.id, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) };
        return;
      }
      log.error({ err, method: ctx.method, path: ctx.path }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: 'internal_error', message: 'internal error; see the collector log' };
    }
  };
}
