/**
 * The route table's guards: every access level of http/routeTable.ts is checked here, before any
 * handler runs — instructor and admin tokens, the companion's student credential (ingest and the
 * student routes), then the route's class scope. Handlers read the identity with `authOf`,
 * `companionOf` or `studentOf`; none of them checks credentials itself.
 */
import type { Next } from 'koa';
import { HttpError } from '../http/errors.ts';
import type { Ctx, Handler, RouteSpec, Scope } from '../http/routeTable.ts';
import type { AccountRow, Authenticated, Authenticator } from './tokens.ts';
import { authenticateCompanion, type CompanionIdentity } from './companionAuth.ts';

export interface AccessGuardOptions {
  authenticator: () => Authenticator | undefined;
  /** INGEST_KEY: the master key student credentials derive from. */
  masterKey?: string;
  /** Builds the guard of a route's class scope (lms/classAccess.ts); `own_classes` lists filter in their handler. */
  scopeGuard: (scope: Exclude<Scope, 'own_classes'>, bodyLimit?: number) => Handler;
}

/** The guards of one route, for `createRouteTable({ guards })`. */
export function createAccessGuards(options: AccessGuardOptions): (spec: RouteSpec) => Handler[] {
  return (spec) => {
    switch (spec.access) {
      case 'public':
        return [];
      case 'ingest':
      case 'student':
        return [requireCompanion(options.masterKey, spec.access === 'student')];
      case 'instructor':
      case 'admin':
        return [requireToken(spec.access, options.authenticator), ...(spec.scope && spec.scope !== 'own_classes' ? [options.scopeGuard(spec.scope, spec.bodyLimit)] : [])];
    }
  };
}

export function requireToken(access: 'instructor' | 'admin', authenticator: () => Authenticator | undefined): Handler {
  return async (ctx: Ctx, next: Next) => {
    const auth = authenticator();
    if (!auth) throw new HttpError(503, 'auth_not_configured', 'instructor accounts are not configured on this collector (JWT_SECRET is unset)');
    const who = await auth.authenticate(ctx.req);
    if (access === 'admin' && who.instructor.role !== 'admin') throw new HttpError(403, 'forbidden', 'this route is for admins');
    ctx.state.auth = who;
    await next();
  };
}

/** Ingest and the student routes: identity only from the companion's stamp and credential, never from the body. */
export function requireCompanion(masterKey: string | undefined, needUser: boolean): Handler {
  return async (ctx: Ctx, next: Next) => {
    ctx.state.companion = authenticateCompanion(ctx, masterKey, needUser);
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
