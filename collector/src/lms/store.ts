/**
 * The LMS tables (seed 000 "LMS機能API", seed 003 §1.2): classes, enrollments, assignments,
 * submissions and the notifications a student reads back. JSON columns are written as JSON text
 * (PostgreSQL jsonb parses it; SQLite keeps it) and read through `json()`.
 */
import type { Knex } from 'knex';
import { insertedId, iso } from '../instructors/store.ts';

export const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);
export const bool = (value: unknown): boolean => value === true || value === 1 || value === '1';

export interface ClassRow {
  id: number;
  name: string;
  class_code: string;
  description: string | null;
  created_at: string | Date;
  updated_at: string | Date;
}

export const classView = (row: ClassRow) => ({
  id: row.id,
  name: row.name,
  class_code: row.class_code,
  description: row.description,
  created_at: iso(row.created_at),
  updated_at: iso(row.updated_at),
});

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

/** The student row for a Jupyter user name, created on first sight (as the event pipeline does). */
export async function ensureStudent(db: Knex, userId: string, fields: { name?: string | null; email?: string | null } = {}): Promise<StudentRow> {
  await db('students')
    .insert({ user_id: userId, name: fields.name ?? null, email: fields.email ?? null, created_at: new Date().toISOString() })
    .onConflict('user_id')
    .ignore();
  const row = (await db<StudentRow>('students').where({ user_id: userId }).first())!;
  const changes = Object.fromEntries(Object.entries(fields).filter(([k, v]) => v !== undefined && v !== null && row[k as keyof StudentRow] !== v));
  if (Object.keys(changes).length > 0) {
    await db('students').where({ id: row.id }).update(changes);
    return (await db<StudentRow>('students').where({ id: row.id }).first())!;
  }
  return row;
}

export async function page<T>(query: Knex.QueryBuilder, options: { skip: number; limit: number }, order: string): Promise<{ items: T[]; total: number }> {
  const [{ n }] = await query.clone().clearSelect().clearOrder().count({ n: '*' });
  const items = (await query.clone().orderBy(order).offset(options.skip).limit(options.limit)) as T[];
  return { items, total: Number(n) };
}

export async function notify(db: Knex, studentId: number, type: string, payload: Record<string, unknown>): Promise<{ id: number }> {
  const [row] = await db('student_notifications')
    .insert({ student_id: studentId, type, payload: JSON.stringify(payload), created_at: new Date().toISOString() })
    .returning('id');
  return { id: insertedId(row) };
}
