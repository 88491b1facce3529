/**
 * What other folders read of classes and enrolments (the board's view, assignments, insights,
 * environments), named by what it answers: a class's board settings, whether a student is enrolled,
 * her classes, how the instructor's classes know her, since when she is in the classes of a reach.
 * Subqueries and a join where the caller's query needs them in one round trip.
 */
import type { Knex } from 'knex';
import { iso } from '../db/rows.ts';
import { joinStudents } from '../students/store.ts';
import { taughtClassIds } from './classAccess.ts';
import type { ClassesFor } from './classBoundary.ts';
import type { ClassRow } from './store.ts';

/** What a class's board needs of it (name, stuck threshold), or undefined when it does not exist. */
export async function classForBoard(db: Knex, classId: number): Promise<{ id: number; name: string; stuck_errors: number | string | null } | undefined> {
  return db('classes').where({ id: classId }).first('id', 'name', 'stuck_errors');
}

/** Whether the student is enrolled in the class (a class id, or a subquery giving it). */
export async function isEnrolled(db: Knex, classId: number | Knex.QueryBuilder, studentId: number): Promise<boolean> {
  const row = await db('class_enrollments')
    .where({ student_id: studentId })
    .modify((q) => (typeof classId === 'number' ? q.where({ class_id: classId }) : q.whereIn('class_id', classId)))
    .first('id');
  return row !== undefined;
}

/** Ids of the classes a student is enrolled in, as a subquery. */
export function enrolledClassIds(db: Knex, studentId: number): Knex.QueryBuilder {
  return db('class_enrollments').select('class_id').where({ student_id: studentId });
}

/** Ids of the students enrolled in a class, as a subquery. */
export function classStudentIds(db: Knex, classId: number): Knex.QueryBuilder {
  return db('class_enrollments').select('student_id').where({ class_id: classId });
}

/** Joins the classes table as `alias` on `alias.id = classIdColumn`: `query.modify(joinClasses, 'c', 'a.class_id')`. */
export function joinClasses(query: Knex.QueryBuilder, alias: string, classIdColumn: string): Knex.QueryBuilder {
  return query.join(`classes as ${alias}`, `${alias}.id`, classIdColumn);
}

/** The classes a student is in, by id (of those an instructor teaches, when given). */
export async function classesOfStudent(db: Knex, studentId: number, taughtBy?: number): Promise<ClassRow[]> {
  return db('classes as c')
    .join('class_enrollments as e', 'e.class_id', 'c.id')
    .where('e.student_id', studentId)
    .modify((q) => (taughtBy === undefined ? q : q.whereIn('c.id', taughtClassIds(db, taughtBy))))
    .select('c.*')
    .orderBy('c.id');
}

/** The enrolments of these students in the classes an instructor teaches, latest first (her name and email there, since when). */
export async function taughtEnrolments(
  db: Knex,
  instructorId: number,
  studentIds: number[],
): Promise<Array<{ student_id: number; display_name: string | null; email: string | null; enrolled_at: string | Date }>> {
  return db('class_enrollments')
    .whereIn('class_id', taughtClassIds(db, instructorId))
    .whereIn('student_id', studentIds)
    .orderBy([{ column: 'enrolled_at', order: 'desc' }, { column: 'class_id', order: 'desc' }])
    .select('student_id', 'display_name', 'email', 'enrolled_at');
}

/** The earliest enrolment (ISO) of each of these students (by user name) in the classes of `reach`. */
export async function firstEnrolledAt(db: Knex, userIds: string[], reach: ClassesFor): Promise<Map<string, string>> {
  const rows: Array<{ user_id: string; since: string | Date }> = await db('class_enrollments as e')
    .modify(joinStudents, 's', 'e.student_id')
    .whereIn('s.user_id', userIds)
    .modify((q) => ('classId' in reach ? q.where('e.class_id', reach.classId) : q.whereIn('e.class_id', taughtClassIds(db, reach.instructorId))))
    .groupBy('s.user_id')
    .select('s.user_id')
    .min({ since: 'e.enrolled_at' });
  return new Map(rows.map((r) => [r.user_id, iso(r.since)!]));
}
