/**
 * `/api/v1/classes/:id/teachers`: who teaches a class — owners and co-teachers. Any teacher reads
 * the list; only an owner adds or removes, and a class keeps at least one owner. A removed teacher's
 * live sockets on the class close at once on every collector (broadcast/liveChannels.ts classAccess).
 */
import * as yup from 'yup';
import { authOf } from '../auth/accessGuards.ts';
import { iso, isUniqueViolation } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { maySeeInstructor } from './colleagues.ts';
import { findByEmail, findInstructor } from '../instructors/store.ts';
import { idNumber, idParam, readJson, trimmedString, validate } from '../http/request.ts';
import type { RouteParts } from '../http/routeParts.ts';
import type { Channel } from '../broadcast/channel.ts';
import type { ClassAccessRevocation } from '../broadcast/liveChannels.ts';
import type { TeacherRole } from './classAccess.ts';
import { requireClass } from './store.ts';
import { addTeacher, listTeachers, removeTeacher, type TeacherRow } from './teachers.ts';

const teacherAddBody = yup
  .object({
    instructor_id: idNumber().optional(),
    email: trimmedString().email('email must be an email address').max(255).optional(),
    role: yup.string().oneOf(['owner', 'co_teacher'], 'role must be owner or co_teacher').optional(),
  })
  .test('who', 'give instructor_id or email', (v) => Boolean(v && (v.instructor_id || v.email)));

const teacherView = (row: TeacherRow) => ({
  instructor_id: row.instructor_id,
  name: row.name,
  email: row.email,
  role: row.role,
  added_at: iso(row.added_at),
});

export function addTeacherRoutes(table: RouteTable, parts: RouteParts & { classAccess: Channel<ClassAccessRevocation> }): void {
  const { db } = parts;

  table.add({
    method: 'get', path: '/api/v1/classes/:id/teachers', access: 'instructor', tag: 'classes', summary: "A class's teachers (owners and co-teachers)", scope: { class: { param: 'id' } },
    responses: { 200: 'the teachers', 403: 'not a teacher of this class', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      ctx.body = (await listTeachers(db, cls.id)).map(teacherView);
    },
  });

  table.add({
    method: 'post', path: '/api/v1/classes/:id/teachers', access: 'instructor', tag: 'classes', summary: 'Add a teacher (by email, or by instructor_id for a co-teacher of the caller; admins any) as owner or co_teacher', scope: { class: { param: 'id' }, role: 'owner' },
    body: teacherAddBody, responses: { 201: 'added', 403: 'not an owner of this class', 404: 'no such class or instructor', 409: 'already a teacher', 422: 'invalid body' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const input = await validate(teacherAddBody, await readJson(ctx));
      const instructor = input.instructor_id ? await findInstructor(db, input.instructor_id) : await findByEmail(db, input.email!);
      if (!instructor || !instructor.is_active) throw errors.notFound('instructor');
      // By id only someone the caller already sees (a co-teacher; admins anyone): the list answered
      // shows emails, and adding ids one by one would read every instructor's address.
      if (input.instructor_id && !(await maySeeInstructor(db, authOf(ctx), instructor.id))) throw errors.notFound('instructor');
      try {
        await addTeacher(db, cls.id, instructor.id, (input.role as TeacherRole | undefined) ?? 'co_teacher');
      } catch (err) {
        if (isUniqueViolation(err)) throw errors.conflict('already_teacher', 'this instructor already teaches the class');
        throw err;
      }
      ctx.status = 201;
      ctx.body = (await listTeachers(db, cls.id)).map(teacherView);
    },
  });

  table.add({
    method: 'delete', path: '/api/v1/classes/:id/teachers/:instructorId', access: 'instructor', tag: 'classes', summary: 'Remove a teacher (not the last owner)', scope: { class: { param: 'id' }, role: 'owner' },
    responses: { 200: 'removed', 403: 'not an owner of this class', 404: 'no such class or teacher', 409: 'the last owner' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const instructorId = idParam(ctx, 'instructorId', 'teacher');
      const removed = await removeTeacher(db, cls.id, instructorId);
      if (removed === 'not_teacher') throw errors.notFound('teacher');
      if (removed === 'last_owner') throw errors.conflict('last_owner', 'a class keeps at least one owner; add another owner first');
      await parts.classAccess.publish({ classId: cls.id, instructorId, reason: 'teacher_removed' }).catch((err: Error) => parts.log.warn({ err, classId: cls.id, instructorId }, 'teacher removal not published; their sockets close at their next refresh'));
      ctx.body = (await listTeachers(db, cls.id)).map(teacherView);
    },
  });
}
