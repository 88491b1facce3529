/**
 * Seed 000 "講師管理機能API", `/api/v1/instructor_status`: where each instructor is (available, in a
 * session, busy, on a break, offline), with its history. An instructor reads their own and their
 * co-teachers' (classes/colleagues.ts), an admin anyone's; an instructor sets their own, an admin anyone's.
 * Every change goes live to `/instructor/ws` (accountActions.ts), to those who may read it.
 */
import * as yup from 'yup';
import { authOf } from '../auth/accessGuards.ts';
import { errors } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idNumber, idParam, pagination, readJson, validate } from '../http/request.ts';
import type { AccountActions } from './accountActions.ts';
import type { InstructorRouteParts } from './routeParts.ts';
import { findInstructor, requireInstructor, STATUSES, statusHistory, statusView, type InstructorRow } from './store.ts';

const status = yup.string().oneOf([...STATUSES], `status must be one of ${STATUSES.join(', ')}`);
const sessionId = yup.string().max(128).nullable();
const statusBody = yup.object({ status: status.required('status is required'), current_session_id: sessionId.optional() });
const bulkBody = yup.object({
  updates: yup
    .array()
    .of(yup.object({ instructor_id: idNumber().required(), status: status.required(), current_session_id: sessionId.optional() }))
    .min(1, 'updates must not be empty')
    .max(100, 'at most 100 updates at once')
    .required('updates is required'),
});

/** Admins may change anyone's status; an instructor only their own. */
function mayChangeStatus(actor: InstructorRow, targetId: number): boolean {
  return actor.role === 'admin' || actor.id === targetId;
}

export function addStatusRoutes(table: RouteTable, parts: InstructorRouteParts, actions: AccountActions): void {
  const { db } = parts;

  table.add({
    method: 'get',
    path: '/api/v1/instructor_status/:id',
    access: 'instructor',
    tag: 'instructor_status',
    summary: "An instructor's current status (own, a co-teacher's, or anyone's for admins)",
    responses: { 200: 'the status', 404: 'no such instructor, or not a co-teacher' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'instructor');
      if (!(await parts.maySeeInstructor(db, authOf(ctx), id))) throw errors.notFound('instructor');
      ctx.body = statusView(await requireInstructor(db, id));
    },
  });

  table.add({
    method: 'put',
    path: '/api/v1/instructor_status/:id',
    access: 'instructor',
    tag: 'instructor_status',
    summary: 'Set a status (own, or anyone for admins); the history records it',
    body: statusBody,
    responses: { 200: 'the new status', 403: "another instructor's status", 404: 'no such instructor', 422: 'invalid status' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'instructor');
      const input = await validate(statusBody, await readJson(ctx));
      await requireInstructor(db, id);
      if (!mayChangeStatus(authOf<InstructorRow>(ctx).instructor, id)) throw errors.forbidden('forbidden', "only admins may change another instructor's status");
      const row = await actions.changeStatus(id, input.status as InstructorRow['status'], input.current_session_id);
      ctx.body = statusView(row!);
    },
  });

  table.add({
    method: 'get',
    path: '/api/v1/instructor_status/:id/history',
    access: 'instructor',
    tag: 'instructor_status',
    summary: 'Status history, newest first, with the time spent in each (skip, limit); own, a co-teacher\'s, or anyone\'s for admins',
    responses: { 200: 'a page of history', 404: 'no such instructor, or not a co-teacher', 422: 'bad query' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'instructor');
      const page = await pagination(ctx);
      if (!(await parts.maySeeInstructor(db, authOf(ctx), id))) throw errors.notFound('instructor');
      await requireInstructor(db, id);
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
    body: bulkBody,
    responses: { 200: 'all updated', 207: 'some failed: see results', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(bulkBody, await readJson(ctx));
      const actor = authOf<InstructorRow>(ctx).instructor;
      const results = [];
      for (const update of input.updates) {
        const target = update.instructor_id;
        if (!(await findInstructor(db, target))) {
          results.push({ instructor_id: target, success: false, error: 'instructor_not_found', message: 'no such instructor' });
        } else if (!mayChangeStatus(actor, target)) {
          results.push({ instructor_id: target, success: false, error: 'forbidden', message: "only admins may change another instructor's status" });
        } else {
          const row = await actions.changeStatus(target, update.status as InstructorRow['status'], update.current_session_id);
          results.push({ instructor_id: target, success: true, status: statusView(row!) });
        }
      }
      const updated = results.filter((r) => r.success).length;
      ctx.status = updated === results.length ? 200 : 207;
      ctx.body = { updated_count: updated, results };
    },
  });
}
