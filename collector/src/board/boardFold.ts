/**
 * The board's reads of the store: today's events folded into the board state (at start, and again
 * for students whose classes changed), and the newest row id, so a fold and the live feed together
 * apply every event exactly once.
 */
import type { Knex } from 'knex';
import { toLiveEvent, type CellEvent, type LiveEvent } from '@cell-monitor/shared';
import { iso, json } from '../db/rows.ts';
import { eventsToFold } from '../persist/eventReads.ts';
import type { BoardState, Scope } from './boardState.ts';

/** The newest row id, and which of the live feed's events a fold already applied (the events table is persist's). */
export { maxEventId, eventIdsStoredUpTo as storedUpTo } from '../persist/eventReads.ts';

/** Today's events are folded at start; older ones only matter to the history views. */
export const REBUILD_HOURS = 12;

/** events.persisted_at: SQLite's default is CURRENT_TIMESTAMP, UTC written without a zone. */
const persistedAt = (value: string | Date) => (typeof value === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? Date.parse(`${value.replace(' ', 'T')}Z`) : Date.parse(iso(value)!));

/**
 * Folds the events of the last REBUILD_HOURS of some students (all when undefined) up to a row id,
 * 5,000 rows a read. A re-fold (students given) takes each event's arrival from when it was
 * persisted, so a student whose offline queue is draining still shows as catching up.
 */
export async function foldEvents(
  db: Knex,
  into: BoardState,
  scopes: (e: LiveEvent) => Scope[],
  options: { userIds?: string[]; upTo: number; now: number },
): Promise<{ folded: number; eventIds: Set<string> }> {
  const { userIds, upTo, now } = options;
  const since = new Date(now - REBUILD_HOURS * 3_600_000).toISOString();
  const eventIds = new Set<string>();
  let lastId = 0;
  let folded = 0;
  for (;;) {
    const rows = await eventsToFold(db, { afterId: lastId, upTo, since, userIds, limit: 5_000 });
    if (rows.length === 0) break;
    for (const row of rows) {
      const event = toLiveEvent(json(row.payload) as CellEvent);
      eventIds.add(event.eventId);
      const arrived = userIds ? persistedAt(row.persisted_at) : Date.parse(event.eventTime);
      into.applyEvents([event], arrived || now, scopes);
    }
    folded += rows.length;
    lastId = Number(rows[rows.length - 1].id);
  }
  return { folded, eventIds };
}
