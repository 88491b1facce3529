/**
 * A student as one class knows her (DESIGN decision 13: names, emails, teams and student numbers
 * are per enrolment). `class_enrollments.display_name` / `email` / `team_id` / `student_number` are
 * written by `enrol` and the roster and read by every class-scoped view; the global
 * `students.name` / `email` are set only when the row is first created and shown only where nothing
 * is class-scoped (admins). So a rename in class B never changes what class A shows, and a class's
 * answers never carry what another class knows.
 */
import { isPostgres } from '../db/createDb.ts';
import type { Knex } from 'knex';
import type { Authenticated } from '../auth/tokens.ts';
import { iso, now, page } from '../db/rows.ts';
import { findStudent, globalNames, joinStudents } from '../students/store.ts';
import { isAdmin, taughtClassIds } from './classAccess.ts';
import type { ClassesFor } from './classBoundary.ts';

export interface EnrolmentRow {
  id: number;
  user_id: string;
  display_name: string | null;
  email: string | null;
  team: string | null;
  student_number: string | null;
  enrolled_at: string | Date;
}

/** One class's view of an enrolled student: nothing global beyond the ids. */
export const enrolmentView = (row: EnrolmentRow) => ({
  id: row.id,
  user_id: row.user_id,
  name: row.display_name,
  email: row.email,
  team: row.team,
  student_number: row.student_number,
  enrolled_at: iso(row.enrolled_at),
});

/** The enrolments of a class as `EnrolmentRow`s (a query: page it, filter it). */
export function classEnrolments(db: Knex, classId: number): Knex.QueryBuilder {
  return db('class_enrollments as e')
    .modify(joinStudents, 's', 'e.student_id')
    .leftJoin('class_teams as t', 't.id', 'e.team_id')
    .where('e.class_id', classId)
    .select('s.id', 's.user_id', 'e.display_name', 'e.email', 't.name as team', 'e.student_number', 'e.enrolled_at');
}

function classIds(db: Knex, classes: ClassesFor): Knex.QueryBuilder | number[] {
  return 'classId' in classes ? [classes.classId] : taughtClassIds(db, classes.instructorId);
}

/**
 * Display names as the given classes know them: user name → name. A student in two of an
 * instructor's classes under two names shows the name of her earliest enrolment among them.
 */
export async function classNames(db: Knex, classes: ClassesFor): Promise<Map<string, string>> {
  const rows: Array<{ user_id: string; display_name: string }> = await db('class_enrollments as e')
    .modify(joinStudents, 's', 'e.student_id')
    .whereIn('e.class_id', classIds(db, classes))
    .whereNotNull('e.display_name')
    .orderBy([{ column: 'e.enrolled_at', order: 'desc' }, { column: 'e.class_id', order: 'desc' }])
    .select('s.user_id', 'e.display_name');
  // Later rows win in a Map: the earliest enrolment comes last.
  return new Map(rows.map((r) => [r.user_id, r.display_name]));
}

/**
 * The names a caller may see: an admin the global ones (nothing is class-scoped for an admin), an
 * instructor those of the classes they teach.
 */
export async function namesFor(db: Knex, who: Authenticated): Promise<Map<string, string>> {
  if (!isAdmin(who)) return classNames(db, { instructorId: who.instructor.id });
  return globalNames(db);
}

/**
 * The student an instructor may enrol by student id or email: for an admin any; for an instructor
 * only one already in a class they teach (matched on that enrolment's email), with what that class
 * knows of her. Anyone else answers undefined, exactly as an unknown id or email does, so the route
 * is no oracle for who exists or which email belongs to whom (enrol by Jupyter user name instead).
 */
export async function knownStudent(
  db: Knex,
  who: Authenticated,
  by: { studentId: number } | { email: string },
): Promise<{ id: number; display_name: string | null; email: string | null } | undefined> {
  if (isAdmin(who)) {
    const row = await findStudent(db, 'studentId' in by ? { id: by.studentId } : { email: by.email });
    return row ? { id: Number(row.id), display_name: row.name, email: row.email } : undefined;
  }
  const row = await db('class_enrollments as e')
    .whereIn('e.class_id', taughtClassIds(db, who.instructor.id))
    .modify((q) => ('studentId' in by ? q.where('e.student_id', by.studentId) : q.whereRaw('lower(e.email) = ?', [by.email.toLowerCase()])))
    .orderBy([{ column: 'e.enrolled_at' }, { column: 'e.class_id' }])
    .first('e.student_id', 'e.display_name', 'e.email');
  return row ? { id: Number(row.student_id), display_name: row.display_name, email: row.email } : undefined;
}

/** The ids of the students enrolled in a class. */
export async function enrolledStudentIds(db: Knex | Knex.Transaction, classId: number): Promise<number[]> {
  const rows: Array<{ student_id: number }> = await db('class_enrollments').where({ class_id: classId }).select('student_id');
  return rows.map((r) => r.student_id);
}

/** A page of the class's enrolments (ordered by student id). */
export async function enrolmentsPage(db: Knex, classId: number, options: { skip: number; limit: number }): Promise<{ items: EnrolmentRow[]; total: number }> {
  return page<EnrolmentRow>(classEnrolments(db, classId), options, 's.id');
}

/** One student's enrolment in the class, or undefined. */
export async function enrolmentOf(db: Knex, classId: number, studentId: number): Promise<EnrolmentRow | undefined> {
  return classEnrolments(db, classId).where('e.student_id', studentId).first();
}

/** Enrols a student with this class's name and email for her; already enrolled fails with a unique violation. */
export async function enrol(db: Knex, enrolment: { classId: number; studentId: number; displayName: string | null; email: string | null }): Promise<void> {
  await db('class_enrollments').insert({ class_id: enrolment.classId, student_id: enrolment.studentId, enrolled_at: now(), display_name: enrolment.displayName, email: enrolment.email });
}

/** Removes a student from a class: false when she was not in it. */
export async function unenrol(db: Knex, classId: number, studentId: number): Promise<boolean> {
  return (await db('class_enrollments').where({ class_id: classId, student_id: studentId }).delete()) > 0;
}

/** Changes whenever an enrolment is added, removed or re-dated (the live board re-reads the boundary then). */
export async function enrolmentsFingerprint(db: Knex): Promise<string> {
  const times = isPostgres(db) ? 'SUM(EXTRACT(EPOCH FROM enrolled_at))' : 'SUM(julianday(enrolled_at))';
  const result = await db.raw(`SELECT COUNT(*) AS en, MAX(id) AS em, ${times} AS et, SUM(class_id + student_id) AS ek FROM class_enrollments`);
  return fingerprintOf((isPostgres(db) ? result.rows : result)[0]);
}

/** A fingerprint row's values as one string (dates as ISO, numbers as text). */
export function fingerprintOf(row: Record<string, unknown>): string {
  return JSON.stringify(Object.values(row).map((v) => (v instanceof Date ? v.toISOString() : v === null ? null : String(v))));
}
