/**
 * A v1 client re-sends `help` every 10 s while its help toggle is on (shared/legacyEvent.ts marks
 * it `metadata.helpHeartbeat`), and never hears that an instructor resolved the request. While a
 * request is open, a heartbeat is that request (help/helpProjection.ts). After a resolve, it must
 * not open a new one every 10 s: a heartbeat continues the resolved episode when
 *
 * 1. the student's latest request (on that notebook) was resolved, not cancelled,
 * 2. no help_cancel (v1 `help_stop`) of the student came between that request and the heartbeat, and
 * 3. the student's previous help_request event came at most HEARTBEAT_GAP_MS before it (the
 *    toggle stayed on; after a longer silence — a closed tab — a heartbeat starts a new episode).
 */
import type { Knex } from 'knex';
import { EVENT_TYPES, type CellEvent } from '@cell-monitor/shared';
import { hasEventBetween, previousEventTime } from '../persist/eventReads.ts';

/** Six missed heartbeats: the toggle was not on all along. */
export const HEARTBEAT_GAP_MS = 60_000;

export function isHelpHeartbeat(event: CellEvent): boolean {
  return event.eventType === EVENT_TYPES.helpRequest && event.metadata?.helpHeartbeat === true;
}

/** The student's latest help request (on the heartbeat's notebook, or on none) at or before the heartbeat: help/helpProjection.ts reads it. */
export interface LatestHelpRequest {
  requestedAt: string;
  resolved: boolean;
  cancelled: boolean;
}

export async function continuesAnsweredEpisode(trx: Knex.Transaction, event: CellEvent, latest: LatestHelpRequest | undefined): Promise<boolean> {
  if (!latest || !latest.resolved || latest.cancelled) return false;
  const notebookPath = event.notebookPath || undefined;
  const stopped = await hasEventBetween(trx, { userId: event.userId, eventType: EVENT_TYPES.helpCancel, from: latest.requestedAt, to: event.eventTime, notebookPath });
  if (stopped) return false;
  const previous = await previousEventTime(trx, { userId: event.userId, eventType: EVENT_TYPES.helpRequest, before: event.eventTime, exceptEventId: event.eventId, notebookPath });
  return previous !== undefined && Date.parse(event.eventTime) - Date.parse(previous) <= HEARTBEAT_GAP_MS;
}
