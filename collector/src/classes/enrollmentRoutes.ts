/**
 * `/api/v1/classes/:id/students`: who is enrolled in a class. Enrolling gives the class's teachers
 * that student's activity in the class (from the enrolment on, classBoundary.ts), so every
 * enrolment and removal is logged with who made it. What a class shows of a student is its own
 * enrolment (name, email, team, student number: enrolments.ts), never another class's.
 *
 * Enrolling by Jupyter user name always works (the student is created if new) and answers alike
 * whether she existed; by student id or email an instructor reaches only a student already in a
 * class they teach — anyone else is `student_not_found`, exactly as an unknown one, so the route
 * tells nobody who exists or whose email is whose. Admins may enrol anyone by any key.
 */
import * as yup from 'yup';
import { normaliseUserId, userIdProblem } from '@cell-monitor/shared';
import { authOf } from '../auth/accessGuards.ts';
import { isUniqueViolation } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idNumber, idParam, pagination, readJson, sendPage, trimmedString, validate } from '../http/request.ts';
import { enrol, enrolmentOf, enrolmentsPage, enrolmentView, knownStudent, unenrol } from './enrolments.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { requireClass } from './store.ts';
import { ensureStudent } from '../students/store.ts';

const enrollBody = yup
  .object({
    student_id: idNumber().optional(),
    // One reading of user names everywhere (shared/userId.ts): "ｈａｎａ " with a BOM is the student the companion stamps.
    user_id: yup
      .string()
      .transform((v: unknown) => (typeof v === 'string' ? normaliseUserId(v) : v))
      .test('user_id', 'user_id must be 1-255 characters, none of them invisible, control or text-direction characters', (v) => v === undefined || userIdProblem(v) === undefined)
      .optional(),
    email: trimmedString().email('email must be an email address').max(255).optional(),
    name: trimmedString().max(100).optional(),
  })
  .test('who', 'give one of student_id, user_id or email', (v) => Boolean(v && (v.student_id || v.user_id || v.email)));

export function addEnrollmentRoutes(table: RouteTable, parts: RouteParts): void {
  const { db, log } = parts;

  table.add({
    method: 'get', path: '/api/v1/classes/:id/students', access: 'instructor', tag: 'classes', summary: "Students enrolled in a class, as the class knows them: its own name, email, team and student number for each (skip, limit)", scope: { class: { param: 'id' } },
    responses: { 200: 'a page of students', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      sendPage(ctx, await enrolmentsPage(db, cls.id, await pagination(ctx)), enrolmentView);
    },
  });

  table.add({
    method: 'post', path: '/api/v1/classes/:id/students', access: 'instructor', tag: 'classes', scope: { class: { param: 'id' } },
    summary: "Enroll a student by Jupyter user name (user_id; created if new), or one already in a class you teach by student_id or email; name and email are this class's",
    body: enrollBody, responses: { 201: 'enrolled', 404: 'no such class, or no such student among your classes', 409: 'already enrolled', 422: 'invalid body' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const input = await validate(enrollBody, await readJson(ctx));
      const who = authOf(ctx);
      const email = input.email?.toLowerCase();
      let student: { id: number; display_name: string | null; email: string | null } | undefined;
      if (input.user_id) {
        const row = await ensureStudent(db, input.user_id, { name: input.name, email });
        student = { id: row.id, display_name: null, email: null };
      } else {
        student = await knownStudent(db, who, input.student_id ? { studentId: input.student_id } : { email: email! });
      }
      if (!student) throw errors.notFound('student');
      try {
        await enrol(db, { classId: cls.id, studentId: student.id, displayName: input.name ?? student.display_name, email: email ?? student.email });
      } catch (err) {
        if (isUniqueViolation(err)) throw errors.conflict('already_enrolled', 'the student is already in this class');
        throw err;
      }
      // Enrolling gives this class's teachers the student's activity: say who did it.
      log.info({ event: 'enrolled', classId: cls.id, studentId: student.id, by: who.instructor.id, via: input.user_id ? 'user_id' : input.student_id ? 'student_id' : 'email' }, 'student enrolled');
      const row = await enrolmentOf(db, cls.id, student.id);
      ctx.status = 201;
      ctx.body = { class_id: cls.id, student: enrolmentView(row!) };
    },
  });

  table.add({
    method: 'delete', path: '/api/v1/classes/:id/students/:studentId', access: 'instructor', tag: 'classes', summary: 'Remove a student from a class', scope: { class: { param: 'id' } },
    responses: { 200: 'removed', 404: 'no such class or enrollment' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const studentId = idParam(ctx, 'studentId', 'student');
      if (!(await unenrol(db, cls.id, studentId))) throw errors.notFound('enrollment');
      log.info({ event: 'unenrolled', classId: cls.id, studentId, by: authOf(ctx).instructor.id }, 'student removed from class');
      ctx.body = { class_id: cls.id, student_id: studentId, removed: true };
    },
  });
}
