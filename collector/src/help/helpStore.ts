/**
 * Help requests in the main store: the persister opens and cancels them with the events
 * (helpProjection.ts); instructors claim and resolve them here. A resolve also leaves the
 * student a `help_resolved` notification, which their JupyterLab picks up within seconds.
 */
import type { Knex } from 'knex';
import type { HelpRequestView, HelpResolvedPayload, TimeToHelp } from '@cell-monitor/shared';
import { writeTransaction } from '../db/createDb.ts';
import { iso, now } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import type { Authenticated } from '../auth/tokens.ts';
import { isAdmin } from '../classes/classAccess.ts';
import { withinClasses, type ClassesFor } from '../classes/classBoundary.ts';
import { leftJoinInstructors } from '../instructors/store.ts';
import { notify } from '../students/notifications.ts';
import { joinStudents } from '../students/store.ts';

interface HelpRow {
  id: number | string;
  user_id: string;
  student_id: number;
  display_name: string | null;
  notebook_path: string | null;
  cell_id: string | null;
  cell_index: number | null;
  requested_at: string | Date;
  claimed_by: number | null;
  claimer_name: string | null;
  claimed_at: string | Date | null;
  resolved_by: number | null;
  resolver_name: string | null;
  resolved_at: string | Date | null;
  cancelled_at: string | Date | null;
}

function helpRows(db: Knex): Knex.QueryBuilder {
  return db('help_requests as h')
    .modify(joinStudents, 's', 'h.student_id')
    .modify(leftJoinInstructors, 'c', 'h.claimed_by')
    .modify(leftJoinInstructors, 'r', 'h.resolved_by')
    .select('h.*', 's.user_id', 's.name as display_name', 'c.name as claimer_name', 'r.name as resolver_name');
}

/** A help request of this student changed (opened, claimed, resolved, cancelled) on some collector: what the boards' help channel carries. */
export interface HelpChanged {
  userId: string;
}

export function helpView(row: HelpRow): HelpRequestView {
  const state = row.cancelled_at ? 'cancelled' : row.resolved_at ? 'resolved' : row.claimed_at ? 'claimed' : 'open';
  return {
    id: Number(row.id),
    userId: row.user_id,
    displayName: row.display_name || row.user_id,
    notebookPath: row.notebook_path,
    cellId: row.cell_id,
    cellIndex: row.cell_index,
    requestedAt: iso(row.requested_at)!,
    claimedBy: row.claimed_by !== null && row.claimed_at ? { id: row.claimed_by, name: row.claimer_name ?? '' } : null,
    claimedAt: iso(row.claimed_at),
    resolvedBy: row.resolved_by !== null && row.resolved_at ? { id: row.resolved_by, name: row.resolver_name ?? '' } : null,
    resolvedAt: iso(row.resolved_at),
    state,
  };
}

/** Every open (or claimed) request, oldest first; of the given students only when `userIds` is given. */
export async function openHelpRequests(db: Knex, userIds?: string[]): Promise<HelpRequestView[]> {
  const rows: HelpRow[] = await helpRows(db)
    .whereNull('h.resolved_at')
    .whereNull('h.cancelled_at')
    .modify((q) => (userIds ? q.whereIn('s.user_id', userIds) : q))
    .orderBy([{ column: 'h.requested_at' }, { column: 'h.id' }]);
  return rows.map(helpView);
}

export async function findHelpRequest(db: Knex, id: number): Promise<HelpRequestView> {
  const row: HelpRow | undefined = await helpRows(db).where('h.id', id).first();
  if (!row) throw errors.notFound('help_request');
  return helpView(row);
}

const closed = (what: string) => errors.conflict('help_request_closed', `this help request was already ${what}`);

/** Marks the request as being handled by `instructorId` (another instructor may take it over). */
export async function claimHelpRequest(db: Knex, id: number, instructorId: number): Promise<HelpRequestView> {
  await writeTransaction(db, async (trx) => {
    const row = await trx('help_requests').where({ id }).first();
    if (!row) throw errors.notFound('help_request');
    if (row.cancelled_at) throw closed('cancelled by the student');
    if (row.resolved_at) throw closed('resolved');
    await trx('help_requests').where({ id }).update({ claimed_by: instructorId, claimed_at: now() });
  });
  return findHelpRequest(db, id);
}

/** Closes the request and tells the student (`help_resolved`). Resolving twice is a 409. */
export async function resolveHelpRequest(db: Knex, id: number, instructor: { id: number; name: string }): Promise<HelpRequestView> {
  const at = now();
  const request = await writeTransaction(db, async (trx) => {
    const row = await trx('help_requests').where({ id }).first();
    if (!row) throw errors.notFound('help_request');
    if (row.cancelled_at) throw closed('cancelled by the student');
    if (row.resolved_at) throw closed('resolved');
    await trx('help_requests')
      .where({ id })
      .update({ resolved_by: instructor.id, resolved_at: at, ...(row.claimed_at ? {} : { claimed_by: instructor.id, claimed_at: at }) });
    return row as { student_id: number; notebook_path: string | null };
  });
  const payload: HelpResolvedPayload = { help_request_id: id, notebook_path: request.notebook_path, resolved_by: instructor.name, resolved_at: at };
  await notify(db, request.student_id, 'help_resolved', { ...payload });
  return findHelpRequest(db, id);
}

/**
 * Median and 90th percentile of request → resolve, over requests resolved since `since` that
 * `reach` shows (classes/classBoundary.ts: a request belongs to a class by its time and notebook; null: all).
 */
export async function timeToHelp(db: Knex, since: Date, reach: ClassesFor | null): Promise<TimeToHelp> {
  const rows: Array<{ requested_at: string | Date; resolved_at: string | Date }> = await db('help_requests as h')
    .whereNotNull('h.resolved_at')
    .where('h.resolved_at', '>=', since.toISOString())
    .modify((q) => (reach ? q.where(withinClasses(db, reach, { student: 'h.student_id', time: 'h.requested_at', notebookPath: 'h.notebook_path' })) : q))
    .select('h.requested_at', 'h.resolved_at');
  const seconds = rows.map((r) => Math.max(0, (Date.parse(iso(r.resolved_at)!) - Date.parse(iso(r.requested_at)!)) / 1000)).sort((a, b) => a - b);
  return { resolved: seconds.length, medianSeconds: quantile(seconds, 0.5), p90Seconds: quantile(seconds, 0.9) };
}

/** A help request asked in a window, for the after-class report (sessions/): when, who, and how it ended. */
export interface WindowHelpRequest {
  id: number;
  userId: string;
  cellId: string | null;
  requestedAt: string;
  resolvedAt: string | null;
  cancelledAt: string | null;
  resolverName: string | null;
}

/** The requests asked in [from, to) that `reach` shows (the same boundary as timeToHelp), oldest first. */
export async function helpRequestsBetween(db: Knex, window: { from: string; to: string }, reach: ClassesFor | null): Promise<WindowHelpRequest[]> {
  const rows: Array<{ id: number | string; user_id: string; cell_id: string | null; requested_at: string | Date; resolved_at: string | Date | null; cancelled_at: string | Date | null; resolver_name: string | null }> = await db('help_requests as h')
    .modify(joinStudents, 's', 'h.student_id')
    .modify(leftJoinInstructors, 'r', 'h.resolved_by')
    .where('h.requested_at', '>=', window.from)
    .where('h.requested_at', '<', window.to)
    .modify((q) => (reach ? q.where(withinClasses(db, reach, { student: 'h.student_id', time: 'h.requested_at', notebookPath: 'h.notebook_path' })) : q))
    .select('h.id', 's.user_id', 'h.cell_id', 'h.requested_at', 'h.resolved_at', 'h.cancelled_at', 'r.name as resolver_name')
    .orderBy([{ column: 'h.requested_at' }, { column: 'h.id' }]);
  return rows.map((r) => ({
    id: Number(r.id),
    userId: r.user_id,
    cellId: r.cell_id,
    requestedAt: iso(r.requested_at)!,
    resolvedAt: iso(r.resolved_at),
    cancelledAt: iso(r.cancelled_at),
    resolverName: r.resolved_at ? (r.resolver_name ?? '') : null,
  }));
}

/** Nearest-rank quantile of sorted values (null when there are none). */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * A help request an instructor may act on: one their classes show (classes/classBoundary.ts: asked
 * since her enrolment, not on another class's assignment). Otherwise 404 as for a missing one — the
 * answer would name the other class's notebook. Admins any.
 */
export async function requireVisibleHelp(db: Knex, who: Authenticated, id: number): Promise<number> {
  if (isAdmin(who)) return id;
  const row = await db('help_requests as h')
    .where('h.id', id)
    .where(withinClasses(db, { instructorId: who.instructor.id }, { student: 'h.student_id', time: 'h.requested_at', notebookPath: 'h.notebook_path' }))
    .first('h.id');
  if (!row) throw errors.notFound('help_request');
  return id;
}

/** The student who asked (the scope guard's resolver; undefined: no such help request). */
export async function studentOfHelpRequest(db: Knex, id: number): Promise<number | undefined> {
  return (await db('help_requests').where({ id }).first('student_id'))?.student_id;
}
