/**
 * A v1 client re-sends `help` every 10 s while its help toggle is on (shared/legacyEvent.ts marks
 * it `metadata.helpHeartbeat`), and never hears that an instructor resolved the request. While a
 * request is open, a heartbeat is that request (persist/writeEvents.ts). After a resolve, it must
 * not open a new one every 10 s: a heartbeat continues the resolved episode when
 *
 * 1. the student's latest request (on that notebook) was resolved, not cancelled,
 * 2. no help_cancel (v1 `help_stop`) of the student came between that request and the heartbeat, and
 * 3. the student's previous help_request event came at most HEARTBEAT_GAP_MS before it (the
 *    toggle stayed on; after a longer silence — a closed tab — a heartbeat starts a new episode).
 */
import type { Knex } from 'knex';
import { EVENT_TYPES, type CellEvent } from '@cell-monitor/shared';
import { iso } from '../db/rows.ts';

/** Six missed heartbeats: the toggle was not on all along. */
export const HEARTBEAT_GAP_MS = 60_000;

export function isHelpHeartbeat(event: CellEvent): boolean {
  return event.eventType === EVENT_TYPES.helpRequest && event.metadata?.helpHeartbeat === true;
}

export async function continuesAnsweredEpisode(trx: Knex.Transaction, event: CellEvent, studentId: number): Promise<boolean> {
  const onNotebook = (q: Knex.QueryBuilder, column: string) =>
    event.notebookPath ? q.where((w) => w.where(column, event.notebookPath!).orWhereNull(column)) : q;
  const latest: { requested_at: string | Date; resolved_at: unknown; cancelled_at: unknown } | undefined = await trx('help_requests')
    .where({ student_id: studentId })
    .where('requested_at', '<=', event.eventTime)
    .modify((q) => onNotebook(q, 'notebook_path'))
    .orderBy([{ column: 'requested_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .first('requested_at', 'resolved_at', 'cancelled_at');
  if (!latest || latest.resolved_at === null || latest.cancelled_at !== null) return false;
  const since = iso(latest.requested_at)!;
  const stopped = await trx('events')
    .where({ user_id: event.userId, event_type: EVENT_TYPES.helpCancel })
    .where('event_time', '>=', since)
    .where('event_time', '<=', event.eventTime)
    .modify((q) => onNotebook(q, 'notebook_path'))
    .first('id');
  if (stopped) return false;
  const previous: { event_time: string | Date } | undefined = await trx('events')
    .where({ user_id: event.userId, event_type: EVENT_TYPES.helpRequest })
    .where('event_time', '<', event.eventTime)
    .whereNot('event_id', event.eventId)
    .modify((q) => onNotebook(q, 'notebook_path'))
    .orderBy('event_time', 'desc')
    .first('event_time');
  return previous !== undefined && Date.parse(event.eventTime) - Date.parse(iso(previous.event_time)!) <= HEARTBEAT_GAP_MS;
}
