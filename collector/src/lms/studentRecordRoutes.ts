/**
 * `/api/v1/students`: what instructors read about students — the list (of their classes' students;
 * admins all) and one student with their classes, activity counts and latest events.
 */
import { authOf } from '../auth/accessGuards.ts';
import { page } from '../db/rows.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idParam, idQuery, pagination, sendPage } from '../http/request.ts';
import { isAdmin, taughtClassIds, taughtStudentIds } from './classAccess.ts';
import type { LmsParts } from './lmsRoutes.ts';
import { classView, eventView, requireStudent, studentView, type ClassRow, type EventRow, type StudentRow } from './store.ts';

export function addStudentRecordRoutes(table: RouteTable, parts: LmsParts): void {
  const { db } = parts;

  table.add({
    method: 'get', path: '/api/v1/students', access: 'instructor', tag: 'students', summary: 'Students (skip, limit, class_id); instructors see the students of their classes', scope: 'own_classes',
    responses: { 200: 'a page of students', 422: 'bad query' },
    handler: async (ctx) => {
      const classId = idQuery(ctx, 'class_id');
      const who = authOf(ctx);
      const query = db('students as s')
        .select('s.*')
        .modify((q) => {
          if (classId) q.join('class_enrollments as e', 'e.student_id', 's.id').where('e.class_id', classId);
          if (!isAdmin(who)) q.whereIn('s.id', taughtStudentIds(db, who.instructor.id));
        });
      sendPage(ctx, await page<StudentRow>(query, await pagination(ctx), 's.id'), studentView);
    },
  });

  table.add({
    method: 'get', path: '/api/v1/students/:id', access: 'instructor', tag: 'students', scope: { student: { param: 'id' } },
    summary: 'One student: classes, activity counts and the 50 latest events',
    responses: { 200: 'the student', 404: 'no such student' },
    handler: async (ctx) => {
      const student = await requireStudent(db, idParam(ctx, 'id', 'student'));
      const who = authOf(ctx);
      const classes: ClassRow[] = await db('classes as c')
        .join('class_enrollments as e', 'e.class_id', 'c.id')
        .where('e.student_id', student.id)
        .modify((q) => (isAdmin(who) ? q : q.whereIn('c.id', taughtClassIds(db, who.instructor.id))))
        .select('c.*')
        .orderBy('c.id');
      const counts = (await db('events').where({ user_id: student.user_id }).select('event_type').count({ n: '*' }).groupBy('event_type')) as unknown as Array<{ event_type: string; n: number | string }>;
      const recent: EventRow[] = await db('events').where({ user_id: student.user_id }).orderBy('event_time', 'desc').orderBy('id', 'desc').limit(50);
      ctx.body = {
        ...studentView(student),
        classes: classes.map(classView),
        activity: Object.fromEntries(counts.map((c) => [c.event_type, Number(c.n)])),
        recent_events: recent.map(eventView),
      };
    },
  });
}
