/**
 * The events of a class in a time window, as the research exports read them: what the class
 * boundary shows (classes/rowScopes.ts: the class's students, from each one's enrolment on, minus
 * other classes' assignment notebooks), whose own time is in [from, to), in the store's arrival
 * order (row id), and no row stored after the export began (so two passes over the window — the
 * ProgSnap2 MainTable, then its code states — read the same rows).
 *
 * Read in pages — ranges of row ids (persist/eventReads.ts storedEventsPage), sized by the last
 * page's bytes and time — with the event loop given a turn between pages: a page of SQLite is read
 * synchronously, and a million-event export must not hold /healthz (or anyone's request) for more
 * than a page's worth of milliseconds.
 */
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { userRowsIn } from '../classes/rowScopes.ts';
import { classEnrolments, type EnrolmentRow } from '../classes/enrolments.ts';
import { iso } from '../db/rows.ts';
import { findStudent, studentIdsOf } from '../students/store.ts';
import { maxEventId, storedEventsPage, type StoredEventRow } from '../persist/eventReads.ts';
import type { Identity } from './pseudonyms.ts';

/** An export's subject: one class, a window of event time [from, to) as ISO 8601 UTC. */
export interface ExportWindow {
  classId: number;
  from: string;
  to: string;
}

/** A stored event with its times as ISO 8601 UTC and its payload parsed. */
export interface ExportEvent extends Omit<StoredEventRow, 'payload' | 'event_time' | 'persisted_at' | 'id'> {
  id: number;
  event_time: string;
  persisted_at: string;
  /** The payload parsed; `{}` when the pages were read with `parse: false`. */
  payload: Record<string, unknown>;
  /** The payload as JSON text, when the pages were read with `parse: false`. */
  payloadText?: string;
}

const MAX_PAGE = 1000;
const MIN_PAGE = 20;
/** A page is also cut to about this many bytes of payload (cells' code and outputs can be large). */
const PAGE_BYTES = 1 << 20;
/**
 * …and to about this long a turn: the read of a page (SQLite: synchronous) plus its conversion. The
 * consumer's work on a page (CSV, scrubbing) is of the same order, so a turn of the loop stays
 * within a few times this, and /healthz answers between turns.
 */
const PAGE_MS = 4;

/** The export's end of the store: the newest row id now (later rows are not part of it). */
export function exportUpTo(db: Knex): Promise<number> {
  return maxEventId(db);
}

/**
 * Everyone the class enrols (past the boundary there is nobody else): user names, and the names and
 * emails to hide — the class's (its roster) and the global ones (the students table).
 */
export async function classIdentities(db: Knex, classId: number): Promise<Identity[]> {
  const rows: EnrolmentRow[] = await classEnrolments(db, classId);
  const ids = await studentIdsOf(db, rows.map((r) => r.user_id));
  const out: Identity[] = [];
  for (const r of rows) {
    out.push({ userId: r.user_id, name: r.display_name, email: r.email });
    const id = ids.get(r.user_id);
    const global = id === undefined ? undefined : await findStudent(db, { id });
    if (global) out.push({ userId: r.user_id, name: global.name, email: global.email });
  }
  return out;
}

function parsed(payload: unknown): Record<string, unknown> {
  if (typeof payload === 'string') return JSON.parse(payload) as Record<string, unknown>;
  return (payload ?? {}) as Record<string, unknown>;
}

/** SQLite's `persisted_at` default is CURRENT_TIMESTAMP: UTC without a zone ("2026-12-03 06:55:32"). */
function utc(value: string | Date): string {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value)) return `${value.replace(' ', 'T')}.000Z`;
  return iso(value) ?? String(value);
}

/**
 * The window's events page by page (see the docblock); `upTo` from exportUpTo. `parse: false` leaves
 * the payload as its JSON text (`payloadText`): a reader that writes it as is allocates and keeps
 * half as much, which is what keeps the collector's pauses short during a million-event export.
 */
export async function* classEventPages(db: Knex, window: ExportWindow, upTo: number, options: { parse?: boolean } = {}): AsyncGenerator<ExportEvent[]> {
  const parse = options.parse !== false;
  const scope = userRowsIn(db, { classId: window.classId });
  let afterId = 0;
  let span = 100; // ids per page: follows the last page's cost in bytes and in time (PAGE_BYTES, PAGE_MS)
  while (afterId < upTo) {
    const started = performance.now();
    const rows = await storedEventsPage(db, { scope, from: window.from, to: window.to, afterId, span, upTo });
    let bytes = 0;
    const page: ExportEvent[] = rows.map((r) => {
      bytes += typeof r.payload === 'string' ? r.payload.length : 512;
      const times = { id: Number(r.id), event_time: utc(r.event_time), persisted_at: utc(r.persisted_at) };
      if (parse) return { ...r, ...times, payload: parsed(r.payload) };
      return { ...r, ...times, payload: {}, payloadText: typeof r.payload === 'string' ? r.payload : JSON.stringify(r.payload) };
    });
    const ms = performance.now() - started;
    if (page.length > 0) yield page;
    afterId = Math.min(upTo, afterId + span);
    // Rows of other classes (or outside the window) cost reading too: the span follows the time, and the bytes of the rows kept.
    const byBytes = page.length > 0 ? (span * PAGE_BYTES) / Math.max(bytes, 1) : Infinity;
    const byTime = (span * PAGE_MS) / Math.max(ms, 0.1);
    span = Math.max(MIN_PAGE, Math.min(MAX_PAGE, Math.floor(Math.min(byBytes, byTime, span * 2))));
    await new Promise((resolve) => setImmediate(resolve));
  }
}
