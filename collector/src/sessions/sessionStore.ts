/**
 * The rows sessions keeps (tables.ts): a class's timetable (one row, slots as JSON) and the meetings
 * chosen by hand. Both are class configuration; the routes validate before they write.
 */
import type { Knex } from 'knex';
import type { ClassSchedule, ScheduleSlot } from '@cell-monitor/shared';
import { insertedId, iso, json, now } from '../db/rows.ts';
import type { SessionWindow } from './sessionWindows.ts';

export async function readSchedule(db: Knex, classId: number): Promise<ClassSchedule | null> {
  const row: { timezone: string; slots: unknown } | undefined = await db('class_schedules').where({ class_id: classId }).first('timezone', 'slots');
  return row ? { classId, timezone: row.timezone, slots: json(row.slots) as ScheduleSlot[] } : null;
}

/** Replaces the class's timetable (slots sorted by weekday, then start). */
export async function writeSchedule(db: Knex, classId: number, schedule: { timezone: string; slots: ScheduleSlot[] }, by: number): Promise<ClassSchedule> {
  const slots = [...schedule.slots].sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start) || a.minutes - b.minutes);
  const row = { class_id: classId, timezone: schedule.timezone, slots: JSON.stringify(slots), updated_at: now(), updated_by: by };
  await db('class_schedules').insert(row).onConflict('class_id').merge(['timezone', 'slots', 'updated_at', 'updated_by']);
  return { classId, timezone: schedule.timezone, slots };
}

export interface ManualSession {
  id: number;
  start: string;
  end: string;
  title: string | null;
}

export async function addManualSession(db: Knex, classId: number, session: { start: string; end: string; title: string | null }, by: number): Promise<ManualSession> {
  const [row] = await db('class_sessions')
    .insert({ class_id: classId, start_at: session.start, end_at: session.end, title: session.title, created_by: by, created_at: now() })
    .returning('id');
  return { id: insertedId(row), ...session };
}

/** Deletes one of the class's manual meetings; false when the class has no such one. */
export async function deleteManualSession(db: Knex, classId: number, id: number): Promise<boolean> {
  return (await db('class_sessions').where({ class_id: classId, id }).delete()) > 0;
}

/** The class's manual meetings that start in [from, to). */
export async function manualWindows(db: Knex, classId: number, from: number, to: number): Promise<SessionWindow[]> {
  const rows: Array<{ id: number; start_at: string | Date; end_at: string | Date; title: string | null }> = await db('class_sessions')
    .where({ class_id: classId })
    .where('start_at', '>=', new Date(from).toISOString())
    .where('start_at', '<', new Date(to).toISOString())
    .select('id', 'start_at', 'end_at', 'title');
  return rows.map((r) => ({ start: Date.parse(iso(r.start_at)!), end: Date.parse(iso(r.end_at)!), source: 'manual' as const, title: r.title, manualId: Number(r.id) }));
}
