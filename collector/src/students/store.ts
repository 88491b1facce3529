/**
 * The students table: one row per Jupyter user name, created on first sight. Names and emails a
 * class gives her live on her enrolment (classes/enrolments.ts), not here.
 */
import type { Knex } from 'knex';
import type { CellEvent } from '@cell-monitor/shared';
import { isPostgres } from '../db/createDb.ts';
import { timeMerges } from '../db/insertRecordset.ts';
import { iso } from '../db/rows.ts';
import { latestBy } from '../persist/eventRows.ts';
import { errors } from '../http/errors.ts';

export interface StudentRow {
  id: number;
  user_id: string;
  name: string | null;
  email: string | null;
  created_at: string | Date;
  last_seen_at: string | Date | null;
}

export const studentView = (row: StudentRow) => ({
  id: row.id,
  user_id: row.user_id,
  name: row.name,
  email: row.email,
  created_at: iso(row.created_at),
  last_seen_at: iso(row.last_seen_at),
});

/**
 * The student row for a Jupyter user name, created on first sight (as the event pipeline does). The
 * name and email given are stored only when the row is created: a class's names live on its
 * enrolment (classes/enrolments.ts), so no class can change what another class or an admin sees.
 */
export async function ensureStudent(db: Knex, userId: string, fields: { name?: string | null; email?: string | null } = {}): Promise<StudentRow> {
  await db('students')
    .insert({ user_id: userId, name: fields.name ?? null, email: fields.email ?? null, created_at: new Date().toISOString() })
    .onConflict('user_id')
    .ignore();
  return (await db<StudentRow>('students').where({ user_id: userId }).first())!;
}

export async function requireStudent(db: Knex, id: number): Promise<StudentRow> {
  const row = await db<StudentRow>('students').where({ id }).first();
  if (!row) throw errors.notFound('student');
  return row;
}

/**
 * The students of a batch's new events, created on first sight, their last-seen time the later of
 * the stored and their latest event's (whatever order batches arrive in): their row ids by user id.
 * The persister's `identify` (pipeline/projections.ts).
 */
export async function upsertSeenStudents(trx: Knex.Transaction, events: CellEvent[]): Promise<Map<string, number>> {
  const { later } = timeMerges(trx, isPostgres(trx));
  const rows = [...latestBy(events, (e) => e.userId, (e) => e.eventTime)].map(([user_id, t]) => ({ user_id, last_seen_at: t }));
  const students: { id: number; user_id: string }[] = await trx('students')
    .insert(rows)
    .onConflict('user_id')
    .merge({ last_seen_at: later('students', 'last_seen_at') })
    .returning(['id', 'user_id']);
  return new Map(students.map((s) => [s.user_id, s.id]));
}
