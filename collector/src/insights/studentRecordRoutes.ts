/**
 * `/api/v1/students`: what instructors read about students — the list (of their classes' students;
 * admins all) and one student with their classes, activity counts and latest events. An instructor
 * sees a student as their classes know her: the enrolment's name and email (classes/enrolments.ts) and
 * only the events those classes show (classes/classBoundary.ts); an admin the global record and all.
 */
import type { Knex } from 'knex';
import type { Authenticated } from '../auth/tokens.ts';
import { authOf } from '../auth/accessGuards.ts';
import { page } from '../db/rows.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idParam, idQuery, pagination, sendPage } from '../http/request.ts';
import { isAdmin, taughtStudentIds } from '../classes/classAccess.ts';
import { classesOfStudent, classStudentIds, taughtEnrolments } from '../classes/classReads.ts';
import { userRowsIn } from '../classes/rowScopes.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { classView } from '../classes/store.ts';
import { eventCountsByType, latestEvents } from '../persist/eventReads.ts';
import { eventView, type EventRow } from './eventView.ts';
import { requireStudent, studentView, type StudentRow } from '../students/store.ts';
import { studentsAmong } from '../students/studentQueries.ts';

/** For an instructor: the student as the earliest of her enrolments in the caller's classes knows her. */
async function asTaught(db: Knex, who: Authenticated, rows: StudentRow[]): Promise<StudentRow[]> {
  if (isAdmin(who) || rows.length === 0) return rows;
  const enrolments = await taughtEnrolments(db, who.instructor.id, rows.map((r) => r.id));
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
      const query = studentsAmong(db, [...(classId ? [classStudentIds(db, classId)] : []), ...(isAdmin(who) ? [] : [taughtStudentIds(db, who.instructor.id)])]);
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
      const classes = await classesOfStudent(db, student.id, isAdmin(who) ? undefined : who.instructor.id);
      const scope = userRowsIn(db, isAdmin(who) ? null : { instructorId: who.instructor.id });
      const counts = await eventCountsByType(db, student.user_id, scope);
      const recent = await latestEvents<EventRow>(db, student.user_id, 50, scope);
      const [shown] = await asTaught(db, who, [student]);
      ctx.body = {
        ...studentView(shown),
        classes: classes.map(classView),
        activity: Object.fromEntries(counts),
        recent_events: recent.map(eventView),
      };
    },
  });
}
