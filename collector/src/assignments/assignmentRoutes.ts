/**
 * Seed 000 "LMS機能API", `/api/v1/assignments`: a class's assignments (a notebook path, a title, an
 * optional due date). Deleting one deletes its submissions.
 */
import * as yup from 'yup';
import { authOf } from '../auth/accessGuards.ts';
import { page } from '../db/rows.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idNumber, idParam, idQuery, isoDateTime, pagination, readJson, sendPage, trimmedString, validate } from '../http/request.ts';
import { isAdmin } from '../classes/classAccess.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { assignmentsQuery, assignmentView, createAssignment, deleteAssignment, requireAssignment, updateAssignment, type AssignmentFields, type AssignmentRow } from './store.ts';
import { requireClass } from '../classes/store.ts';

const assignmentCreateBody = yup.object({
  class_id: idNumber().required('class_id is required'),
  notebook_path: trimmedString().min(1).max(1024).required('notebook_path is required'),
  title: trimmedString().min(1).max(200).required('title is required'),
  description: yup.string().max(10_000).nullable().optional(),
  due_date: isoDateTime().optional(),
});
const assignmentUpdateBody = yup.object({
  notebook_path: trimmedString().min(1).max(1024).optional(),
  title: trimmedString().min(1).max(200).optional(),
  description: yup.string().max(10_000).nullable().optional(),
  due_date: isoDateTime().optional(),
});

export function addAssignmentRoutes(table: RouteTable, parts: RouteParts): void {
  const { db } = parts;

  table.add({
    method: 'post', path: '/api/v1/assignments', access: 'instructor', tag: 'assignments', summary: 'Create an assignment for a class', scope: { class: { body: 'class_id' } },
    body: assignmentCreateBody, responses: { 201: 'created', 404: 'no such class', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(assignmentCreateBody, await readJson(ctx));
      await requireClass(db, input.class_id);
      const id = await createAssignment(db, {
        class_id: input.class_id,
        notebook_path: input.notebook_path,
        title: input.title,
        description: input.description ?? null,
        due_date: input.due_date ? new Date(input.due_date).toISOString() : null,
      });
      ctx.status = 201;
      ctx.body = assignmentView(await requireAssignment(db, id));
    },
  });

  table.add({
    method: 'get', path: '/api/v1/assignments', access: 'instructor', tag: 'assignments', summary: 'List assignments (skip, limit, class_id)', scope: 'own_classes',
    responses: { 200: 'a page of assignments', 422: 'bad query' },
    handler: async (ctx) => {
      const classId = idQuery(ctx, 'class_id');
      const who = authOf(ctx);
      const query = assignmentsQuery(db, { classId, taughtBy: isAdmin(who) ? undefined : who.instructor.id });
      sendPage(ctx, await page<AssignmentRow>(query, await pagination(ctx), 'id'), assignmentView);
    },
  });

  table.add({
    method: 'get', path: '/api/v1/assignments/:id', access: 'instructor', tag: 'assignments', summary: 'One assignment', scope: { assignment: { param: 'id' } },
    responses: { 200: 'the assignment', 404: 'no such assignment' },
    handler: async (ctx) => {
      ctx.body = assignmentView(await requireAssignment(db, idParam(ctx, 'id', 'assignment')));
    },
  });

  table.add({
    method: 'put', path: '/api/v1/assignments/:id', access: 'instructor', tag: 'assignments', summary: 'Update an assignment (partial)', scope: { assignment: { param: 'id' } },
    body: assignmentUpdateBody, responses: { 200: 'updated', 404: 'no such assignment', 422: 'invalid body' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'assignment');
      const input = await validate(assignmentUpdateBody, await readJson(ctx));
      await requireAssignment(db, id);
      const changes: Record<string, unknown> = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      if (typeof changes.due_date === 'string') changes.due_date = new Date(changes.due_date).toISOString();
      await updateAssignment(db, id, changes as Partial<AssignmentFields>);
      ctx.body = assignmentView(await requireAssignment(db, id));
    },
  });

  table.add({
    method: 'delete', path: '/api/v1/assignments/:id', access: 'instructor', tag: 'assignments', summary: 'Delete an assignment and its submissions', scope: { assignment: { param: 'id' } },
    responses: { 200: 'the deleted assignment', 404: 'no such assignment' },
    handler: async (ctx) => {
      const row = await requireAssignment(db, idParam(ctx, 'id', 'assignment'));
      await deleteAssignment(db, row.id);
      ctx.body = assignmentView(row);
    },
  });
}
