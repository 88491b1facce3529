/** A stored event as instructors read it (`GET /api/v1/events`, a student's record). */
import { iso, json } from '../db/rows.ts';

/** A stored event as the events table holds it (`payload` is the whole event, as sent). */
export interface EventRow {
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

/** The stored event's columns, as every answer names them. */
export const eventColumnsView = (row: Omit<EventRow, 'payload'>) => ({
  id: Number(row.id),
  event_id: row.event_id,
  event_type: row.event_type,
  event_time: iso(row.event_time),
  user_id: row.user_id,
  session_id: row.session_id,
  notebook_path: row.notebook_path,
  cell_id: row.cell_id,
});

export const eventView = (row: EventRow) => ({ ...eventColumnsView(row), event: json(row.payload) });
