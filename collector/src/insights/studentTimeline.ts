/**
 * One student's timeline for the dashboard: runs (code when captured, duration, result), errors
 * with traceback, saves, help requests, kernel restarts, newest first; and per cell, every attempt
 * in order. Outputs are cut to a few KB of text: the page shows them as text, never as HTML.
 */
import type { Knex } from 'knex';
import { EVENT_TYPES, type CellEvent, type TimelineEntry } from '@cell-monitor/shared';
import { isPostgres } from '../db/createDb.ts';
import { iso, json } from '../db/rows.ts';
import { joinRunAndError } from '../activity/reads.ts';
import type { ClassesFor } from '../classes/classBoundary.ts';
import { userRowsIn } from '../classes/rowScopes.ts';
import { userTimelineEvents } from '../persist/eventReads.ts';

export const TIMELINE_LIMIT = 300;
export const OUTPUT_CHARS = 4_000;

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

/** Code and tracebacks in the timeline are cut to this many characters (a hostile 1 MB cell stays in the store). */
export const TIMELINE_CODE_CHARS = 4_000;
const TRACEBACK_CHARS = 4_000;
const MESSAGE_CHARS = 4_000;
/** An output up to this size (serialised) is read whole and shown as text; a larger one only as its first characters. */
const OUTPUT_JSON_CHARS = 16_384;

interface TimelineRow {
  event_id: string;
  event_type: string;
  event_time: string | Date;
  notebook_path: string | null;
  cell_id: string | null;
  cell_index: number | string | null;
  status: string | null;
  duration_ms: number | string | null;
  code: string | null;
  /** Set only when the code was cut: its size in bytes. */
  code_bytes: number | string | null;
  output_json: unknown;
  output_cut: string | null;
  error_name: string | null;
  error_message: string | null;
  traceback: string | null;
  traceback_cut: number | string | boolean | null;
}

/** The first characters of a large output as text: a string's own text, a truncation record's preview, else its JSON. */
function largeOutput(pg: boolean): string {
  const n = OUTPUT_CHARS + 1;
  return pg
    ? `CASE WHEN jsonb_typeof(x.output) = 'string' THEN substr(x.output #>> '{}', 1, ${n}) WHEN jsonb_typeof(x.output->'preview') = 'string' THEN substr(x.output->>'preview', 1, ${n}) ELSE substr(x.output::text, 1, ${n}) END`
    : `CASE json_type(x.output) WHEN 'text' THEN substr(json_extract(x.output, '$'), 1, ${n}) WHEN 'object' THEN COALESCE(substr(json_extract(x.output, '$.preview'), 1, ${n}), substr(x.output, 1, ${n})) ELSE substr(x.output, 1, ${n}) END`;
}

/** The selected columns of `ev` (the event), `x` (its run) and `el` (its error), cut in the database: no payload crosses into the event loop whole. */
function timelineColumns(db: Knex): Knex.Raw[] {
  const pg = isPostgres(db);
  // Sizes in bytes (cheap on both engines: no character count of a 1 MB text), truncation by probing
  // the character just past the cut.
  const bytes = (column: string) => (pg ? `octet_length(${column})` : `length(CAST(${column} AS BLOB))`);
  const outputChars = pg ? 'octet_length(x.output::text)' : bytes('x.output');
  // Events that are no run (saves, help, restarts) carry their cell index in the payload only:
  // SQLite parses the JSON to read it, so only small payloads are read (PostgreSQL's jsonb is not parsed).
  const payloadIndex = pg ? "(ev.payload->>'cellIndex')" : `(CASE WHEN ${bytes('ev.payload')} <= 16384 THEN json_extract(ev.payload, '$.cellIndex') END)`;
  return [
    db.raw(`COALESCE(x.cell_index, ${pg ? `CASE WHEN jsonb_typeof(ev.payload->'cellIndex') = 'number' THEN ${payloadIndex}::bigint END` : payloadIndex}) AS cell_index`),
    db.raw(`substr(x.code, 1, ${TIMELINE_CODE_CHARS}) AS code`),
    db.raw(`CASE WHEN substr(x.code, ${TIMELINE_CODE_CHARS + 1}, 1) <> '' THEN ${bytes('x.code')} END AS code_bytes`),
    db.raw(`CASE WHEN ${outputChars} <= ${OUTPUT_JSON_CHARS} THEN x.output END AS output_json`),
    db.raw(`CASE WHEN ${outputChars} > ${OUTPUT_JSON_CHARS} THEN ${largeOutput(pg)} END AS output_cut`),
    db.raw(`substr(el.error_message, 1, ${MESSAGE_CHARS}) AS error_message`),
    db.raw(`substr(el.traceback, 1, ${TRACEBACK_CHARS}) AS traceback`),
    db.raw(`CASE WHEN substr(el.traceback, ${TRACEBACK_CHARS + 1}, 1) <> '' THEN 1 ELSE 0 END AS traceback_cut`),
  ];
}

function rowEntry(r: TimelineRow, pg: boolean): TimelineEntry {
  const run = r.event_type === EVENT_TYPES.cellExecutionComplete || r.event_type === EVENT_TYPES.cellExecutionError;
  const tracebackCut = r.traceback_cut === true || Number(r.traceback_cut) === 1;
  const output = r.output_cut !== null ? r.output_cut : r.output_json === null || r.output_json === undefined ? null : pg ? r.output_json : json(r.output_json);
  return {
    eventId: r.event_id,
    eventType: r.event_type,
    at: iso(r.event_time)!,
    notebookPath: r.notebook_path,
    cellId: r.cell_id,
    cellIndex: r.cell_index === null ? null : Number(r.cell_index),
    code: r.code,
    ...(r.code_bytes !== null ? { codeTruncated: true, codeBytes: Number(r.code_bytes) } : {}),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    success: run ? r.status !== null ? r.status === 'success' && r.error_name === null : r.event_type === EVENT_TYPES.cellExecutionComplete && r.error_name === null : null,
    error:
      r.error_name !== null
        ? { name: r.error_name, message: r.error_message ?? '', traceback: r.traceback === null ? null : tracebackCut ? `${r.traceback}…` : r.traceback, ...(tracebackCut ? { tracebackTruncated: true } : {}) }
        : null,
    output: outputText(output),
  };
}

/**
 * The student's latest events, newest first (execution starts left out: the completion says it
 * all), as far as `reach` shows them (classes/classBoundary.ts; null: everything, for an admin).
 * Read from the event columns and the derived rows (the run and error of each event,
 * activity/reads.ts) with code, output and traceback cut in the database, never from the payloads:
 * a student's 1 MB cells cost the reader a few KB each.
 */
export async function loadTimeline(db: Knex, userId: string, reach: ClassesFor | null): Promise<TimelineEntry[]> {
  const rows: TimelineRow[] = await userTimelineEvents(db, userId, { exceptType: EVENT_TYPES.cellExecutionStart, limit: TIMELINE_LIMIT, scope: userRowsIn(db, reach) })
    .modify(joinRunAndError, 'ev.event_id', 'x', 'el')
    .select('ev.event_id', 'ev.event_type', 'ev.event_time', 'ev.notebook_path', 'ev.cell_id', 'x.status', 'x.duration_ms', 'el.error_name', ...timelineColumns(db));
  const pg = isPostgres(db);
  return rows.map((r) => rowEntry(r, pg));
}
