/**
 * Seed 000 "講師管理機能API": authentication (`/api/v1/auth`), instructor accounts
 * (`/api/v1/instructors`, admins only) and instructor status (`/api/v1/instructor_status`).
 */
import type { Knex } from 'knex';
import * as yup from 'yup';
import { dummyHash, hashPassword, PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH, verifyPassword } from '../auth/passwords.ts';
import { createLoginThrottle, LoginLockedError, MAX_FAILURES } from '../auth/loginThrottle.ts';
import { issueToken, type Authenticator, type Revocation } from '../auth/tokens.ts';
import type { Channel } from '../broadcast/channel.ts';
import type { Redis } from 'ioredis';
import type { StatusBus } from '../broadcast/statusBus.ts';
import type { Config } from '../core/config.ts';
import { HttpError } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idNumber, idParam, pagination, readJson, trimmedString, validate } from '../http/request.ts';
import { authOf } from '../auth/accessGuards.ts';
import type { Logger } from '../core/logger.ts';
import {
  createInstructor,
  EmailTakenError,
  findByEmail,
  findInstructor,
  listInstructors,
  ROLES,
  setStatus,
  STATUSES,
  statusHistory,
  updateInstructor,
  view,
  type InstructorRow,
} from './store.ts';

const password = (label: string) =>
  yup
    .string()
    .required(`${label} is required`)
    .min(PASSWORD_MIN_LENGTH, `${label} must be at least ${PASSWORD_MIN_LENGTH} characters`)
    .test('bytes', `${label} must be at most ${PASSWORD_MAX_BYTES} bytes`, (v) => v === undefined || Buffer.byteLength(v) <= PASSWORD_MAX_BYTES);
const email = trimmedString().required('email is required').email('email must be an email address').max(255);
const name = trimmedString().min(1, 'name must not be empty').max(255);
const role = yup.string().oneOf([...ROLES], `role must be one of ${ROLES.join(', ')}`);
const status = yup.string().oneOf([...STATUSES], `status must be one of ${STATUSES.join(', ')}`);
const sessionId = yup.string().max(128).nullable();

export const schemas = {
  login: yup.object({ email: trimmedString().required('email is required'), password: yup.string().required('password is required') }),
  password: yup.object({ current_password: yup.string().required('current_password is required'), new_password: password('new_password') }),
  create: yup.object({ email, name: name.required('name is required'), password: password('password'), role: role.default('instructor') }),
  update: yup.object({ name: name.optional(), role: role.optional(), is_active: yup.boolean().strict().optional() }),
  status: yup.object({ status: status.required('status is required'), current_session_id: sessionId.optional() }),
  bulk: yup.object({
    updates: yup
      .array()
      .of(yup.object({ instructor_id: idNumber().required(), status: status.required(), current_session_id: sessionId.optional() }))
      .min(1, 'updates must not be empty')
      .max(100, 'at most 100 updates at once')
      .required('updates is required'),
  }),
};

export interface InstructorRouteParts {
  db: Knex;
  config: Config;
  log: Logger;
  authenticator: () => Authenticator | undefined;
  statusBus: StatusBus;
  /** Tells every collector to close the sockets of tokens that just stopped being valid. */
  revocations: Channel<Revocation>;
  redis?: Redis;
}

function notFound(): HttpError {
  return new HttpError(404, 'not_found', 'no such instructor');
}

/** Admins may change anyone's status; an instructor only their own. */
function mayChangeStatus(actor: InstructorRow, targetId: number): boolean {
  return actor.role === 'admin' || actor.id === targetId;
}

export function statusView(row: InstructorRow) {
  return {
    instructor_id: row.id,
    status: row.status,
    current_session_id: row.current_session_id,
    status_updated_at: view(row).status_updated_at,
  };
}

export function addInstructorRoutes(table: RouteTable, parts: InstructorRouteParts): void {
  const { db, config, log } = parts;
  const throttle = createLoginThrottle(parts.redis);
  /** The token is refused from now on (the database says so); this closes its open sockets everywhere. */
  const revoke = (revocation: Revocation) =>
    parts.revocations.publish(revocation).catch((err: Error) => log.warn({ err, reason: revocation.reason }, 'revocation not published; sockets close at token expiry'));
  /** setStatus + a live `status_update` to every /instructor/ws client (a failed publish is logged, not fatal). */
  const changeStatus = async (id: number, status: InstructorRow['status'], session: string | null | undefined) => {
    const row = await setStatus(db, id, status, session);
    if (row) {
      await parts.statusBus.publish({ type: 'status_update', ...statusView(row) }).catch((err: Error) => log.warn({ err }, 'status_update not published'));
    }
    return row;
  };

  table.add({
    method: 'post',
    path: '/api/v1/auth/login',
    access: 'public',
    tag: 'auth',
    summary: 'Log in with email and password; returns the instructor and a bearer token',
    body: schemas.login,
    responses: { 200: 'logged in', 401: 'wrong email or password', 403: 'account deactivated', 422: 'invalid body', 429: `${MAX_FAILURES} failed logins: locked for a while (Retry-After)`, 503: 'JWT_SECRET unset' },
    handler: async (ctx) => {
      const input = await validate(schemas.login, await readJson(ctx));
      if (!config.jwtSecret) throw new HttpError(503, 'auth_not_configured', 'instructor accounts are not configured on this collector (JWT_SECRET is unset)');
      try {
        await throttle.attempt(input.email, ctx.ip);
      } catch (err) {
        if (!(err instanceof LoginLockedError)) throw err;
        const wait = err.retryAfterSeconds;
        throw new HttpError(429, 'too_many_attempts', `too many failed logins from here; try again in ${Math.ceil(wait / 60)} min`, undefined, {
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
        throw new HttpError(401, 'invalid_credentials', 'wrong email or password');
      }
      await throttle.succeeded(input.email, ctx.ip);
      if (!row.is_active) throw new HttpError(403, 'account_inactive', 'the account is deactivated; ask an admin');
      const issued = issueToken(config.jwtSecret, row, config.jwtTtlMinutes);
      await updateInstructor(db, row.id, { last_login_at: new Date().toISOString() });
      const instructor = (await changeStatus(row.id, 'available', undefined))!;
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
      await revoke({ reason: 'token_revoked', instructorId: instructor.id, jti: claims.jti });
      await changeStatus(instructor.id, 'offline', null);
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
    body: schemas.password,
    responses: { 200: 'changed; a fresh token is returned', 400: 'current password wrong', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(schemas.password, await readJson(ctx));
      const { instructor } = authOf<InstructorRow>(ctx);
      if (!(await verifyPassword(input.current_password, instructor.password_hash))) {
        throw new HttpError(400, 'wrong_current_password', 'the current password is not right');
      }
      const now = new Date();
      await updateInstructor(db, instructor.id, { password_hash: await hashPassword(input.new_password), tokens_valid_after: now.toISOString() });
      await revoke({ reason: 'token_superseded', instructorId: instructor.id, issuedBefore: Math.floor(now.getTime() / 1000) });
      // Issued after the cut-off, so the caller stays logged in while every other token is refused.
      const issued = issueToken(config.jwtSecret!, instructor, config.jwtTtlMinutes);
      ctx.body = { message: 'Password updated successfully', token: issued.token, token_type: 'bearer', expires_at: issued.expiresAt.toISOString() };
    },
  });

  table.add({
    method: 'get',
    path: '/api/v1/instructors',
    access: 'admin',
    tag: 'instructors',
    summary: 'List instructor accounts (skip, limit ≤ 200, is_active)',
    responses: { 200: 'a page of instructors', 422: 'bad query' },
    handler: async (ctx) => {
      const page = await pagination(ctx);
      const { is_active: isActive } = await validate(yup.object({ is_active: yup.boolean().typeError('is_active must be true or false').optional() }), {
        is_active: ctx.query.is_active,
      });
      const { items, total } = await listInstructors(db, { ...page, isActive });
      ctx.set('X-Total-Count', String(total));
      ctx.body = items.map(view);
    },
  });

  table.add({
    method: 'post',
    path: '/api/v1/instructors',
    access: 'admin',
    tag: 'instructors',
    summary: 'Create an instructor account',
    body: schemas.create,
    responses: { 201: 'created', 409: 'email already used', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(schemas.create, await readJson(ctx));
      try {
        const row = await createInstructor(db, { email: input.email, name: input.name, password: input.password, role: input.role as InstructorRow['role'] });
        log.info({ event: 'instructor_created', instructorId: row.id, by: authOf<InstructorRow>(ctx).instructor.id }, 'instructor created');
        ctx.status = 201;
        ctx.body = view(row);
      } catch (err) {
        if (err instanceof EmailTakenError) throw new HttpError(409, 'email_taken', 'an instructor with this email already exists');
        throw err;
      }
    },
  });

  table.add({
    method: 'get',
    path: '/api/v1/instructors/:id',
    access: 'admin',
    tag: 'instructors',
    summary: 'One instructor account',
    responses: { 200: 'the instructor', 404: 'no such instructor' },
    handler: async (ctx) => {
      const row = await findInstructor(db, idParam(ctx, 'id', 'instructor'));
      if (!row) throw notFound();
      ctx.body = view(row);
    },
  });

  table.add({
    method: 'put',
    path: '/api/v1/instructors/:id',
    access: 'admin',
    tag: 'instructors',
    summary: 'Update name, role or is_active (partial)',
    body: schemas.update,
    responses: { 200: 'updated', 400: 'an admin cannot demote or deactivate themself', 404: 'no such instructor', 422: 'invalid body' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'instructor');
      const input = await validate(schemas.update, await readJson(ctx));
      if (id === authOf<InstructorRow>(ctx).instructor.id && (input.is_active === false || (input.role && input.role !== 'admin'))) {
        throw new HttpError(400, 'cannot_demote_self', 'an admin cannot deactivate or demote their own account');
      }
      const changes = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      const before = await findInstructor(db, id);
      const row = await updateInstructor(db, id, changes);
      if (!row || !before) throw notFound();
      if (input.is_active === false) await revoke({ reason: 'account_inactive', instructorId: id });
      else if (input.role !== undefined && input.role !== before.role) await revoke({ reason: 'account_changed', instructorId: id });
      ctx.body = view(row);
    },
  });

  table.add({
    method: 'delete',
    path: '/api/v1/instructors/:id',
    access: 'admin',
    tag: 'instructors',
    summary: 'Deactivate an account (soft delete; its tokens stop working)',
    responses: { 200: 'deactivated', 400: 'cannot delete yourself', 404: 'no such instructor' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'instructor');
      if (id === authOf<InstructorRow>(ctx).instructor.id) throw new HttpError(400, 'cannot_delete_self', 'an admin cannot delete their own account');
      const row = await updateInstructor(db, id, { is_active: false });
      if (!row) throw notFound();
      await revoke({ reason: 'account_inactive', instructorId: id });
      await changeStatus(id, 'offline', null);
      ctx.body = view((await findInstructor(db, id))!);
    },
  });

  table.add({
    method: 'get',
    path: '/api/v1/instructor_status/:id',
    access: 'instructor',
    tag: 'instructor_status',
    summary: "An instructor's current status",
    responses: { 200: 'the status', 404: 'no such instructor' },
    handler: async (ctx) => {
      const row = await findInstructor(db, idParam(ctx, 'id', 'instructor'));
      if (!row) throw notFound();
      ctx.body = statusView(row);
    },
  });

  table.add({
    method: 'put',
    path: '/api/v1/instructor_status/:id',
    access: 'instructor',
    tag: 'instructor_status',
    summary: 'Set a status (own, or anyone for admins); the history records it',
    body: schemas.status,
    responses: { 200: 'the new status', 403: "another instructor's status", 404: 'no such instructor', 422: 'invalid status' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'instructor');
      const input = await validate(schemas.status, await readJson(ctx));
      if (!(await findInstructor(db, id))) throw notFound();
      if (!mayChangeStatus(authOf<InstructorRow>(ctx).instructor, id)) throw new HttpError(403, 'forbidden', "only admins may change another instructor's status");
      const row = await changeStatus(id, input.status as InstructorRow['status'], input.current_session_id);
      ctx.body = statusView(row!);
    },
  });

  table.add({
    method: 'get',
    path: '/api/v1/instructor_status/:id/history',
    access: 'instructor',
    tag: 'instructor_status',
    summary: 'Status history, newest first, with the time spent in each (skip, limit)',
    responses: { 200: 'a page of history', 404: 'no such instructor', 422: 'bad query' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'instructor');
      const page = await pagination(ctx);
      if (!(await findInstructor(db, id))) throw notFound();
      const { items, total } = await statusHistory(db, id, page);
      ctx.set('X-Total-Count', String(total));
      ctx.body = items;
    },
  });

  table.add({
    method: 'post',
    path: '/api/v1/instructor_status/bulk',
    access: 'instructor',
    tag: 'instructor_status',
    summary: 'Several status updates; 200 when all succeed, 207 with per-item results otherwise',
    body: schemas.bulk,
    responses: { 200: 'all updated', 207: 'some failed: see results', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(schemas.bulk, await readJson(ctx));
      const actor = authOf<InstructorRow>(ctx).instructor;
      const results = [];
      for (const update of input.updates) {
        const target = update.instructor_id;
        if (!(await findInstructor(db, target))) {
          results.push({ instructor_id: target, success: false, error: 'not_found', message: 'no such instructor' });
        } else if (!mayChangeStatus(actor, target)) {
          results.push({ instructor_id: target, success: false, error: 'forbidden', message: "only admins may change another instructor's status" });
        } else {
          const row = await changeStatus(target, update.status as InstructorRow['status'], update.current_session_id);
          results.push({ instructor_id: target, success: true, status: statusView(row!) });
        }
      }
      const updated = results.filter((r) => r.success).length;
      ctx.status = updated === results.length ? 200 : 207;
      ctx.body = { updated_count: updated, results };
    },
  });
}
