/** Pure helpers of the idempotency gate (writeEvents.ts) and the projections after it. */
import type { CellEvent } from '@cell-monitor/shared';

/**
 * The JSON text an event was read from (the buffer row or stream entry: ingest serialised it once),
 * so the gate stores that text as the payload instead of serialising the event again. Only an event
 * that is exactly its text is remembered (sources/eventSource.ts parseEntry).
 */
const texts = new WeakMap<CellEvent, string>();

export function rememberText(event: CellEvent, text: string): void {
  texts.set(event, text);
}

/** The event as JSON: the text it was read from, or serialised now. */
export function eventText(event: CellEvent): string {
  return texts.get(event) ?? JSON.stringify(event);
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000 (a student can print one). Such characters become
 * U+FFFD so the event is stored rather than dead-lettered; both stores get the same text.
 */
export function withoutNul(event: CellEvent): CellEvent {
  const json = eventText(event);
  if (!json.includes('\\u0000')) return event;
  return JSON.parse(json, (_key, value) => (typeof value === 'string' ? value.replaceAll('\u0000', '\ufffd') : value));
}

/** The `events` columns of one canonical event but its payload. */
export function eventColumns(event: CellEvent) {
  return {
    event_id: event.eventId,
    event_type: event.eventType,
    event_time: event.eventTime,
    user_id: event.userId,
    session_id: event.sessionId ?? null,
    notebook_path: event.notebookPath ?? null,
    cell_id: event.cellId ?? null,
  };
}

/** The `events` row of one canonical event (payload keeps the whole event as sent, normalised). */
export function eventRow(event: CellEvent) {
  return { ...eventColumns(event), payload: eventText(event) };
}

/**
 * The rows of `events` as one JSON array (PostgreSQL's jsonb_to_recordset input) with each payload
 * spliced in as its text, not serialised a second time.
 */
export function eventRowsJson(events: CellEvent[]): string {
  return `[${events.map((e) => `${JSON.stringify(eventColumns(e)).slice(0, -1)},"payload":${eventText(e)}}`).join(',')}]`;
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
