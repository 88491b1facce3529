/**
 * Reading the stored events (`events`, written by the idempotency gate, writeEvents.ts): the only
 * module outside the gate that names the table. Readers get the rows they ask for by what they are
 * for — the board's fold, the v1 help heartbeat, the instructors' events list, a student's record
 * and timeline — never the table.
 *
 * A read a caller restricts further (to what a class shows, classes/classBoundary.ts) takes an
 * `EventScope`: it is given the query and the event columns it may test, and adds its joins and
 * conditions. Persist imports no feature: the scope comes from the caller.
 */
import type { Knex } from 'knex';
import { isPostgres } from '../db/createDb.ts';
import { iso } from '../db/rows.ts';

/** The columns of an event row a scope may test (the events are aliased `ev`). */
export interface EventColumns {
  user: string;
  time: string;
  notebookPath: string;
}

/** Restricts a read of events: joins and conditions over `columns`, added by the caller. */
export type EventScope = (query: Knex.QueryBuilder, columns: EventColumns) => void;

const EV: EventColumns = { user: 'ev.user_id', time: 'ev.event_time', notebookPath: 'ev.notebook_path' };

/** `db('events as ev')` with the caller's scope applied (none: every event). */
function scopedEvents(db: Knex, scope: EventScope | undefined): Knex.QueryBuilder {
  return db('events as ev').modify((q) => scope?.(q, EV));
}

/** The newest event row id (0 when there is none). */
export async function maxEventId(db: Knex): Promise<number> {
  const [{ max }] = await db('events').max({ max: 'id' });
  return Number(max ?? 0);
}

/** One read of a fold: events after row `afterId` up to `upTo`, of `since` or later (of the given users), `limit` rows in id order. */
export function eventsToFold(
  db: Knex,
  options: { afterId: number; upTo: number; since: string; userIds?: string[]; limit: number },
): Promise<Array<{ id: number | string; payload: unknown; persisted_at: string | Date }>> {
  return db('events')
    .where('id', '>', options.afterId)
    .andWhere('id', '<=', options.upTo)
    .andWhere('event_time', '>=', options.since)
    .modify((q) => (options.userIds ? q.whereIn('user_id', options.userIds) : q))
    .orderBy('id')
    .limit(options.limit)
    .select('id', 'payload', 'persisted_at');
}

/** Which of these event ids the store holds up to a row id (read 500 ids a query). */
export async function eventIdsStoredUpTo(db: Knex, eventIds: string[], upTo: number): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < eventIds.length; i += 500) {
    for (const r of await db('events').whereIn('event_id', eventIds.slice(i, i + 500)).andWhere('id', '<=', upTo).select('event_id')) found.add(r.event_id);
  }
  return found;
}

/** On `notebookPath`, or on no notebook, when a path is given (a help request's notebook rule). */
function onNotebookOrNone(q: Knex.QueryBuilder, notebookPath: string | undefined): Knex.QueryBuilder {
  return notebookPath ? q.where((w) => w.where('notebook_path', notebookPath).orWhereNull('notebook_path')) : q;
}

/** Whether the user sent an event of this type between two times (both included). */
export async function hasEventBetween(trx: Knex | Knex.Transaction, options: { userId: string; eventType: string; from: string; to: string; notebookPath?: string }): Promise<boolean> {
  const row = await trx('events')
    .where({ user_id: options.userId, event_type: options.eventType })
    .where('event_time', '>=', options.from)
    .where('event_time', '<=', options.to)
    .modify(onNotebookOrNone, options.notebookPath)
    .first('id');
  return row !== undefined;
}

/** The time (ISO) of the user's latest event of this type before `before`, other than `exceptEventId`. */
export async function previousEventTime(
  trx: Knex | Knex.Transaction,
  options: { userId: string; eventType: string; before: string; exceptEventId: string; notebookPath?: string },
): Promise<string | undefined> {
  const row: { event_time: string | Date } | undefined = await trx('events')
    .where({ user_id: options.userId, event_type: options.eventType })
    .where('event_time', '<', options.before)
    .whereNot('event_id', options.exceptEventId)
    .modify(onNotebookOrNone, options.notebookPath)
    .orderBy('event_time', 'desc')
    .first('event_time');
  return row ? iso(row.event_time)! : undefined;
}

/** The instructors' events list: filters on the event columns (from ≤ event_time < to). */
export interface EventFilter {
  userId?: string;
  notebookPath?: string;
  eventType?: string;
  from?: string;
  to?: string;
}

/**
 * The events list as a query to page (newest first is the caller's order on `ev.event_time`,
 * `ev.id`): the event columns, and with `payloadUpTo` each payload of at most that many bytes
 * (`payload`, null when larger) and its size (`payload_bytes`), measured in the database.
 */
export function listEvents(db: Knex, filter: EventFilter, options: { scope?: EventScope; payloadUpTo?: number }): Knex.QueryBuilder {
  return scopedEvents(db, options.scope).modify((b) => {
    if (filter.userId) b.where('ev.user_id', filter.userId);
    if (filter.notebookPath) b.where('ev.notebook_path', filter.notebookPath);
    if (filter.eventType) b.where('ev.event_type', filter.eventType);
    if (filter.from) b.where('ev.event_time', '>=', filter.from);
    if (filter.to) b.where('ev.event_time', '<', filter.to);
    b.select('ev.id', 'ev.event_id', 'ev.event_type', 'ev.event_time', 'ev.user_id', 'ev.session_id', 'ev.notebook_path', 'ev.cell_id');
    if (options.payloadUpTo !== undefined) {
      const bytes = isPostgres(db) ? 'octet_length(ev.payload::text)' : 'length(CAST(ev.payload AS BLOB))';
      b.select(db.raw(`CASE WHEN ${bytes} <= ${options.payloadUpTo} THEN ev.payload END AS payload`), db.raw(`${bytes} AS payload_bytes`));
    }
  });
}

/** How many events of each type the user has (as far as `scope` shows). */
export async function eventCountsByType(db: Knex, userId: string, scope?: EventScope): Promise<Map<string, number>> {
  const rows = (await scopedEvents(db, scope).where('ev.user_id', userId).select('ev.event_type').count({ n: '*' }).groupBy('ev.event_type')) as unknown as Array<{ event_type: string; n: number | string }>;
  return new Map(rows.map((r) => [r.event_type, Number(r.n)]));
}

/** The user's latest `limit` events, whole rows, newest first (as far as `scope` shows). */
export function latestEvents<T>(db: Knex, userId: string, limit: number, scope?: EventScope): Promise<T[]> {
  return scopedEvents(db, scope).where('ev.user_id', userId).select('ev.*').orderBy('ev.event_time', 'desc').orderBy('ev.id', 'desc').limit(limit);
}

/**
 * The user's latest `limit` events but those of `exceptType`, newest first, as a query on `ev` the
 * caller joins derived rows to and selects from (a student's timeline).
 */
export function userTimelineEvents(db: Knex, userId: string, options: { exceptType: string; limit: number; scope?: EventScope }): Knex.QueryBuilder {
  return db('events as ev')
    .where('ev.user_id', userId)
    .whereNot('ev.event_type', options.exceptType)
    .modify((q) => options.scope?.(q, EV))
    .orderBy([{ column: 'ev.event_time', order: 'desc' }, { column: 'ev.id', order: 'desc' }])
    .limit(options.limit);
}

/** An event row as the research exports read it (research/): the columns and the payload as stored. */
export interface StoredEventRow {
  id: number | string;
  event_id: string;
  event_type: string;
  event_time: string | Date;
  persisted_at: string | Date;
  user_id: string;
  session_id: string | null;
  notebook_path: string | null;
  cell_id: string | null;
  /** jsonb (an object) on PostgreSQL, its text on SQLite. */
  payload: unknown;
}

/**
 * One page of the events a scope shows whose own time is in [from, to), among the rows with ids in
 * (afterId, min(afterId + span, upTo)], in row order (the store's arrival order). A page is a range
 * of the primary key, not a LIMIT: whatever plan the engine picks for the scope's joins (PostgreSQL
 * may prefer the user/time index and sort), a page reads at most `span` rows, so it costs the same at
 * the millionth row as at the first.
 */
export function storedEventsPage(
  db: Knex,
  options: { scope: EventScope | undefined; from: string; to: string; afterId: number; span: number; upTo: number },
): Promise<StoredEventRow[]> {
  return scopedEvents(db, options.scope)
    .where('ev.id', '>', options.afterId)
    .andWhere('ev.id', '<=', Math.min(options.upTo, options.afterId + options.span))
    .andWhere('ev.event_time', '>=', options.from)
    .andWhere('ev.event_time', '<', options.to)
    .orderBy('ev.id')
    .select('ev.id', 'ev.event_id', 'ev.event_type', 'ev.event_time', 'ev.persisted_at', 'ev.user_id', 'ev.session_id', 'ev.notebook_path', 'ev.cell_id', 'ev.payload');
}

/** Per user, the first and the last of their events in [from, to) (as far as `scope` shows): who was there when (the after-class attendance). */
export async function activitySpans(db: Knex, window: { from: string; to: string }, scope?: EventScope): Promise<Array<{ user_id: string; first_at: string; last_at: string }>> {
  const rows: Array<{ user_id: string; first_at: string | Date; last_at: string | Date }> = await scopedEvents(db, scope)
    .where('ev.event_time', '>=', window.from)
    .where('ev.event_time', '<', window.to)
    .groupBy('ev.user_id')
    .select('ev.user_id')
    .min({ first_at: 'ev.event_time' })
    .max({ last_at: 'ev.event_time' });
  return rows.map((r) => ({ user_id: r.user_id, first_at: iso(r.first_at)!, last_at: iso(r.last_at)! }));
}

/** The minutes (epoch minute: ms / 60,000, floored) in [from, to) in which each user had an event (as far as `scope` shows): a class's activity, to find its meetings. */
export async function activeMinutes(db: Knex, window: { from: string; to: string }, scope?: EventScope): Promise<Array<{ userId: string; minute: number }>> {
  const minute = isPostgres(db) ? 'FLOOR(EXTRACT(EPOCH FROM ev.event_time) / 60)' : "CAST(strftime('%s', ev.event_time) AS INTEGER) / 60";
  const rows: Array<{ user_id: string; minute: number | string }> = await scopedEvents(db, scope)
    .where('ev.event_time', '>=', window.from)
    .where('ev.event_time', '<', window.to)
    .groupByRaw(`ev.user_id, ${minute}`)
    .select('ev.user_id', db.raw(`${minute} AS minute`));
  return rows.map((r) => ({ userId: r.user_id, minute: Number(r.minute) }));
}
