import { EVENT_TYPES, isExecutionEvent, isNotebookAccessEvent, type CellEvent } from '@cell-monitor/shared';

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

export function executionStatus(event: CellEvent): 'running' | 'success' | 'error' {
  if (event.eventType === EVENT_TYPES.cellExecutionStart) return 'running';
  if (event.eventType === EVENT_TYPES.cellExecutionError || event.success === false || event.error) return 'error';
  return 'success';
}

const ACCESS_ACTIONS: Record<string, string> = {
  [EVENT_TYPES.notebookOpened]: 'opened',
  [EVENT_TYPES.notebookClosed]: 'closed',
  [EVENT_TYPES.notebookSaved]: 'saved',
};

export function accessAction(event: CellEvent): string | undefined {
  return isNotebookAccessEvent(event.eventType) && event.notebookPath ? ACCESS_ACTIONS[event.eventType] : undefined;
}

export function notebookName(notebookPath: string): string {
  const name = notebookPath.split('/').filter(Boolean).pop() ?? notebookPath;
  return name.slice(0, 255);
}

export { isExecutionEvent };

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
