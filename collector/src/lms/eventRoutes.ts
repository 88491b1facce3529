/**
 * `/api/v1/events`: the stored events by student, notebook, type and time range, newest first; an
 * instructor sees those of their classes' students, an admin all.
 */
import * as yup from 'yup';
import { authOf } from '../auth/accessGuards.ts';
import { page } from '../db/rows.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { isoDateTime, pagination, sendPage, validate } from '../http/request.ts';
import { isAdmin, taughtUserIds } from './classAccess.ts';
import type { LmsParts } from './lmsRoutes.ts';
import { eventView, type EventRow } from './store.ts';

const eventQuery = yup.object({
  user_id: yup.string().max(255).optional(),
  notebook_path: yup.string().max(1024).optional(),
  event_type: yup.string().max(64).optional(),
  from: isoDateTime().optional(),
  to: isoDateTime().optional(),
  skip: yup.mixed().optional(),
  limit: yup.mixed().optional(),
});

export function addEventRoutes(table: RouteTable, parts: LmsParts): void {
  const { db } = parts;

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
      const order = [{ column: 'event_time', order: 'desc' as const }, { column: 'id', order: 'desc' as const }];
      sendPage(ctx, await page<EventRow>(query, await pagination(ctx), order), eventView);
    },
  });
}
