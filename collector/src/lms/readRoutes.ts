/**
 * What instructors read about students: the student list, one student with their classes and
 * recent activity, and the stored events by student / notebook / type / time range. Instructor
 * token required; nothing here is reachable otherwise.
 */
import type { Knex } from 'knex';
import * as yup from 'yup';
import { HttpError } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idParam, idQuery, pagination, validate } from '../http/request.ts';
import { authOf } from '../auth/accessGuards.ts';
import { isAdmin, taughtClassIds, taughtStudentIds, taughtUserIds } from './classAccess.ts';
import { iso } from '../instructors/store.ts';
import { classView, json, page, studentView, type ClassRow, type StudentRow } from './store.ts';

const eventQuery = yup.object({
  user_id: yup.string().max(255).optional(),
  notebook_path: yup.string().max(1024).optional(),
  event_type: yup.string().max(64).optional(),
  from: yup.string().test('date', 'from must be an ISO 8601 date-time', (v) => v === undefined || !Number.isNaN(Date.parse(v))).optional(),
  to: yup.string().test('date', 'to must be an ISO 8601 date-time', (v) => v === undefined || !Number.isNaN(Date.parse(v))).optional(),
  skip: yup.mixed().optional(),
  limit: yup.mixed().optional(),
});

interface EventRow {
  id: number | string;
  event_id: string;
  event_type: string;
  event_time: string | Date;
  user_id: string;
  session_id: string | null;
  notebook_path: string | null;
  cell_id: string | null;
  payload: unknown;
}

const eventView = (row: EventRow) => ({
  id: Number(row.id),
  event_id: row.event_id,
  event_type: row.event_type,
  event_time: iso(row.event_time),
  user_id: row.user_id,
  session_id: row.session_id,
  notebook_path: row.notebook_path,
  cell_id: row.cell_id,
  event: json(row.payload),
});

export function addReadRoutes(table: RouteTable, parts: { db: Knex }): void {
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
      const { items, total } = await page<StudentRow>(query, await pagination(ctx), 's.id');
      ctx.set('X-Total-Count', String(total));
      ctx.body = items.map(studentView);
    },
  });

  table.add({
    method: 'get', path: '/api/v1/students/:id', access: 'instructor', tag: 'students', scope: { student: { param: 'id' } },
    summary: 'One student: classes, activity counts and the 50 latest events',
    responses: { 200: 'the student', 404: 'no such student' },
    handler: async (ctx) => {
      const student = await db<StudentRow>('students').where({ id: idParam(ctx, 'id', 'student') }).first();
      if (!student) throw new HttpError(404, 'student_not_found', 'no such student');
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

  table.add({
    method: 'get', path: '/api/v1/events', access: 'instructor', tag: 'events', scope: 'own_classes',
    summary: 'Stored events by user_id, notebook_path, event_type and time range (from ≤ event_time < to), newest first (skip, limit); instructors see their classes\' students',
    responses: { 200: 'a page of events', 422: 'bad query' },
    handler: async (ctx) => {
      const q = await validate(eventQuery, { ...ctx.query });
      const who = authOf(ctx);
      const query = db('events').modify((b) => {
        if (!isAdmin(who)) b.whereIn('user_id', taughtUserIds(db, who.instructor.id));
        if (q.user_id) b.where({ user_id: q.user_id });
        if (q.notebook_path) b.where({ notebook_path: q.notebook_path });
        if (q.event_type) b.where({ event_type: q.event_type });
        if (q.from) b.where('event_time', '>=', new Date(q.from).toISOString());
        if (q.to) b.where('event_time', '<', new Date(q.to).toISOString());
      });
      const paging = await pagination(ctx);
      const [{ n }] = await query.clone().count({ n: '*' });
      const rows: EventRow[] = await query.clone().orderBy('event_time', 'desc').orderBy('id', 'desc').offset(paging.skip).limit(paging.limit);
      ctx.set('X-Total-Count', String(Number(n)));
      ctx.body = rows.map(eventView);
    },
  });
}
