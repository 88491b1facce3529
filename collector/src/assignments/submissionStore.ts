/**
 * Hand-ins of assignments (seed 000 "LMS機能API", seed 003 §1.2): rows, views,
 * `requireSubmission` (the `submission_not_found` 404), the hand-in write that keeps at most N per
 * student and assignment, grading, and every other query of `assignment_submissions`.
 */
import type { Knex } from 'knex';
import { writeTransaction } from '../db/createDb.ts';
import { bool, insertedId, iso, json } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import { taughtClassIds } from '../classes/classAccess.ts';
import { joinStudents } from '../students/store.ts';
import type { AssignmentRow } from './store.ts';

export interface SubmissionRow {
  id: number;
  assignment_id: number;
  student_id: number;
  notebook_content: unknown;
  submission_comment: string | null;
  submitted_at: string | Date;
  is_late: boolean | number;
  status: 'submitted' | 'graded';
  score: number | null;
  feedback: string | null;
  graded_at: string | Date | null;
  graded_by: number | null;
}

export function submissionView(row: SubmissionRow & { user_id?: string }, options: { withNotebook?: boolean } = {}) {
  return {
    id: row.id,
    assignment_id: row.assignment_id,
    student_id: row.student_id,
    ...(row.user_id !== undefined ? { user_id: row.user_id } : {}),
    ...(options.withNotebook ? { notebook_content: json(row.notebook_content) } : {}),
    submission_comment: row.submission_comment,
    submitted_at: iso(row.submitted_at),
    is_late: bool(row.is_late),
    status: row.status,
    score: row.score,
    feedback: row.feedback,
    graded_at: iso(row.graded_at),
    graded_by: row.graded_by,
  };
}

/** A submission with its student's Jupyter user name. */
export async function requireSubmission(db: Knex, id: number): Promise<SubmissionRow & { user_id: string }> {
  const row = await db('assignment_submissions as s').modify(joinStudents, 'st', 's.student_id').select('s.*', 'st.user_id').where('s.id', id).first();
  if (!row) throw errors.notFound('submission');
  return row;
}

/** A submission, or undefined. */
export async function findSubmission(db: Knex, id: number): Promise<SubmissionRow | undefined> {
  return db<SubmissionRow>('assignment_submissions').where({ id }).first();
}

/**
 * Submissions with their students' user names (of one assignment, of one student, of the classes
 * an instructor teaches: each when given), without the notebooks in the view: a query to page by `s.id`.
 */
export function submissionsQuery(db: Knex, filter: { assignmentId?: number; studentId?: number; taughtBy?: number }): Knex.QueryBuilder {
  return db('assignment_submissions as s')
    .modify(joinStudents, 'st', 's.student_id')
    .select('s.*', 'st.user_id')
    .modify((q) => {
      if (filter.assignmentId) q.where('s.assignment_id', filter.assignmentId);
      if (filter.studentId) q.where('s.student_id', filter.studentId);
      if (filter.taughtBy !== undefined) q.whereIn('s.assignment_id', db('class_assignments').select('id').whereIn('class_id', taughtClassIds(db, filter.taughtBy)));
    });
}

/** A student's submissions, newest first. */
export function submissionsOfStudent(db: Knex, studentId: number): Promise<SubmissionRow[]> {
  return db('assignment_submissions').where({ student_id: studentId }).orderBy('id', 'desc');
}

/** A student's latest 200 submissions (of one assignment when given) with each assignment's title, newest first. */
export function submissionsWithTitles(db: Knex, studentId: number, assignmentId?: number): Promise<Array<SubmissionRow & { title: string }>> {
  return db('assignment_submissions as s')
    .join('class_assignments as a', 'a.id', 's.assignment_id')
    .where('s.student_id', studentId)
    .modify((q) => (assignmentId !== undefined ? q.where('s.assignment_id', assignmentId) : q))
    .select('s.*', 'a.title')
    .orderBy('s.id', 'desc')
    .limit(200);
}

/** A hand-in as the research exports read it: who, which notebook, when handed in and graded, the grade (no notebook). */
export interface ClassHandIn {
  id: number;
  user_id: string;
  notebook_path: string;
  submitted_at: string;
  graded_at: string | null;
  score: number | null;
  feedback: string | null;
}

/**
 * The hand-ins of a class's assignments that were handed in or graded in [from, to), oldest first,
 * without their notebooks (submissionNotebook reads one). A class's hand-ins are bounded (students ×
 * assignments × the kept ones), so the window is applied here rather than compared as text in two
 * engines' timestamp formats.
 */
export async function classHandInsBetween(db: Knex, window: { classId: number; from: string; to: string }): Promise<ClassHandIn[]> {
  const rows: Array<Omit<ClassHandIn, 'submitted_at' | 'graded_at'> & { submitted_at: string | Date; graded_at: string | Date | null }> = await db('assignment_submissions as s')
    .join('class_assignments as a', 'a.id', 's.assignment_id')
    .modify(joinStudents, 'st', 's.student_id')
    .where('a.class_id', window.classId)
    .select('s.id', 'st.user_id', 'a.notebook_path', 's.submitted_at', 's.graded_at', 's.score', 's.feedback')
    .orderBy('s.id');
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  const inWindow = (t: string | null) => t !== null && Date.parse(t) >= from && Date.parse(t) < to;
  return rows
    .map((r) => ({ ...r, id: Number(r.id), score: r.score === null ? null : Number(r.score), submitted_at: iso(r.submitted_at)!, graded_at: iso(r.graded_at) }))
    .filter((r) => inWindow(r.submitted_at) || inWindow(r.graded_at));
}

/** One hand-in's notebook (parsed), or undefined when it is gone. */
export async function submissionNotebook(db: Knex, id: number): Promise<unknown> {
  const row: { notebook_content: unknown } | undefined = await db('assignment_submissions').where({ id }).first('notebook_content');
  return row === undefined ? undefined : json(row.notebook_content);
}

/** Changes a submission's grade fields (score, status, feedback, graded_at, graded_by). */
export async function updateSubmission(db: Knex, id: number, changes: Partial<Pick<SubmissionRow, 'score' | 'status' | 'feedback' | 'graded_at' | 'graded_by'>>): Promise<void> {
  await db('assignment_submissions').where({ id }).update(changes);
}

export async function deleteSubmission(db: Knex, id: number): Promise<void> {
  await db('assignment_submissions').where({ id }).delete();
}

/** Submitted after the due date (when there is one). */
export function isLate(submittedAt: string, dueDate: string | Date | null): boolean {
  return dueDate !== null && new Date(submittedAt).getTime() > new Date(dueDate).getTime();
}

/**
 * Stores a hand-in, keeping at most `keep` per student and assignment: the oldest ungraded ones give
 * way (a graded one is never deleted; when `keep` are graded, a further hand-in is 409).
 */
export async function insertSubmission(
  db: Knex,
  input: { assignment: AssignmentRow; studentId: number; notebook: unknown; comment: string | null; submittedAt: string; keep: number },
): Promise<number> {
  return writeTransaction(db, async (trx) => {
    const existing: Array<{ id: number; status: string }> = await trx('assignment_submissions')
      .where({ assignment_id: input.assignment.id, student_id: input.studentId })
      .orderBy('id', 'asc')
      .select('id', 'status');
    const excess = existing.length - (input.keep - 1);
    if (excess > 0) {
      const removable = existing.filter((s) => s.status !== 'graded').slice(0, excess).map((s) => s.id);
      if (removable.length < excess) {
        throw errors.conflict('submission_limit_reached', `at most ${input.keep} submissions are kept per assignment and student, and that many are graded already`);
      }
      await trx('assignment_submissions').whereIn('id', removable).delete();
    }
    const [row] = await trx('assignment_submissions')
      .insert({
        assignment_id: input.assignment.id,
        student_id: input.studentId,
        notebook_content: JSON.stringify(input.notebook),
        submission_comment: input.comment,
        submitted_at: input.submittedAt,
        is_late: isLate(input.submittedAt, input.assignment.due_date),
        status: 'submitted',
      })
      .returning('id');
    return insertedId(row);
  });
}

/** The class of a hand-in's assignment (the scope guard's resolver; undefined: no such hand-in). */
export async function classIdOfSubmission(db: Knex, id: number): Promise<number | undefined> {
  const row = await db('assignment_submissions as s').join('class_assignments as a', 'a.id', 's.assignment_id').where('s.id', id).first('a.class_id');
  return row?.class_id;
}
