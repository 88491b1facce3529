/**
 * `/api/v1/students`: what instructors read about students — the list (of their classes' students;
 * admins all) and one student with their classes, activity counts and latest events. An instructor
 * sees a student as their classes know her: the enrolment's name and email (lms/enrolments.ts) and
 * only the events those classes show (lms/classBoundary.ts); an admin the global record and all.
 */
import type { Knex } from 'knex';
import type { Authenticated } from '../auth/tokens.ts';
import { authOf } from '../auth/accessGuards.ts';
import { page } from '../db/rows.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idParam, idQuery, pagination, sendPage } from '../http/request.ts';
import { isAdmin, taughtClassIds, taughtStudentIds } from '../classes/classAccess.ts';
import { withinClasses } from '../classes/classBoundary.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { classView, type ClassRow } from '../classes/store.ts';
import { eventView, type EventRow } from './eventView.ts';
import { requireStudent, studentView, type StudentRow } from '../students/store.ts';

/** For an instructor: the student as the earliest of her enrolments in the caller's classes knows her. */
async function asTaught(db: Knex, who: Authenticated, rows: StudentRow[]): Promise<StudentRow[]> {
  if (isAdmin(who) || rows.length === 0) return rows;
  const enrolments: Array<{ student_id: number; display_name: string | null; email: string | null; enrolled_at: string | Date }> = await db('class_enrollments')
    .whereIn('class_id', taughtClassIds(db, who.instructor.id))
    .whereIn('student_id', rows.map((r) => r.id))
    .orderBy([{ column: 'enrolled_at', order: 'desc' }, { column: 'class_id', order: 'desc' }])
    .select('student_id', 'display_name', 'email', 'enrolled_at');
  const known = new Map(enrolments.map((e) => [Number(e.student_id), e]));
  // Nothing global beyond the ids: when she was first or last seen would tell of activity outside
  // the caller's classes, so created_at is her enrolment in them and last_seen_at is left out.
  return rows.map((r) => {
    const e = known.get(r.id);
    return { ...r, name: e?.display_name ?? null, email: e?.email ?? null, created_at: e?.enrolled_at ?? r.created_at, last_seen_at: null };
  });
}

export function addStudentRecordRoutes(table: RouteTable, parts: RouteParts): void {
  const { db } = parts;

  table.add({
    method: 'get', path: '/api/v1/students', access: 'instructor', tag: 'students', summary: 'Students (skip, limit, class_id); instructors see the students of their classes, as their classes know them', scope: 'own_classes',
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
      const result = await page<StudentRow>(query, await pagination(ctx), 's.id');
      sendPage(ctx, { ...result, items: await asTaught(db, who, result.items) }, studentView);
    },
  });

  table.add({
    method: 'get', path: '/api/v1/students/:id', access: 'instructor', tag: 'students', scope: { student: { param: 'id' } },
    summary: "One student: classes, activity counts and the 50 latest events (an instructor's: those their classes show)",
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
      const events = () =>
        db('events as ev')
          .join('students as st', 'st.user_id', 'ev.user_id')
          .where('st.id', student.id)
          .modify((q) => (isAdmin(who) ? q : q.where(withinClasses(db, { instructorId: who.instructor.id }, { student: 'st.id', time: 'ev.event_time', notebookPath: 'ev.notebook_path' }))));
      const counts = (await events().select('ev.event_type').count({ n: '*' }).groupBy('ev.event_type')) as unknown as Array<{ event_type: string; n: number | string }>;
      const recent: EventRow[] = await events().select('ev.*').orderBy('ev.event_time', 'desc').orderBy('ev.id', 'desc').limit(50);
      const [shown] = await asTaught(db, who, [student]);
      ctx.body = {
        ...studentView(shown),
        classes: classes.map(classView),
        activity: Object.fromEntries(counts.map((c) => [c.event_type, Number(c.n)])),
        recent_events: recent.map(eventView),
      };
    },
  });
}
