/**
 * One student's timeline for the dashboard: runs (code when captured, duration, result), errors
 * with traceback, saves, help requests, kernel restarts, newest first; and per cell, every attempt
 * in order. Outputs are cut to a few KB of text: the page shows them as text, never as HTML.
 */
import type { Knex } from 'knex';
import { EVENT_TYPES, type CellEvent, type TimelineEntry } from '@cell-monitor/shared';
import { iso, json } from '../db/rows.ts';

export const TIMELINE_LIMIT = 300;
const OUTPUT_CHARS = 4_000;

/** An output (a string, a Jupyter output list, a truncation record…) as at most OUTPUT_CHARS of text. */
export function outputText(output: unknown): string | null {
  if (output === undefined || output === null) return null;
  let text: string;
  if (typeof output === 'string') text = output;
  else if (Array.isArray(output)) text = output.map((o) => outputText((o as { text?: unknown; data?: Record<string, unknown> })?.text ?? (o as { data?: Record<string, unknown> })?.data?.['text/plain'] ?? o) ?? '').join('');
  else if (typeof output === 'object' && 'preview' in (output as object)) text = String((output as { preview: unknown }).preview);
  else text = JSON.stringify(output);
  return text.length > OUTPUT_CHARS ? `${text.slice(0, OUTPUT_CHARS)}…` : text;
}

export function timelineEntry(event: CellEvent): TimelineEntry {
  const run = event.eventType === EVENT_TYPES.cellExecutionComplete || event.eventType === EVENT_TYPES.cellExecutionError;
  return {
    eventId: event.eventId,
    eventType: event.eventType,
    at: event.eventTime,
    notebookPath: event.notebookPath ?? null,
    cellId: event.cellId ?? null,
    cellIndex: event.cellIndex ?? null,
    code: event.code ?? null,
    durationMs: event.durationMs ?? null,
    success: run ? !(event.eventType === EVENT_TYPES.cellExecutionError || event.success === false || event.error !== undefined) : null,
    error: event.error ? { name: event.error.name, message: event.error.message, traceback: event.error.traceback ?? null } : null,
    output: outputText(event.output),
  };
}

/** Per cell, the results of every run in order (oldest first), cells in notebook order. */
export function attemptsByCell(entries: TimelineEntry[]): Array<{ cellId: string; cellIndex: number | null; results: boolean[] }> {
  const cells = new Map<string, { cellId: string; cellIndex: number | null; results: boolean[] }>();
  for (const e of [...entries].sort((a, b) => a.at.localeCompare(b.at))) {
    if (e.success === null || !e.cellId) continue;
    const key = `${e.notebookPath ?? ''}\u0000${e.cellId}`;
    const cell = cells.get(key) ?? { cellId: e.cellId, cellIndex: e.cellIndex, results: [] };
    cell.results.push(e.success);
    if (e.cellIndex !== null) cell.cellIndex = e.cellIndex;
    cells.set(key, cell);
  }
  return [...cells.values()].sort((a, b) => (a.cellIndex ?? Infinity) - (b.cellIndex ?? Infinity) || a.cellId.localeCompare(b.cellId));
}

/** The student's latest events, newest first (execution starts left out: the completion says it all). */
export async function loadTimeline(db: Knex, userId: string): Promise<TimelineEntry[]> {
  const rows: Array<{ payload: unknown; event_time: string | Date }> = await db('events')
    .where({ user_id: userId })
    .whereNot({ event_type: EVENT_TYPES.cellExecutionStart })
    .orderBy([{ column: 'event_time', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(TIMELINE_LIMIT)
    .select('payload', 'event_time');
  return rows.map((r) => timelineEntry({ ...(json(r.payload) as CellEvent), eventTime: iso(r.event_time)! }));
}
