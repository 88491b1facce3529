/**
 * The class boundary (classBoundary.ts) as the SQL the retention sweep needs
 * (privacy/retentionPolicy.ts): which class's retention applies to a student's row — the class
 * that owns its notebook for her (the first claimer), else her home class (her earliest enrolment),
 * else none — and each class's own retention setting. `student` and `path` are SQL expressions over
 * the row being swept (its student id, its notebook path); each condition answers `[sql, bindings]`.
 */
import type { Knex } from 'knex';

const placeholders = (ids: readonly number[]) => ids.map(() => '?').join(', ');

/** Every class's `retention_days` (NULL: the global RETENTION_DAYS; 0: forever). */
export function classRetentionDays(db: Knex): Promise<Array<{ id: number; retention_days: number | string | null }>> {
  return db('classes').select('id', 'retention_days');
}

/** `homeClassOf` as SQL: the home class of `student` is one of `classIds`. */
export function homeClassIn(student: string, classIds: readonly number[]): [string, number[]] {
  return [
    `EXISTS (SELECT 1 FROM class_enrollments cb_h WHERE cb_h.student_id = ${student} AND cb_h.class_id IN (${placeholders(classIds)}) AND NOT EXISTS (` +
      'SELECT 1 FROM class_enrollments cb_h2 WHERE cb_h2.student_id = cb_h.student_id AND (cb_h2.enrolled_at < cb_h.enrolled_at OR (cb_h2.enrolled_at = cb_h.enrolled_at AND cb_h2.class_id < cb_h.class_id))))',
    [...classIds],
  ];
}

/** The notebook `path` is an assignment of one of the student's classes (any of them). */
export function claimed(student: string, path: string): string {
  return `EXISTS (SELECT 1 FROM class_enrollments cb_c JOIN class_assignments cb_a ON cb_a.class_id = cb_c.class_id WHERE cb_c.student_id = ${student} AND cb_a.notebook_path = ${path})`;
}

/**
 * The class that owns `path` for the student is one of `classIds`: of her classes that assign it,
 * the one she joined first (ties: the lower class id) — classBoundary.ts's first claimer, as SQL.
 */
export function ownedBy(student: string, path: string, classIds: readonly number[]): [string, number[]] {
  return [
    `EXISTS (SELECT 1 FROM class_enrollments cb_c JOIN class_assignments cb_a ON cb_a.class_id = cb_c.class_id WHERE cb_c.student_id = ${student} AND cb_a.notebook_path = ${path} AND cb_c.class_id IN (${placeholders(classIds)}) AND NOT EXISTS (` +
      `SELECT 1 FROM class_enrollments cb_c2 JOIN class_assignments cb_a2 ON cb_a2.class_id = cb_c2.class_id WHERE cb_c2.student_id = cb_c.student_id AND cb_a2.notebook_path = ${path} AND (cb_c2.enrolled_at < cb_c.enrolled_at OR (cb_c2.enrolled_at = cb_c.enrolled_at AND cb_c2.class_id < cb_c.class_id))))`,
    [...classIds],
  ];
}

/** The student is in no class. */
export function inNoClass(student: string): [string, number[]] {
  return [`NOT EXISTS (SELECT 1 FROM class_enrollments cb_n WHERE cb_n.student_id = ${student})`, []];
}

/** Adds each enrolment of the student `studentColumn` names as a row with its `class_id` (NULL: in no class). */
export function withEnrolledClasses(query: Knex.QueryBuilder, studentColumn: string): Knex.QueryBuilder {
  return query.leftJoin('class_enrollments as cb_e', 'cb_e.student_id', studentColumn).select('cb_e.class_id');
}
