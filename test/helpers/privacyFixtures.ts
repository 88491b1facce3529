/**
 * Fixtures of the privacy tests: a student's activity at a given age (one set of events that makes
 * a row in every derived table), a census of every table per student, and the buffer file as a
 * test reads it.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Knex } from 'knex';
import * as assert from 'uvu/assert';
import { PERSONAL_TABLES, STUDENTS } from '../../collector/src/privacy/registry.ts';
import { buildCellEvent } from './stack.ts';

export const DAY_MS = 86_400_000;

export const notebookOf = (userId: string, tag: string) => `/privacy/${tag}-${userId}.ipynb`;

/**
 * Five events of `userId` starting at `base`, on their own notebook and session: one of each of
 * sessions, notebook_accesses, error_logs, error_groups, help_requests (closed by the cancel); two
 * cells, two cell_executions, two cell_progress. `extra` adds more events after them.
 */
export function activity(userId: string, base: Date, tag: string, extra: Array<Record<string, unknown>> = []): Array<Record<string, any>> {
  const at = (s: number) => new Date(base.getTime() + s * 1000).toISOString();
  const common = { userId, sessionId: `${tag}-${userId}`, notebookPath: notebookOf(userId, tag) };
  return [
    { eventType: 'notebook_opened', cellId: 'c1' },
    { eventType: 'cell_execution_complete', cellId: 'c1', success: true },
    { eventType: 'cell_execution_complete', cellId: 'c2', success: false, error: { name: 'NameError', message: "name 'x' is not defined" } },
    { eventType: 'help_request', cellId: 'c2' },
    { eventType: 'help_cancel', cellId: 'c2' },
    ...extra,
  ].map((e, i) => buildCellEvent({ ...common, ...e, eventTime: at(i) }));
}

/**
 * A `notebook_snapshot` of `userId`'s notebook (the activity's, `tag`) at `at`: two cells, one the
 * same for every student (a template's: its blob is shared), one her own, with outputs. Stored by
 * history's own-table projection (never in `events`): one history_versions row, two
 * history_version_cells rows, and (taken when she handed it in) a history_commits row.
 */
export function snapshotEvent(userId: string, at: Date, tag: string): Record<string, any> {
  return buildCellEvent({
    userId, sessionId: `${tag}-${userId}`, notebookPath: notebookOf(userId, tag), eventType: 'notebook_snapshot', eventTime: at.toISOString(),
    cellId: undefined, code: undefined, output: undefined, executionCount: undefined, durationMs: undefined, success: undefined,
    metadata: { snapshot: { trigger: 'submission', cells: [
      { id: 'c1', type: 'markdown', source: '# Week 1 (template)' },
      { id: 'c2', type: 'code', source: `name = ${JSON.stringify(userId)}`, outputs: JSON.stringify([{ output_type: 'stream', name: 'stdout', text: userId }]) },
    ] } },
  });
}

export type Census = Record<string, Record<string, number>>;

/**
 * Rows per personal table of the registry (privacy/registry.ts, never a list of our own) per
 * student, each by the column its owner declares: her user name or her student id (`students`: 0 or 1).
 */
export async function census(store: Knex, userIds: string[]): Promise<Census> {
  const out: Census = {};
  for (const userId of userIds) {
    const student = await store(STUDENTS.table).where({ user_id: userId }).first('id');
    const row: Record<string, number> = {};
    for (const { table, key } of PERSONAL_TABLES) {
      const value = key === 'user_id' ? userId : student?.id;
      row[table] = value === undefined ? 0 : Number((await store(table).where(key, value).count({ n: '*' }))[0].n);
    }
    out[userId] = row;
  }
  return out;
}

/**
 * The counts `sets` activity sets make (`activity` below), plus the given overrides; every other
 * personal table of the registry 0 (the activity makes no row there).
 */
export function expected(sets: number, overrides: Record<string, number> = {}): Record<string, number> {
  const none = Object.fromEntries(PERSONAL_TABLES.map((t) => [t.table, 0]));
  const base = { students: 1, events: 5 * sets, sessions: sets, cells: 2 * sets, cell_executions: 2 * sets, cell_progress: 2 * sets, error_logs: sets, error_groups: sets, notebook_accesses: sets, help_requests: sets };
  return { ...none, ...base, ...overrides };
}

/** The collector's buffer file under DATA_DIR, read as the tests inspect it. */
export function openBufferFile(dataDir: string): Database.Database {
  return new Database(path.join(dataDir, 'buffer.sqlite'));
}

export function bufferRowsOf(dataDir: string, userId: string): { rows: number; deadLetters: number; eventTimes: string[] } {
  const db = openBufferFile(dataDir);
  try {
    const user = "CASE WHEN json_valid(body) THEN json_extract(body, '$.userId') END = ?";
    const rows = db.prepare(`SELECT json_extract(body, '$.eventTime') AS t FROM buffer WHERE ${user} ORDER BY seq`).all(userId) as Array<{ t: string }>;
    const dead = db.prepare(`SELECT COUNT(*) AS n FROM dead_letters WHERE ${user}`).get(userId) as { n: number };
    return { rows: rows.length, deadLetters: dead.n, eventTimes: rows.map((r) => r.t) };
  } finally {
    db.close();
  }
}

export interface ParsedExport {
  header: { userId: string; exportedAt: string; student: Record<string, any> | null };
  /** Rows by table (tables without rows absent). */
  tables: Record<string, Array<Record<string, any>>>;
  seats: Array<{ classId: number; x: number; y: number }>;
  bufferRows: Array<Record<string, any>>;
  deadLetters: Array<Record<string, any>>;
  streams: Record<string, Array<Record<string, any>>>;
  /** The last record's row counts per table (every table of the registry, zero included). */
  rows: Record<string, number>;
}

/** An NDJSON export (privacy/studentData.ts), checked line by line: a header first, `end` last. */
export function parseExport(text: string): ParsedExport {
  const lines = text.split('\n');
  assert.is(lines.pop(), '', 'the export ends with a newline');
  const records = lines.map((l) => JSON.parse(l));
  assert.is(records[0].kind, 'export');
  assert.is(records[records.length - 1].kind, 'end', 'the export is complete');
  const out: ParsedExport = { header: records[0], tables: {}, seats: [], bufferRows: [], deadLetters: [], streams: {}, rows: records[records.length - 1].rows };
  for (const r of records.slice(1, -1)) {
    const { kind, ...rest } = r;
    if (kind === 'row') (out.tables[r.table] ??= []).push(r.row);
    else if (kind === 'seat') out.seats.push(rest);
    else if (kind === 'buffer_row') out.bufferRows.push(rest);
    else if (kind === 'buffer_dead_letter') out.deadLetters.push(rest);
    else if (kind === 'stream_entry') (out.streams[r.stream] ??= []).push(rest);
    else assert.unreachable(`unknown record kind ${kind}`);
  }
  return out;
}
