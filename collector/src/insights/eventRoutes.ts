/**
 * `/api/v1/events`: the stored events by student, notebook, type and time range, newest first; an
 * instructor sees those their classes show (lms/classBoundary.ts: since each student's enrolment,
 * never another class's assignment notebooks), an admin all. A page carries the event columns only;
 * `include=payload` adds each event as sent when it is at most EVENT_PAYLOAD_BYTES (else
 * `payload_truncated` and its size): a student's 1 MB cells cannot make a page costly to read.
 */
import type { Knex } from 'knex';
import * as yup from 'yup';
import { authOf } from '../auth/accessGuards.ts';
import { isPostgres } from '../db/createDb.ts';
import { iso, json, page } from '../db/rows.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { isoDateTime, pagination, sendPage, validate } from '../http/request.ts';
import { isAdmin } from '../classes/classAccess.ts';
import { withinClasses } from '../classes/classBoundary.ts';
import type { RouteParts } from '../http/routeParts.ts';
import type { EventRow } from './eventView.ts';

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
  const base = {
    id: Number(row.id),
    event_id: row.event_id,
    event_type: row.event_type,
    event_time: iso(row.event_time),
    user_id: row.user_id,
    session_id: row.session_id,
    notebook_path: row.notebook_path,
    cell_id: row.cell_id,
  };
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
      const query = db('events as ev').modify((b) => {
        if (!isAdmin(who)) {
          b.join('students as s', 's.user_id', 'ev.user_id').where(withinClasses(db, { instructorId: who.instructor.id }, { student: 's.id', time: 'ev.event_time', notebookPath: 'ev.notebook_path' }));
        }
        if (q.user_id) b.where('ev.user_id', q.user_id);
        if (q.notebook_path) b.where('ev.notebook_path', q.notebook_path);
        if (q.event_type) b.where('ev.event_type', q.event_type);
        if (q.from) b.where('ev.event_time', '>=', new Date(q.from).toISOString());
        if (q.to) b.where('ev.event_time', '<', new Date(q.to).toISOString());
        b.select('ev.id', 'ev.event_id', 'ev.event_type', 'ev.event_time', 'ev.user_id', 'ev.session_id', 'ev.notebook_path', 'ev.cell_id');
        if (withPayload) b.select(...payloadColumns(db));
      });
      const order = [{ column: 'ev.event_time', order: 'desc' as const }, { column: 'ev.id', order: 'desc' as const }];
      sendPage(ctx, await page<ListedEvent>(query, await pagination(ctx), order), (row) => listedView(row, withPayload));
    },
  });
}

/** The payload when it is small enough, and its size in bytes, measured in the database. */
function payloadColumns(db: Knex): Knex.Raw[] {
  const bytes = isPostgres(db) ? 'octet_length(ev.payload::text)' : 'length(CAST(ev.payload AS BLOB))';
  return [db.raw(`CASE WHEN ${bytes} <= ${EVENT_PAYLOAD_BYTES} THEN ev.payload END AS payload`), db.raw(`${bytes} AS payload_bytes`)];
}
