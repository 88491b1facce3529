/** Pure helpers of the idempotency gate (writeEvents.ts) and the projections after it. */
import type { CellEvent } from '@cell-monitor/shared';

/**
 * PostgreSQL text and jsonb cannot hold U+0000 (a student can print one). Such characters become
 * U+FFFD so the event is stored rather than dead-lettered; both stores get the same text.
 */
export function withoutNul(event: CellEvent): CellEvent {
  const json = JSON.stringify(event);
  if (!json.includes('\\u0000')) return event;
  return JSON.parse(json, (_key, value) => (typeof value === 'string' ? value.replaceAll('\u0000', '\ufffd') : value));
}

/** The `events` row of one canonical event (payload keeps the whole event as sent, normalised). */
export function eventRow(event: CellEvent) {
  return {
    event_id: event.eventId,
    event_type: event.eventType,
    event_time: event.eventTime,
    user_id: event.userId,
    session_id: event.sessionId ?? null,
    notebook_path: event.notebookPath ?? null,
    cell_id: event.cellId ?? null,
    payload: JSON.stringify(event),
  };
}

/** Latest value per key (by eventTime), so one multi-row upsert never touches a row twice. */
export function latestBy<T>(events: CellEvent[], key: (e: CellEvent) => string | undefined, pick: (e: CellEvent) => T): Map<string, T> {
  const out = new Map<string, { time: string; value: T }>();
  for (const event of events) {
    const k = key(event);
    if (k === undefined) continue;
    const seen = out.get(k);
    if (!seen || seen.time <= event.eventTime) out.set(k, { time: event.eventTime, value: pick(event) });
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, v.value]));
}
