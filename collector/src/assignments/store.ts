/**
 * Assignments (seed 000 "LMS機能API", seed 003 §1.2): rows, views, `requireAssignment` (the
 * `assignment_not_found` 404) and every query of `class_assignments`; their hand-ins are in
 * submissionStore.ts.
 */
import { fingerprintOf } from '../classes/enrolments.ts';
import { isPostgres } from '../db/createDb.ts';
import type { Knex } from 'knex';
import { insertedId, iso, now } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import { taughtClassIds } from '../classes/classAccess.ts';
import { enrolledClassIds, joinClasses } from '../classes/classReads.ts';

/** How large a hand-in may be and how many are kept per student and assignment (config). */
export interface SubmissionLimits {
  /** Largest notebook a submission may carry (the companion's limit). */
  submissionMaxBytes: number;
  /** Submissions kept per student and assignment. */
  submissionsKept: number;
}

export interface AssignmentRow {
  id: number;
  class_id: number;
  notebook_path: string;
  title: string;
  description: string | null;
  due_date: string | Date | null;
  created_at: string | Date;
  updated_at: string | Date;
}

export const assignmentView = (row: AssignmentRow) => ({
  id: row.id,
  class_id: row.class_id,
  notebook_path: row.notebook_path,
  title: row.title,
  description: row.description,
  due_date: iso(row.due_date),
  created_at: iso(row.created_at),
  updated_at: iso(row.updated_at),
});

export async function requireAssignment(db: Knex, id: number): Promise<AssignmentRow> {
  const row = await db<AssignmentRow>('class_assignments').where({ id }).first();
  if (!row) throw errors.notFound('assignment');
  return row;
}

export type AssignmentFields = Pick<AssignmentRow, 'class_id' | 'notebook_path' | 'title' | 'description' | 'due_date'>;

/** A new assignment: its id. */
export async function createAssignment(db: Knex, fields: AssignmentFields): Promise<number> {
  const [row] = await db('class_assignments')
    .insert({ ...fields, created_at: now(), updated_at: now() })
    .returning('id');
  return insertedId(row);
}

/** The assignments, of one class and of the classes an instructor teaches when given: a query to page by `id`. */
export function assignmentsQuery(db: Knex, filter: { classId?: number; taughtBy?: number }): Knex.QueryBuilder {
  return db('class_assignments').modify((q) => {
    if (filter.classId) q.where({ class_id: filter.classId });
    if (filter.taughtBy !== undefined) q.whereIn('class_id', taughtClassIds(db, filter.taughtBy));
  });
}

export async function updateAssignment(db: Knex, id: number, changes: Partial<AssignmentFields>): Promise<void> {
  await db('class_assignments').where({ id }).update({ ...changes, updated_at: now() });
}

/** Deletes an assignment; its submissions go with it (ON DELETE CASCADE). */
export async function deleteAssignment(db: Knex, id: number): Promise<void> {
  await db('class_assignments').where({ id }).delete();
}

/** An assignment's class and notebook, or undefined when it does not exist. */
export async function assignmentNotebook(db: Knex, id: number): Promise<{ class_id: number | string; notebook_path: string } | undefined> {
  return db('class_assignments').where({ id }).first('class_id', 'notebook_path');
}

/** The class of an assignment, as a subquery (`classes/classReads.ts` isEnrolled takes it). */
export function classOfAssignment(db: Knex, id: number): Knex.QueryBuilder {
  return db('class_assignments').select('class_id').where({ id });
}

/** The assignments of the classes a student is in, with each class's name, by due date. */
export function assignmentsOfStudent(db: Knex, studentId: number): Promise<Array<AssignmentRow & { class_name: string }>> {
  return db('class_assignments as a')
    .whereIn('a.class_id', enrolledClassIds(db, studentId))
    .modify(joinClasses, 'c', 'a.class_id')
    .select('a.*', 'c.name as class_name')
    .orderBy([{ column: 'a.due_date', order: 'asc' }, { column: 'a.id', order: 'asc' }]);
}

/** The class of an assignment (the scope guard's resolver; undefined: no such assignment). */
export async function classIdOfAssignment(db: Knex, id: number): Promise<number | undefined> {
  return (await classOfAssignment(db, id).first())?.class_id;
}

/** Changes whenever an assignment is added, removed or changed (the live board re-reads the boundary then). */
export async function assignmentsFingerprint(db: Knex): Promise<string> {
  const result = await db.raw('SELECT COUNT(*) AS an, MAX(id) AS am, MAX(updated_at) AS au, SUM(class_id + LENGTH(notebook_path)) AS al FROM class_assignments');
  return fingerprintOf((isPostgres(db) ? result.rows : result)[0]);
}
