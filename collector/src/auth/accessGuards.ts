/**
 * The route table's guards: every access level of http/routeTable.ts is checked here, before any
 * handler runs — instructor and admin tokens, the companion's student credential (ingest and the
 * student routes), then the route's class scope. Handlers read the identity with `authOf`,
 * `companionOf` or `studentOf`; none of them checks credentials itself.
 */
import crypto from 'node:crypto';
import type { Next } from 'koa';
import { errors } from '../http/errors.ts';
import type { Ctx, Handler, RouteSpec, Scope } from '../http/routeTable.ts';
import type { AccountRow, Authenticated, Authenticator } from './tokens.ts';
import { authenticateCompanion, hasCompanionHeaders, type CompanionIdentity } from './companionAuth.ts';
import type { Revocations } from './credentialRevocation.ts';

/**
 * Ingest of a request without any companion header (ingest/legacyClients.ts): reads the body and
 * answers the self-reported identity of a v1 client's body when those are accepted, throws
 * `legacy_clients_disabled` when they are not, and undefined for any other body (which is then
 * authenticated as a companion's, as always).
 */
export type HeaderlessIngest = (ctx: Ctx) => Promise<CompanionIdentity | undefined>;

export interface AccessGuardOptions {
  authenticator: () => Authenticator | undefined;
  /** INGEST_KEY: the master key student credentials derive from. */
  masterKey?: string;
  /** Per-student credential revocations (with INGEST_KEY): a revoked credential gets 401. */
  revocations?: Revocations;
  /** Builds the guard of a route's class scope (lms/classAccess.ts); `own_classes` lists filter in their handler. */
  scopeGuard: (scope: Exclude<Scope, 'own_classes'>, bodyLimit?: number) => Handler;
  /** Ingest without companion headers: the original extension's clients (see HeaderlessIngest). */
  headerlessIngest?: HeaderlessIngest;
  /** METRICS_TOKEN: a bearer token that opens the 'metrics' routes besides an admin's token. */
  metricsToken?: string;
}

/** The guards of one route, for `createRouteTable({ guards })`. */
export function createAccessGuards(options: AccessGuardOptions): (spec: RouteSpec) => Handler[] {
  return (spec) => {
    switch (spec.access) {
      case 'public':
        return [];
      case 'metrics':
        return [requireMetricsToken(options.metricsToken, requireToken('admin', options.authenticator))];
      case 'ingest':
        return [requireCompanion(options.masterKey, false, options.headerlessIngest, options.revocations)];
      case 'student':
        return [requireCompanion(options.masterKey, true, undefined, options.revocations)];
      case 'instructor':
      case 'admin':
        return [requireToken(spec.access, options.authenticator), ...(spec.scope && spec.scope !== 'own_classes' ? [options.scopeGuard(spec.scope, spec.bodyLimit)] : [])];
    }
  };
}

export function requireToken(access: 'instructor' | 'admin', authenticator: () => Authenticator | undefined): Handler {
  return async (ctx: Ctx, next: Next) => {
    const auth = authenticator();
    if (!auth) throw errors.unavailable('auth_not_configured', 'instructor accounts are not configured on this collector (JWT_SECRET is unset)', null);
    const who = await auth.authenticate(ctx.req);
    if (access === 'admin' && who.instructor.role !== 'admin') throw errors.forbidden('forbidden', 'this route is for admins');
    ctx.state.auth = who;
    await next();
  };
}

/**
 * GET /metrics: `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time; never logged),
 * else whatever `admin` answers — an admin's token passes, no token is 401, an instructor's 403.
 */
export function requireMetricsToken(metricsToken: string | undefined, admin: Handler): Handler {
  const expected = metricsToken ? crypto.createHash('sha256').update(metricsToken).digest() : undefined;
  return async (ctx: Ctx, next: Next) => {
    const given = /^Bearer (.+)$/i.exec(ctx.get('authorization'))?.[1];
    if (expected && given !== undefined && crypto.timingSafeEqual(expected, crypto.createHash('sha256').update(given).digest())) return next();
    await admin(ctx, next);
  };
}

/**
 * Ingest and the student routes: identity only from the companion's stamp and credential, never
 * from the body — except, for ingest, a request with no companion header at all that
 * `headerless` recognises as a v1 client's (self-reported identity, only when enabled).
 */
export function requireCompanion(masterKey: string | undefined, needUser: boolean, headerless?: HeaderlessIngest, revocations?: Revocations): Handler {
  return async (ctx: Ctx, next: Next) => {
    const selfReported = headerless && !hasCompanionHeaders(ctx) ? await headerless(ctx) : undefined;
    const identity = selfReported ?? authenticateCompanion(ctx, masterKey, needUser);
    if (identity.via === 'credential' && revocations) await revocations.check(identity.user!, identity.issuedAt ?? 0);
    ctx.state.companion = identity;
    await next();
  };
}

export function companionOf(ctx: Ctx): CompanionIdentity {
  return ctx.state.companion as CompanionIdentity;
}

/** The student a student route speaks for (the guard made sure there is one). */
export function studentOf(ctx: Ctx): string {
  return companionOf(ctx).user!;
}

/** The instructor a token route speaks for (the guard made sure there is one). */
export function authOf<A extends AccountRow = AccountRow>(ctx: Ctx): Authenticated<A> {
  return ctx.state.auth as Authenticated<A>;
}
