/**
 * `/api/v1/events`: the stored events by student, notebook, type and time range, newest first; an
 * instructor sees those their classes show (classes/classBoundary.ts: since each student's enrolment,
 * never another class's assignment notebooks), an admin all. A page carries the event columns only;
 * `include=payload` adds each event as sent when it is at most EVENT_PAYLOAD_BYTES (else
 * `payload_truncated` and its size): a student's 1 MB cells cannot make a page costly to read.
 */
import * as yup from 'yup';
import { authOf } from '../auth/accessGuards.ts';
import { json, page } from '../db/rows.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { isoDateTime, pagination, sendPage, validate } from '../http/request.ts';
import { isAdmin } from '../classes/classAccess.ts';
import { userRowsIn } from '../classes/rowScopes.ts';
import { listEvents } from '../persist/eventReads.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { eventColumnsView, type EventRow } from './eventView.ts';

/** The largest payload (JSON, in bytes) a page of events carries whole with include=payload. */
export const EVENT_PAYLOAD_BYTES = 16 * 1024;

const eventQuery = yup.object({
  user_id: yup.string().max(255).optional(),
  notebook_path: yup.string().max(1024).optional(),
  event_type: yup.string().max(64).optional(),
  from: isoDateTime().optional(),
  to: isoDateTime().optional(),
  include: yup.string().oneOf(['payload'], 'include must be payload').optional(),
  skip: yup.mixed().optional(),
  limit: yup.mixed().optional(),
});

/** A row of the events list: the stored event's columns, its payload only when asked for. */
interface ListedEvent extends Omit<EventRow, 'payload'> {
  payload?: unknown;
  payload_bytes?: number | string;
}

function listedView(row: ListedEvent, withPayload: boolean) {
  const base = eventColumnsView(row);
  if (!withPayload) return base;
  const bytes = Number(row.payload_bytes);
  if (row.payload === null || row.payload === undefined) return { ...base, event: null, payload_truncated: true, payload_bytes: bytes };
  return { ...base, event: json(row.payload), payload_bytes: bytes };
}

export function addEventRoutes(table: RouteTable, parts: RouteParts): void {
  const { db } = parts;

  table.add({
    method: 'get', path: '/api/v1/events', access: 'instructor', tag: 'events', scope: 'own_classes',
    summary: `Stored events by user_id, notebook_path, event_type and time range (from ≤ event_time < to), newest first (skip, limit), without payloads; include=payload adds each payload of at most ${EVENT_PAYLOAD_BYTES} bytes. Instructors see what their classes show of their students (from enrolment on, not other classes' assignments)`,
    responses: { 200: 'a page of events', 422: 'bad query' },
    handler: async (ctx) => {
      const q = await validate(eventQuery, { ...ctx.query });
      const who = authOf(ctx);
      const withPayload = q.include === 'payload';
      const filter = { userId: q.user_id, notebookPath: q.notebook_path, eventType: q.event_type, from: q.from ? new Date(q.from).toISOString() : undefined, to: q.to ? new Date(q.to).toISOString() : undefined };
      const query = listEvents(db, filter, { scope: userRowsIn(db, isAdmin(who) ? null : { instructorId: who.instructor.id }), payloadUpTo: withPayload ? EVENT_PAYLOAD_BYTES : undefined });
      const order = [{ column: 'ev.event_time', order: 'desc' as const }, { column: 'ev.id', order: 'desc' as const }];
      sendPage(ctx, await page<ListedEvent>(query, await pagination(ctx), order), (row) => listedView(row, withPayload));
    },
  });
}
