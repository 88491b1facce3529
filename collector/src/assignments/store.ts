/**
 * Assignments and their hand-ins (seed 000 "LMS機能API", seed 003 §1.2): rows, views, `require…`
 * (the resource's `<resource>_not_found` 404), and the hand-in write that keeps at most N per
 * student and assignment.
 */
import type { Knex } from 'knex';
import { writeTransaction } from '../db/createDb.ts';
import { bool, insertedId, iso, json } from '../db/rows.ts';
import { errors, HttpError } from '../http/errors.ts';

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

export async function requireAssignment(db: Knex, id: number): Promise<AssignmentRow> {
  const row = await db<AssignmentRow>('class_assignments').where({ id }).first();
  if (!row) throw errors.notFound('assignment');
  return row;
}

/** A submission with its student's Jupyter user name. */
export async function requireSubmission(db: Knex, id: number): Promise<SubmissionRow & { user_id: string }> {
  const row = await db('assignment_submissions as s').join('students as st', 'st.id', 's.student_id').select('s.*', 'st.user_id').where('s.id', id).first();
  if (!row) throw errors.notFound('submission');
  return row;
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
        throw new HttpError(409, 'submission_limit_reached', `at most ${input.keep} submissions are kept per assignment and student, and that many are graded already`);
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
