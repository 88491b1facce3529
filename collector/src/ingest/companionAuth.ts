/**
 * What the Jupyter companion route sends with every request: `Authorization: Bearer <INGEST_KEY>`
 * and the Jupyter user in `X-Cell-Monitor-User`. Used by ingest and by the student routes.
 */
import crypto from 'node:crypto';
import type { Context } from 'koa';
import { errors } from '../http/errors.ts';

export const USER_HEADER = 'x-cell-monitor-user';

/** Constant-time comparison (of digests, so lengths do not leak either). */
export function sameSecret(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Throws 401 unless the request carries the ingest key (when one is configured). */
export function checkIngestKey(ctx: Pick<Context, 'get'>, ingestKey: string | undefined): void {
  if (ingestKey === undefined) return;
  const auth = ctx.get('authorization');
  const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  if (!given || !sameSecret(given, ingestKey)) throw errors.unauthorized();
}

/** The user the companion stamped, or a 400 naming the header. */
export function requireStampedUser(ctx: Pick<Context, 'get'>, why: string): string {
  const user = ctx.get(USER_HEADER).trim();
  if (!user) throw errors.badRequest('missing_user_header', `${why} needs the ${USER_HEADER} header (sent by the Jupyter companion route)`);
  if (user.length > 255) throw errors.badRequest('invalid_user_header', `${USER_HEADER} is longer than 255 characters`);
  return user;
}
