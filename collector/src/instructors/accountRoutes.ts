/**
 * Seed 000 "講師管理機能API", `/api/v1/instructors`: instructor accounts, admins only. Deactivating
 * or demoting an account ends its tokens and live sockets on every collector.
 */
import * as yup from 'yup';
import { newPasswordSchema } from '../auth/passwords.ts';
import { authOf } from '../auth/accessGuards.ts';
import { errors } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idParam, pagination, readJson, trimmedString, validate } from '../http/request.ts';
import type { AccountActions } from './accountActions.ts';
import type { InstructorRouteParts } from './routeParts.ts';
import { createInstructor, EmailTakenError, findInstructor, listInstructors, requireInstructor, ROLES, updateInstructor, view, type InstructorRow } from './store.ts';

const name = trimmedString().min(1, 'name must not be empty').max(255);
const role = yup.string().oneOf([...ROLES], `role must be one of ${ROLES.join(', ')}`);
const createBody = yup.object({
  email: trimmedString().required('email is required').email('email must be an email address').max(255),
  name: name.required('name is required'),
  password: newPasswordSchema('password'),
  role: role.default('instructor'),
});
const updateBody = yup.object({ name: name.optional(), role: role.optional(), is_active: yup.boolean().strict().optional() });

export function addAccountRoutes(table: RouteTable, parts: InstructorRouteParts, actions: AccountActions): void {
  const { db, log } = parts;

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
    body: createBody,
    responses: { 201: 'created', 409: 'email already used', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(createBody, await readJson(ctx));
      try {
        const row = await createInstructor(db, { email: input.email, name: input.name, password: input.password, role: input.role as InstructorRow['role'] });
        log.info({ event: 'instructor_created', instructorId: row.id, by: authOf<InstructorRow>(ctx).instructor.id }, 'instructor created');
        ctx.status = 201;
        ctx.body = view(row);
      } catch (err) {
        if (err instanceof EmailTakenError) throw errors.conflict('email_taken', 'an instructor with this email already exists');
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
      ctx.body = view(await requireInstructor(db, idParam(ctx, 'id', 'instructor')));
    },
  });

  table.add({
    method: 'put',
    path: '/api/v1/instructors/:id',
    access: 'admin',
    tag: 'instructors',
    summary: 'Update name, role or is_active (partial)',
    body: updateBody,
    responses: { 200: 'updated', 400: 'an admin cannot demote or deactivate themself', 404: 'no such instructor', 422: 'invalid body' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'instructor');
      const input = await validate(updateBody, await readJson(ctx));
      if (id === authOf<InstructorRow>(ctx).instructor.id && (input.is_active === false || (input.role && input.role !== 'admin'))) {
        throw errors.badRequest('cannot_demote_self', 'an admin cannot deactivate or demote their own account');
      }
      const changes = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      const before = await findInstructor(db, id);
      const row = await updateInstructor(db, id, changes);
      if (!row || !before) throw errors.notFound('instructor');
      if (input.is_active === false) await actions.revoke({ reason: 'account_inactive', instructorId: id });
      else if (input.role !== undefined && input.role !== before.role) await actions.revoke({ reason: 'account_changed', instructorId: id });
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
      if (id === authOf<InstructorRow>(ctx).instructor.id) throw errors.badRequest('cannot_delete_self', 'an admin cannot delete their own account');
      const row = await updateInstructor(db, id, { is_active: false });
      if (!row) throw errors.notFound('instructor');
      await actions.revoke({ reason: 'account_inactive', instructorId: id });
      await actions.changeStatus(id, 'offline', null);
      ctx.body = view((await findInstructor(db, id))!);
    },
  });
}
