/**
 * Seed 000 "講師管理機能API", `/api/v1/auth`: an instructor's session. Log in (throttled; the answer
 * time does not reveal which emails exist), log out (the token stops working at once), who am I,
 * change the password (every other token of the account stops working).
 */
import * as yup from 'yup';
import { DEMO_ACCOUNT, type AuthSetup } from '@cell-monitor/shared';
import { dummyHash, hashPassword, newPasswordSchema, verifyPassword } from '../auth/passwords.ts';
import { createLoginThrottle, LoginLockedError, MAX_FAILURES } from '../auth/loginThrottle.ts';
import { issueToken } from '../auth/tokens.ts';
import { authOf } from '../auth/accessGuards.ts';
import { errors } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { readJson, trimmedString, validate } from '../http/request.ts';
import type { AccountActions } from './accountActions.ts';
import type { InstructorRouteParts } from './routeParts.ts';
import { countInstructors, findByEmail, updateInstructor, view, type InstructorRow } from './store.ts';

const loginBody = yup.object({ email: trimmedString().required('email is required'), password: yup.string().required('password is required') });
const passwordBody = yup.object({ current_password: yup.string().required('current_password is required'), new_password: newPasswordSchema('new_password') });

export function addSessionRoutes(table: RouteTable, parts: InstructorRouteParts, actions: AccountActions): void {
  const { db, config, log } = parts;
  const throttle = createLoginThrottle(parts.limiter);

  table.add({
    method: 'get',
    path: '/api/v1/auth/setup',
    access: 'public',
    tag: 'auth',
    summary: "Whether an instructor account exists and sign-in works (the dashboard's first-run hint), and the demo's documented account while the demo's data exists; nothing else",
    responses: { 200: 'the setup state' },
    handler: async (ctx) => {
      // The demo's account is public knowledge (README): named here only while it exists, i.e. while the demo's data does.
      const demo = (await findByEmail(db, DEMO_ACCOUNT.email)) ? { email: DEMO_ACCOUNT.email, password: DEMO_ACCOUNT.password } : undefined;
      ctx.body = { accounts: (await countInstructors(db)) > 0, signIn: Boolean(config.jwtSecret), ...(demo ? { demo } : {}) } satisfies AuthSetup;
    },
  });

  table.add({
    method: 'post',
    path: '/api/v1/auth/login',
    access: 'public',
    tag: 'auth',
    summary: 'Log in with email and password; returns the instructor and a bearer token',
    body: loginBody,
    responses: { 200: 'logged in', 401: 'wrong email or password', 403: 'account deactivated', 422: 'invalid body', 429: `${MAX_FAILURES} failed logins: locked for a while (Retry-After)`, 503: 'JWT_SECRET unset' },
    handler: async (ctx) => {
      const input = await validate(loginBody, await readJson(ctx));
      if (!config.jwtSecret) throw errors.unavailable('auth_not_configured', 'instructor accounts are not configured on this collector (JWT_SECRET is unset)', null);
      try {
        await throttle.attempt(input.email, ctx.ip);
      } catch (err) {
        if (!(err instanceof LoginLockedError)) throw err;
        const wait = err.retryAfterSeconds;
        throw errors.tooManyRequests('too_many_attempts', `too many failed logins from here; try again in ${Math.ceil(wait / 60)} min`, undefined, {
          'Retry-After': String(wait),
        });
      }
      const row = await findByEmail(db, input.email);
      let ok: boolean;
      try {
        // Same work whether the account exists or not: the answer time does not reveal emails.
        ok = await verifyPassword(input.password, row?.password_hash ?? (await dummyHash()));
      } catch (err) {
        await throttle.refund(input.email, ctx.ip);
        throw err;
      }
      if (!row || !ok) {
        log.info({ event: 'login_failed', ip: ctx.ip }, 'login failed');
        throw errors.unauthorized('wrong email or password', 'invalid_credentials', {});
      }
      await throttle.succeeded(input.email, ctx.ip);
      if (!row.is_active) throw errors.forbidden('account_inactive', 'the account is deactivated; ask an admin');
      const issued = issueToken(config.jwtSecret, row, config.jwtTtlMinutes);
      await updateInstructor(db, row.id, { last_login_at: new Date().toISOString() });
      const instructor = (await actions.changeStatus(row.id, 'available', undefined))!;
      log.info({ event: 'login', instructorId: row.id }, 'instructor logged in');
      ctx.body = { instructor: view(instructor), token: issued.token, token_type: 'bearer', expires_at: issued.expiresAt.toISOString() };
    },
  });

  table.add({
    method: 'post',
    path: '/api/v1/auth/logout',
    access: 'instructor',
    tag: 'auth',
    summary: 'Log out: the token stops working at once; status becomes offline',
    responses: { 200: 'logged out' },
    handler: async (ctx) => {
      const { instructor, claims } = authOf<InstructorRow>(ctx);
      await parts.authenticator()!.revoke(claims, instructor.id);
      await actions.revoke({ reason: 'token_revoked', instructorId: instructor.id, jti: claims.jti });
      await actions.changeStatus(instructor.id, 'offline', null);
      ctx.body = { message: 'Successfully logged out' };
    },
  });

  table.add({
    method: 'get',
    path: '/api/v1/auth/me',
    access: 'instructor',
    tag: 'auth',
    summary: 'The instructor the token belongs to',
    responses: { 200: 'the instructor' },
    handler: (ctx) => {
      ctx.body = view(authOf<InstructorRow>(ctx).instructor);
    },
  });

  table.add({
    method: 'put',
    path: '/api/v1/auth/password',
    access: 'instructor',
    tag: 'auth',
    summary: 'Change the password (needs the current one); every other token of the account stops working',
    body: passwordBody,
    responses: { 200: 'changed; a fresh token is returned', 400: 'current password wrong', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(passwordBody, await readJson(ctx));
      const { instructor } = authOf<InstructorRow>(ctx);
      if (!(await verifyPassword(input.current_password, instructor.password_hash))) {
        throw errors.badRequest('wrong_current_password', 'the current password is not right');
      }
      const now = new Date();
      await updateInstructor(db, instructor.id, { password_hash: await hashPassword(input.new_password), tokens_valid_after: now.toISOString() });
      await actions.revoke({ reason: 'token_superseded', instructorId: instructor.id, issuedBefore: Math.floor(now.getTime() / 1000) });
      // Issued after the cut-off, so the caller stays logged in while every other token is refused.
      const issued = issueToken(config.jwtSecret!, instructor, config.jwtTtlMinutes);
      ctx.body = { message: 'Password updated successfully', token: issued.token, token_type: 'bearer', expires_at: issued.expiresAt.toISOString() };
    },
  });
}
