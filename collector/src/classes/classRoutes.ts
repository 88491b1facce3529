/**
 * Seed 000 "LMS機能API", `/api/v1/classes`: classes. The creator owns the class; an instructor lists
 * and reads the classes they teach (admins all), only an owner deletes one (with its enrollments,
 * assignments and submissions).
 */
import * as yup from 'yup';
import { authOf } from '../auth/accessGuards.ts';
import { isUniqueViolation } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idParam, pagination, readJson, sendPage, trimmedString, validate } from '../http/request.ts';
import { isAdmin, teacherRole } from './classAccess.ts';
import type { RouteParts } from '../http/routeParts.ts';
import type { Channel } from '../broadcast/channel.ts';
import type { ClassAccessRevocation } from '../broadcast/liveChannels.ts';
import { classView, createClass, deleteClass, listClasses, requireClass, updateClass } from './store.ts';

const classCode = trimmedString().matches(/^[A-Za-z0-9_.-]{1,64}$/, 'class_code must be 1-64 of A-Z a-z 0-9 _ . -');
const classCreateBody = yup.object({
  name: trimmedString().min(1).max(200).required('name is required'),
  class_code: classCode.required('class_code is required'),
  description: yup.string().max(10_000).nullable().optional(),
});
const classUpdateBody = yup.object({
  name: trimmedString().min(1).max(200).optional(),
  class_code: classCode.optional(),
  description: yup.string().max(10_000).nullable().optional(),
});

/** A class_code already in use is a 409; any other error passes through. */
function classCodeTaken(err: unknown): unknown {
  return isUniqueViolation(err) ? errors.conflict('class_code_taken', 'a class with this class_code already exists') : err;
}

export function addClassRoutes(table: RouteTable, parts: RouteParts & { classAccess: Channel<ClassAccessRevocation> }): void {
  const { db } = parts;

  table.add({
    method: 'post', path: '/api/v1/classes', access: 'instructor', tag: 'classes', summary: 'Create a class (class_code unique)',
    body: classCreateBody, responses: { 201: 'created', 409: 'class_code taken', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(classCreateBody, await readJson(ctx));
      try {
        // The creator owns the class: from now on only its teachers (and admins) see it.
        const id = await createClass(db, { name: input.name, class_code: input.class_code, description: input.description ?? null }, authOf(ctx).instructor.id);
        ctx.status = 201;
        ctx.body = classView(await requireClass(db, id));
      } catch (err) {
        throw classCodeTaken(err);
      }
    },
  });

  table.add({
    method: 'get', path: '/api/v1/classes', access: 'instructor', tag: 'classes', summary: 'List classes (skip, limit)', scope: 'own_classes',
    responses: { 200: 'a page of classes', 422: 'bad query' },
    handler: async (ctx) => {
      const who = authOf(ctx);
      sendPage(ctx, await listClasses(db, isAdmin(who) ? 'all' : { instructorId: who.instructor.id }, await pagination(ctx)), classView);
    },
  });

  table.add({
    method: 'get', path: '/api/v1/classes/:id', access: 'instructor', tag: 'classes', summary: 'One class', scope: { class: { param: 'id' } },
    responses: { 200: 'the class', 404: 'no such class' },
    handler: async (ctx) => {
      ctx.body = classView(await requireClass(db, idParam(ctx, 'id', 'class')));
    },
  });

  table.add({
    method: 'put', path: '/api/v1/classes/:id', access: 'instructor', tag: 'classes', summary: 'Update a class (partial); only an owner (or an admin) changes its class_code', scope: { class: { param: 'id' } },
    body: classUpdateBody, responses: { 200: 'updated', 403: 'a co-teacher changing class_code (not_class_owner)', 404: 'no such class', 409: 'class_code taken', 422: 'invalid body' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'class');
      const input = await validate(classUpdateBody, await readJson(ctx));
      const before = await requireClass(db, id);
      // The class_code is what v1 clients and LEGACY_CLASS_CODE enrol students by: an owner's decision.
      const who = authOf(ctx);
      if (input.class_code !== undefined && input.class_code !== before.class_code && !isAdmin(who) && (await teacherRole(db, who.instructor.id, id)) !== 'owner') {
        throw errors.forbidden('not_class_owner', 'only an owner of the class may change its class_code');
      }
      try {
        await updateClass(db, id, Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)));
      } catch (err) {
        throw classCodeTaken(err);
      }
      ctx.body = classView(await requireClass(db, id));
    },
  });

  table.add({
    method: 'delete', path: '/api/v1/classes/:id', access: 'instructor', tag: 'classes', summary: 'Delete a class with its enrollments, assignments and submissions', scope: { class: { param: 'id' }, role: 'owner' },
    responses: { 200: 'the deleted class', 404: 'no such class' },
    handler: async (ctx) => {
      const row = await requireClass(db, idParam(ctx, 'id', 'class'));
      await deleteClass(db, row.id);
      await parts.classAccess.publish({ classId: row.id, instructorId: null, reason: 'class_deleted' }).catch((err: Error) => parts.log.warn({ err, classId: row.id }, 'class deletion not published; its sockets close at their next refresh'));
      ctx.body = classView(row);
    },
  });
}
