/**
 * The students table: one row per Jupyter user name, created on first sight. Names and emails a
 * class gives her live on her enrolment (classes/enrolments.ts), not here.
 */
import type { Knex } from 'knex';
import type { CellEvent } from '@cell-monitor/shared';
import { isPostgres } from '../db/createDb.ts';
import { timeMerges, upsertRecordset } from '../db/insertRecordset.ts';
import { insertedId, iso } from '../db/rows.ts';
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
  const pg = isPostgres(trx);
  const { later } = timeMerges(trx, pg);
  const rows = [...latestBy(events, (e) => e.userId, (e) => e.eventTime)].map(([user_id, t]) => ({ user_id, last_seen_at: t }));
  const students: { id: number; user_id: string }[] = pg
    ? await upsertRecordset(trx, 'students', { user_id: 'text', last_seen_at: 'timestamptz' }, rows, {
      conflict: ['user_id'],
      merge: { last_seen_at: 'GREATEST(students.last_seen_at, excluded.last_seen_at)' },
      returning: ['id', 'user_id'],
    })
    : await trx('students').insert(rows).onConflict('user_id').merge({ last_seen_at: later('students', 'last_seen_at') }).returning(['id', 'user_id']);
  return new Map(students.map((s) => [s.user_id, s.id]));
}

/*
 * What other owners read of a student: her row id, her user name, her global name. The students
 * table is named here only; a query over rows keyed by student id that answers with user names
 * joins it through `joinStudents` (one SQL join, no extra round trip).
 */

/** Joins the students table as `alias` on `alias.id = studentIdColumn`: `query.modify(joinStudents, 's', 'e.student_id')`. */
export function joinStudents(query: Knex.QueryBuilder, alias: string, studentIdColumn: string): Knex.QueryBuilder {
  return query.join(`students as ${alias}`, `${alias}.id`, studentIdColumn);
}

/** The user names of the students a subquery of ids gives, as a subquery. */
export function userIdsOfStudents(db: Knex, studentIds: Knex.QueryBuilder): Knex.QueryBuilder {
  return db('students').select('user_id').whereIn('id', studentIds);
}

/** The row id of a Jupyter user name, or undefined when she was never seen. */
export async function studentIdOf(db: Knex, userId: string): Promise<number | undefined> {
  const row = await db('students').where({ user_id: userId }).first('id');
  return row?.id;
}

export async function studentExists(db: Knex, id: number): Promise<boolean> {
  return (await db('students').where({ id }).first('id')) !== undefined;
}

/** Row ids by user name of those of `userIds` that exist (read 500 names a query). */
export async function studentIdsOf(db: Knex, userIds: string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let i = 0; i < userIds.length; i += 500) {
    const rows: Array<{ id: number; user_id: string }> = await db('students').whereIn('user_id', userIds.slice(i, i + 500)).select('id', 'user_id');
    for (const r of rows) ids.set(r.user_id, r.id);
  }
  return ids;
}

/** A new student row (the caller knows she is new, e.g. inside its roster transaction): its id. */
export async function insertStudent(db: Knex | Knex.Transaction, fields: { userId: string; name: string | null; email: string | null; createdAt: string }): Promise<number> {
  const [row] = await db('students').insert({ user_id: fields.userId, name: fields.name, email: fields.email, created_at: fields.createdAt }).returning('id');
  return insertedId(row);
}

/** A student by row id or by global email (case-insensitive; the lowest id first), with her global name and email. */
export async function findStudent(db: Knex, by: { id: number } | { email: string }): Promise<Pick<StudentRow, 'id' | 'name' | 'email'> | undefined> {
  return 'id' in by
    ? db('students').where({ id: by.id }).first('id', 'name', 'email')
    : db('students').whereRaw('lower(email) = ?', [by.email.toLowerCase()]).orderBy('id').first('id', 'name', 'email');
}

/** The global names (user name → name) of every student who has one: what an admin sees. */
export async function globalNames(db: Knex): Promise<Map<string, string>> {
  const rows: Array<{ user_id: string; name: string }> = await db('students').whereNotNull('name').select('user_id', 'name');
  return new Map(rows.map((r) => [r.user_id, r.name]));
}
