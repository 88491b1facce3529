/**
 * The classes table (seed 000 "LMS機能API"): its row, the view every class route answers with,
 * `requireClass` (the `class_not_found` 404), its writes and its dashboard settings. A class_code
 * already taken fails the write with a unique violation, for the route to answer.
 */
import type { Knex } from 'knex';
import { writeTransaction } from '../db/createDb.ts';
import { insertedId, iso, now, page } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import { taughtClassIds } from './classAccess.ts';
import { addTeacher } from './teachers.ts';

export interface ClassRow {
  id: number;
  name: string;
  class_code: string;
  description: string | null;
  /** The demo class (collector/src/demo/): simulated students, marked on every dashboard screen. */
  demo?: boolean | number;
  created_at: string | Date;
  updated_at: string | Date;
}

export const classView = (row: ClassRow) => ({
  id: row.id,
  name: row.name,
  class_code: row.class_code,
  description: row.description,
  demo: Boolean(row.demo),
  created_at: iso(row.created_at),
  updated_at: iso(row.updated_at),
});

export async function requireClass(db: Knex, id: number): Promise<ClassRow> {
  const row = await db<ClassRow>('classes').where({ id }).first();
  if (!row) throw errors.notFound('class');
  return row;
}

type ClassFields = Pick<ClassRow, 'name' | 'class_code' | 'description'>;

/** A new class and its creator as its owner, in one transaction: the new id. */
export async function createClass(db: Knex, fields: ClassFields, ownerId: number): Promise<number> {
  return writeTransaction(db, async (trx) => {
    const [row] = await trx('classes').insert({ ...fields, created_at: now(), updated_at: now() }).returning('id');
    const classId = insertedId(row);
    await addTeacher(trx, classId, ownerId, 'owner');
    return classId;
  });
}

/** A page of classes, ordered by id: every class, or those an instructor teaches. */
export async function listClasses(db: Knex, of: { instructorId: number } | 'all', options: { skip: number; limit: number }): Promise<{ items: ClassRow[]; total: number }> {
  const query = db('classes').modify((q) => (of === 'all' ? q : q.whereIn('id', taughtClassIds(db, of.instructorId))));
  return page<ClassRow>(query, options, 'id');
}

export async function updateClass(db: Knex, id: number, changes: Partial<ClassFields>): Promise<void> {
  await db('classes').where({ id }).update({ ...changes, updated_at: now() });
}

/** Deletes a class; its enrolments, teachers, assignments and submissions go with it (ON DELETE CASCADE). */
export async function deleteClass(db: Knex, id: number): Promise<void> {
  await db('classes').where({ id }).delete();
}

/** Marks `id` the demo class and dates its enrolments back to `enrolledAt` (its simulated work may be older than the seeding). */
export async function markDemoClass(db: Knex, id: number, enrolledAt: Date): Promise<void> {
  await db('classes').where({ id }).update({ demo: true, updated_at: now() });
  await db('class_enrollments').where({ class_id: id }).update({ enrolled_at: enrolledAt.toISOString() });
}

/** The demo classes (normally one), by id. */
export async function demoClassIds(db: Knex): Promise<number[]> {
  return (await db('classes').where({ demo: true }).orderBy('id').select('id')).map((row: { id: number }) => Number(row.id));
}

export interface ClassSettingsRow {
  stuck_errors: number | string;
  retention_days: number | string | null;
}

export async function classSettings(db: Knex, id: number): Promise<ClassSettingsRow> {
  return db('classes').where({ id }).first('stuck_errors', 'retention_days');
}

/** Changes the settings given (each optional; retention_days null = the collector's default). */
export async function changeClassSettings(db: Knex, id: number, changes: { stuckErrors?: number; retentionDays?: number | null }): Promise<void> {
  await db('classes')
    .where({ id })
    .update({ ...(changes.stuckErrors === undefined ? {} : { stuck_errors: changes.stuckErrors }), ...(changes.retentionDays === undefined ? {} : { retention_days: changes.retentionDays }), updated_at: now() });
}
