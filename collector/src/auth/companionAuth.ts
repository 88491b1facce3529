/**
 * Who a request from a Jupyter companion route speaks for. The companion sends the Jupyter user
 * percent-encoded in `X-Cell-Monitor-User` (UTF-8: names like 王小明 cannot travel raw in a header)
 * and that user's credential as `Authorization: Bearer cmc2_…` or `cmc1_…` (see auth/studentCredential.ts).
 * A revoked credential (auth/credentialRevocation.ts) is refused by the access guard after this.
 *
 * - With INGEST_KEY (the master key) set: the credential must be the one of the stamped user, so a
 *   student's server can only ever speak for its own student (401 otherwise).
 * - Without it (a single machine, development): ingest is taken only from loopback addresses, the
 *   user comes from the header or the event body, and the student routes are closed (401): there is
 *   nothing to tell one student from another.
 */
import type { Context } from 'koa';
import { normaliseUserId, userIdProblem, USER_ID_PROBLEMS } from '@cell-monitor/shared';
import { credentialIssuedAt, looksLikeCredential } from './studentCredential.ts';
import { errors } from '../http/errors.ts';

export const USER_HEADER = 'x-cell-monitor-user';

export interface CompanionIdentity {
  /** The stamped Jupyter user; undefined only for keyless ingest without the header. */
  user?: string;
  /**
   * How the request proved it: a per-student credential, or coming from this machine (no key) —
   * or not at all: `self_reported`, a v1 client's body names its own user (LEGACY_V1_CLIENTS=1).
   */
  via: 'credential' | 'loopback' | 'self_reported';
  /** `credential`: when the credential was issued (ms; 0 for a v1 credential), for revocation. */
  issuedAt?: number;
}

/** Whether the request carries anything of a companion (then it is authenticated as one, whatever its body). */
export function hasCompanionHeaders(ctx: Pick<Context, 'get'>): boolean {
  return ctx.get(USER_HEADER) !== '' || ctx.get('authorization') !== '';
}

/**
 * The user named by the header: percent-decoded UTF-8, normalised (shared/src/userId.ts: trimmed of
 * NBSP, U+3000, BOM…, NFC) and refused when empty after that is not the case, too long, or holding
 * invisible, control or bidi characters (400 invalid_user_header naming the reason).
 */
export function readUserHeader(ctx: Pick<Context, 'get'>): string | undefined {
  const raw = ctx.get(USER_HEADER);
  if (!raw) return undefined;
  let user: string;
  try {
    user = normaliseUserId(decodeURIComponent(raw));
  } catch {
    throw errors.badRequest('invalid_user_header', `${USER_HEADER} must be the user name percent-encoded as UTF-8`);
  }
  if (!user) return undefined;
  const problem = userIdProblem(user);
  if (problem) throw errors.badRequest('invalid_user_header', `${USER_HEADER}: ${USER_ID_PROBLEMS[problem]}`, { reason: problem });
  return user;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address);
}

function bearer(ctx: Pick<Context, 'get'>): string {
  const auth = ctx.get('authorization');
  return /^Bearer /i.test(auth) ? auth.slice(7).trim() : '';
}

/**
 * Authenticates a companion request, or throws a 4xx. `needUser`: the student routes, which have
 * no meaning without a user, refuse keyless requests outright.
 */
export function authenticateCompanion(ctx: Pick<Context, 'get' | 'ip'>, masterKey: string | undefined, needUser: boolean): CompanionIdentity {
  if (masterKey === undefined) {
    if (needUser) {
      throw errors.unauthorized('student routes need INGEST_KEY on the collector and a per-student credential on the Jupyter server', 'student_routes_disabled', { 'WWW-Authenticate': 'Bearer' });
    }
    if (!isLoopback(ctx.ip)) {
      throw errors.forbidden('loopback_only', 'this collector has no INGEST_KEY, so it takes events only from its own machine; set INGEST_KEY and give each Jupyter server its credential');
    }
    return { user: readUserHeader(ctx), via: 'loopback' };
  }
  const given = bearer(ctx);
  if (!looksLikeCredential(given)) throw errors.unauthorized('missing credential: the Jupyter companion sends Authorization: Bearer <student credential>');
  const user = readUserHeader(ctx);
  if (!user) throw errors.badRequest('missing_user_header', `the ${USER_HEADER} header (sent by the Jupyter companion route) is required`);
  const issuedAt = credentialIssuedAt(masterKey, user, given);
  if (issuedAt === undefined) throw errors.unauthorized('the credential is not the one of this user');
  return { user, via: 'credential', issuedAt };
}
