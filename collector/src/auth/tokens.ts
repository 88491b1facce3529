/**
 * Instructor tokens: HS256 JWTs issued at login (`jsonwebtoken`) and checked on every request by a
 * passport-jwt strategy, called directly (no passport session machinery). A token is refused when
 * it is missing, forged, expired, revoked by logout (its `jti` is in `revoked_tokens`), older than
 * the account's last password change, or its account is deactivated.
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import jwt from 'jsonwebtoken';
import type { Knex } from 'knex';
import { ExtractJwt, Strategy, type VerifiedCallback } from 'passport-jwt';
import { errors, HttpError } from '../http/errors.ts';

export const JWT_ISSUER = 'cell-monitor';
export const JWT_AUDIENCE = 'cell-monitor-instructor';
/**
 * WebSocket clients that cannot set headers (browsers) offer the subprotocols
 * `cell-monitor.bearer, <token>`; the server answers with `cell-monitor.bearer`.
 */
export const WS_SUBPROTOCOL = 'cell-monitor.bearer';

function fromSubprotocol(req: IncomingMessage): string | null {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim());
  const at = offered.indexOf(WS_SUBPROTOCOL);
  return at >= 0 && offered[at + 1] ? offered[at + 1] : null;
}

export interface TokenClaims {
  sub: string;
  role: string;
  jti: string;
  iat: number;
  exp: number;
}

export interface IssuedToken {
  token: string;
  jti: string;
  expiresAt: Date;
}

export function issueToken(secret: string, instructor: Pick<AccountRow, 'id' | 'role'>, ttlMinutes: number): IssuedToken {
  const jti = crypto.randomUUID();
  const token = jwt.sign({ role: instructor.role }, secret, {
    algorithm: 'HS256',
    subject: String(instructor.id),
    jwtid: jti,
    expiresIn: ttlMinutes * 60,
    issuer: JWT_ISSUER,
    audience: JWT_AUDIENCE,
  });
  const { exp } = jwt.decode(token) as TokenClaims;
  return { token, jti, expiresAt: new Date(exp * 1000) };
}

/** What a token check needs of an instructor account (instructors/store.ts's row carries more). */
export interface AccountRow {
  id: number;
  role: string;
  is_active: boolean | number;
  tokens_valid_after: string | Date | null;
}

export interface Authenticated<A extends AccountRow = AccountRow> {
  instructor: A;
  claims: TokenClaims;
}

const asDate = (value: unknown): Date | undefined => (value === null || value === undefined ? undefined : new Date(value as string));

/** Why a token was refused, as the client sees it (always 401). */
function refusal(info: unknown): HttpError {
  const reason = (info as { reason?: string } | undefined)?.reason;
  if (reason) return errors.unauthorized(REASONS[reason] ?? 'the token is not valid', reason, { 'WWW-Authenticate': 'Bearer' });
  const name = (info as Error | undefined)?.name;
  if (name === 'TokenExpiredError') return errors.unauthorized('the token has expired; log in again', 'token_expired', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  if (info instanceof Error && /no auth token/i.test(info.message)) {
    return errors.unauthorized('this route needs an instructor token (Authorization: Bearer <token>)', 'missing_token', { 'WWW-Authenticate': 'Bearer' });
  }
  return errors.unauthorized('the token is not valid', 'invalid_token', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
}

const REASONS: Record<string, string> = {
  token_revoked: 'the token was revoked (logged out); log in again',
  account_inactive: 'the account is deactivated',
  account_unknown: 'the account no longer exists',
  token_superseded: 'the password changed after this token was issued; log in again',
  token_without_expiry: 'the token has no expiry (exp, iat and jti are required); log in again',
};

/**
 * Why open sockets must close (published on every collector): one token (logout), the tokens of
 * an account issued before a moment (password change), or every token of an account (deactivated,
 * role changed).
 */
export type Revocation =
  | { reason: 'token_revoked'; instructorId: number; jti: string }
  | { reason: 'token_superseded'; instructorId: number; issuedBefore: number }
  | { reason: 'account_inactive' | 'account_changed'; instructorId: number };

/** Does this revocation end a socket opened with these claims? */
export function revokes(revocation: Revocation, instructorId: number, claims: Pick<TokenClaims, 'jti' | 'iat'>): boolean {
  if (revocation.instructorId !== instructorId) return false;
  if (revocation.reason === 'token_revoked') return revocation.jti === claims.jti;
  if (revocation.reason === 'token_superseded') return claims.iat < revocation.issuedBefore;
  return true;
}

export interface Authenticator<A extends AccountRow = AccountRow> {
  /** Resolves the instructor of an HTTP request (`Authorization: Bearer` only), or throws a 401 HttpError. */
  authenticate(req: IncomingMessage): Promise<Authenticated<A>>;
  /**
   * The same for a WebSocket upgrade, where browsers cannot set headers: the token may also come as
   * `?token=` or the `cell-monitor.bearer` subprotocol. Nowhere else is a token read from a URL.
   */
  authenticateSocket(req: IncomingMessage): Promise<Authenticated<A>>;
  revoke(claims: TokenClaims, instructorId: number): Promise<void>;
}

export interface AuthenticatorOptions<A extends AccountRow> {
  secret: string;
  db: Knex;
  /** The account a token's subject names (instructors/store.ts `findInstructor`). */
  findAccount(id: number): Promise<A | undefined>;
}

export function createAuthenticator<A extends AccountRow>(options: AuthenticatorOptions<A>): Authenticator<A> {
  const { db } = options;
  const strategy = (extractors: Array<(req: never) => string | null>) =>
    new Strategy(
      {
        secretOrKey: options.secret,
        jwtFromRequest: ExtractJwt.fromExtractors(extractors as never),
        algorithms: ['HS256'],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      },
      (claims: TokenClaims, done: VerifiedCallback) => {
        verifyClaims(db, claims, options.findAccount).then(
          (result) => ('reason' in result ? done(null, false, result) : done(null, { instructor: result.instructor, claims })),
          (err) => done(err, false),
        );
      },
    );
  const http = strategy([ExtractJwt.fromAuthHeaderAsBearerToken() as never]);
  const socket = strategy([ExtractJwt.fromAuthHeaderAsBearerToken() as never, ExtractJwt.fromUrlQueryParameter('token') as never, fromSubprotocol as never]);
  const run = (chosen: Strategy, req: IncomingMessage) =>
    new Promise<Authenticated<A>>((resolve, reject) => {
      // What passport does per request: a fresh object over the strategy with the three outcomes.
      const attempt = Object.create(chosen) as Strategy & {
        success(user: Authenticated<A>): void;
        fail(info: unknown): void;
        error(err: Error): void;
      };
      attempt.success = (user) => resolve(user);
      attempt.fail = (info) => reject(refusal(info));
      attempt.error = (err) => reject(err);
      attempt.authenticate(req as never, {});
    });

  return {
    authenticate: (req) => run(http, req),
    authenticateSocket: (req) => run(socket, req),
    async revoke(claims, instructorId) {
      await db('revoked_tokens')
        .insert({ jti: claims.jti, instructor_id: instructorId, expires_at: new Date(claims.exp * 1000).toISOString() })
        .onConflict('jti')
        .ignore();
      await db('revoked_tokens').where('expires_at', '<', new Date().toISOString()).delete();
    },
  };
}

async function verifyClaims<A extends AccountRow>(db: Knex, claims: TokenClaims, findAccount: (id: number) => Promise<A | undefined>): Promise<{ instructor: A } | { reason: string }> {
  // jsonwebtoken accepts a token without exp; ours always carry one (a token must not live forever).
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || typeof claims.jti !== 'string') return { reason: 'token_without_expiry' };
  const instructor = await findAccount(Number(claims.sub));
  if (!instructor) return { reason: 'account_unknown' };
  if (!instructor.is_active) return { reason: 'account_inactive' };
  const validAfter = asDate(instructor.tokens_valid_after);
  if (validAfter && claims.iat < Math.floor(validAfter.getTime() / 1000)) return { reason: 'token_superseded' };
  const revoked = await db('revoked_tokens').where({ jti: claims.jti }).first();
  if (revoked) return { reason: 'token_revoked' };
  return { instructor };
}
