/**
 * Instructor accounts and their status history in the main store (knex: PostgreSQL or SQLite).
 * Timestamps are written as ISO strings and read back through `iso()` (db/rows.ts), so both engines
 * answer alike.
 */
import type { Knex } from 'knex';
import type { InstructorStatusView, InstructorView } from '@cell-monitor/shared';
import { writeTransaction } from '../db/createDb.ts';
import { insertedId, iso, page } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import { hashPassword } from '../auth/passwords.ts';

export const ROLES = ['admin', 'instructor'] as const;
export type Role = (typeof ROLES)[number];
export const STATUSES = ['available', 'in_session', 'busy', 'break', 'offline'] as const;
export type InstructorStatus = (typeof STATUSES)[number];

export interface InstructorRow {
  id: number;
  email: string;
  name: string;
  password_hash: string;
  role: Role;
  is_active: boolean | number;
  status: InstructorStatus;
  current_session_id: string | null;
  status_updated_at: string | Date | null;
  tokens_valid_after: string | Date | null;
  last_login_at: string | Date | null;
  created_at: string | Date;
  updated_at: string | Date;
}

/** What the API shows of an account (never the hash): the wire format is declared in shared. */
export type { InstructorView };

export function view(row: InstructorRow): InstructorView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    is_active: Boolean(row.is_active),
    status: row.status,
    current_session_id: row.current_session_id,
    status_updated_at: iso(row.status_updated_at),
    last_login_at: iso(row.last_login_at),
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  };
}

/** An instructor's current status, as `GET /api/v1/instructor_status/:id` and every status_update show it. */
export function statusView(row: InstructorRow): InstructorStatusView {
  return {
    instructor_id: row.id,
    status: row.status,
    current_session_id: row.current_session_id,
    status_updated_at: iso(row.status_updated_at),
  };
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export async function findInstructor(db: Knex, id: number): Promise<InstructorRow | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  return db<InstructorRow>('instructors').where({ id }).first();
}

/** The account, or the 404 `instructor_not_found`. */
export async function requireInstructor(db: Knex, id: number): Promise<InstructorRow> {
  const row = await findInstructor(db, id);
  if (!row) throw errors.notFound('instructor');
  return row;
}

export async function findByEmail(db: Knex, email: string): Promise<InstructorRow | undefined> {
  return db<InstructorRow>('instructors').where({ email: normaliseEmail(email) }).first();
}

export async function countInstructors(db: Knex): Promise<number> {
  const [{ n }] = await db('instructors').count({ n: '*' });
  return Number(n);
}

export class EmailTakenError extends Error {}

export async function createInstructor(db: Knex, input: { email: string; name: string; password: string; role: Role }): Promise<InstructorRow> {
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  const now = new Date().toISOString();
  return writeTransaction(db, async (trx) => {
    if (await trx('instructors').where({ email }).first()) throw new EmailTakenError(email);
    const [inserted] = await trx('instructors')
      .insert({ email, name: input.name.trim(), password_hash: passwordHash, role: input.role, is_active: true, status: 'offline', created_at: now, updated_at: now })
      .returning('id');
    const id = insertedId(inserted);
    return (await trx<InstructorRow>('instructors').where({ id }).first())!;
  });
}

/** Deletes an account (its status history and class teaching go with it; rows it signed keep a NULL author): false when there was none. */
export async function deleteInstructor(db: Knex, id: number): Promise<boolean> {
  return (await db('instructors').where({ id }).delete()) > 0;
}

export async function listInstructors(db: Knex, options: { skip: number; limit: number; isActive?: boolean }): Promise<{ items: InstructorRow[]; total: number }> {
  const query = db<InstructorRow>('instructors').modify((q) => {
    if (options.isActive !== undefined) q.where({ is_active: options.isActive });
  });
  return page<InstructorRow>(query, options, 'id');
}

export async function updateInstructor(db: Knex, id: number, changes: Partial<Pick<InstructorRow, 'name' | 'role' | 'is_active' | 'password_hash' | 'tokens_valid_after' | 'last_login_at'>>): Promise<InstructorRow | undefined> {
  const updated = await db('instructors')
    .where({ id })
    .update({ ...changes, updated_at: new Date().toISOString() });
  return updated ? findInstructor(db, id) : undefined;
}

/**
 * Sets the status, closing the open history row and opening a new one, in one transaction.
 * Returns undefined when the instructor does not exist.
 */
export async function setStatus(db: Knex, id: number, status: InstructorStatus, sessionId: string | null | undefined): Promise<InstructorRow | undefined> {
  const now = new Date().toISOString();
  return writeTransaction(db, async (trx) => {
    const current = await trx<InstructorRow>('instructors').where({ id }).first();
    if (!current) return undefined;
    const session = sessionId === undefined ? current.current_session_id : sessionId;
    await trx('instructor_status_history').where({ instructor_id: id }).whereNull('ended_at').update({ ended_at: now });
    await trx('instructor_status_history').insert({ instructor_id: id, status, current_session_id: session, started_at: now });
    await trx('instructors').where({ id }).update({ status, current_session_id: session, status_updated_at: now, updated_at: now });
    return trx<InstructorRow>('instructors').where({ id }).first();
  });
}

interface StatusHistoryRow {
  id: number | string;
  instructor_id: number;
  status: InstructorStatus;
  current_session_id: string | null;
  started_at: string | Date;
  ended_at: string | Date | null;
}

export interface StatusHistoryView {
  id: number;
  instructor_id: number;
  status: InstructorStatus;
  current_session_id: string | null;
  started_at: string;
  ended_at: string | null;
  /** Seconds in that status (up to now for the open row). */
  duration_seconds: number;
}

export async function statusHistory(db: Knex, id: number, options: { skip: number; limit: number }): Promise<{ items: StatusHistoryView[]; total: number }> {
  const query = db('instructor_status_history').where({ instructor_id: id });
  const { items: rows, total } = await page<StatusHistoryRow>(query, options, [{ column: 'started_at', order: 'desc' }, { column: 'id', order: 'desc' }]);
  const now = Date.now();
  const items = rows.map((row) => {
    const started = iso(row.started_at)!;
    const ended = iso(row.ended_at);
    return {
      id: Number(row.id),
      instructor_id: row.instructor_id,
      status: row.status,
      current_session_id: row.current_session_id,
      started_at: started,
      ended_at: ended,
      duration_seconds: Math.max(0, Math.round(((ended ? Date.parse(ended) : now) - Date.parse(started)) / 1000)),
    };
  });
  return { items, total };
}

/**
 * Joins the instructors table as `alias` on `alias.id = instructorIdColumn`, for the owners of rows
 * keyed by instructor id that show her name and email (a class's teachers):
 * `query.modify(joinInstructors, 'i', 't.instructor_id')`.
 */
export function joinInstructors(query: Knex.QueryBuilder, alias: string, instructorIdColumn: string): Knex.QueryBuilder {
  return query.join(`instructors as ${alias}`, `${alias}.id`, instructorIdColumn);
}

/** The same as a left join, for a column that may be null (a help request's claimer and resolver): `query.modify(leftJoinInstructors, 'c', 'h.claimed_by')`. */
export function leftJoinInstructors(query: Knex.QueryBuilder, alias: string, instructorIdColumn: string): Knex.QueryBuilder {
  return query.leftJoin(`instructors as ${alias}`, `${alias}.id`, instructorIdColumn);
}
