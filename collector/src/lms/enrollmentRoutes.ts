/**
 * `/api/v1/classes/:id/students`: who is enrolled in a class. Enrolling gives the class's teachers
 * that student's activity, so each enrollment is logged with who made it.
 */
import * as yup from 'yup';
import { authOf } from '../auth/accessGuards.ts';
import { iso, isUniqueViolation, now, page } from '../db/rows.ts';
import { errors, HttpError } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idNumber, idParam, pagination, readJson, sendPage, trimmedString, validate } from '../http/request.ts';
import type { LmsParts } from './lmsRoutes.ts';
import { ensureStudent, requireClass, studentView, type StudentRow } from './store.ts';

const enrollBody = yup
  .object({
    student_id: idNumber().optional(),
    user_id: trimmedString().min(1).max(255).optional(),
    email: trimmedString().email('email must be an email address').max(255).optional(),
    name: trimmedString().max(100).optional(),
  })
  .test('who', 'give one of student_id, user_id or email', (v) => Boolean(v && (v.student_id || v.user_id || v.email)));

export function addEnrollmentRoutes(table: RouteTable, parts: LmsParts): void {
  const { db, log } = parts;

  table.add({
    method: 'get', path: '/api/v1/classes/:id/students', access: 'instructor', tag: 'classes', summary: 'Students enrolled in a class (skip, limit)', scope: { class: { param: 'id' } },
    responses: { 200: 'a page of students', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const query = db('class_enrollments as e').join('students as s', 's.id', 'e.student_id').select('s.*', 'e.enrolled_at').where('e.class_id', cls.id);
      sendPage(ctx, await page<StudentRow & { enrolled_at: string }>(query, await pagination(ctx), 's.id'), (s) => ({ ...studentView(s), enrolled_at: iso(s.enrolled_at) }));
    },
  });

  table.add({
    method: 'post', path: '/api/v1/classes/:id/students', access: 'instructor', tag: 'classes', scope: { class: { param: 'id' } },
    summary: 'Enroll a student: an existing one by student_id or email, or by Jupyter user name (user_id; created if new)',
    body: enrollBody, responses: { 201: 'enrolled', 404: 'no such class or student', 409: 'already enrolled', 422: 'invalid body' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const input = await validate(enrollBody, await readJson(ctx));
      let student: StudentRow | undefined;
      if (input.student_id) student = await db<StudentRow>('students').where({ id: input.student_id }).first();
      else if (input.user_id) student = await ensureStudent(db, input.user_id, { name: input.name, email: input.email?.toLowerCase() });
      else student = await db<StudentRow>('students').whereRaw('lower(email) = ?', [input.email!.toLowerCase()]).first();
      if (!student) throw errors.notFound('student');
      try {
        await db('class_enrollments').insert({ class_id: cls.id, student_id: student.id, enrolled_at: now() });
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpError(409, 'already_enrolled', 'the student is already in this class');
        throw err;
      }
      // Enrolling gives this class's teachers the student's activity: say who did it.
      log.info({ event: 'enrolled', classId: cls.id, studentId: student.id, by: authOf(ctx).instructor.id }, 'student enrolled');
      ctx.status = 201;
      ctx.body = { class_id: cls.id, student: studentView(student) };
    },
  });

  table.add({
    method: 'delete', path: '/api/v1/classes/:id/students/:studentId', access: 'instructor', tag: 'classes', summary: 'Remove a student from a class', scope: { class: { param: 'id' } },
    responses: { 200: 'removed', 404: 'no such class or enrollment' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const studentId = idParam(ctx, 'studentId', 'student');
      const removed = await db('class_enrollments').where({ class_id: cls.id, student_id: studentId }).delete();
      if (!removed) throw errors.notFound('enrollment');
      ctx.body = { class_id: cls.id, student_id: studentId, removed: true };
    },
  });
}
