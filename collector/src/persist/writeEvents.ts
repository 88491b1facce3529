import type { Knex } from 'knex';
import { EVENT_TYPES, type CellEvent } from '@cell-monitor/shared';
import { isPostgres } from '../db/createDb.ts';
import { writeEnvironments } from '../environment/store.ts';
import { errorSignature } from './errorSignature.ts';
import { continuesAnsweredEpisode, isHelpHeartbeat } from './helpHeartbeat.ts';
import { writeSelfReported } from './selfReported.ts';
import { accessAction, eventRow, withoutNul, executionStatus, isExecutionEvent, latestBy, notebookName } from './rowsFromEvents.ts';

const CHUNK = 500;

export interface WriteOptions {
  /** LEGACY_CLASS_CODE: the class self-reported (v1) students join (persist/selfReported.ts). */
  legacyClassCode?: string;
}

/**
 * Stores a batch in one transaction and returns the events that were new. Idempotent on eventId:
 * the `events` insert is the gate — derived rows (students, sessions, notebooks, cells,
 * cell_executions, error_logs, notebook_accesses, help_requests) are written only for events it actually inserted,
 * so a resend or a second collector racing on the same entry writes nothing twice.
 */
export async function writeEvents(db: Knex, batch: CellEvent[], options: WriteOptions = {}): Promise<CellEvent[]> {
  if (batch.length === 0) return [];
  const all = batch.map(withoutNul);
  // Connection checks went through buffer and stream like any event; they land in their own table.
  const tests = all.filter((e) => e.eventType === EVENT_TYPES.connectionTest);
  // Kernel environments are stored per student (deduplicated), not as events.
  const environments = all.filter((e) => e.eventType === EVENT_TYPES.kernelEnvironment);
  const events = tests.length || environments.length ? all.filter((e) => e.eventType !== EVENT_TYPES.connectionTest && e.eventType !== EVENT_TYPES.kernelEnvironment) : all;
  const pg = isPostgres(db);
  return db.transaction(async (trx) => {
    if (tests.length) await writeConnectionTests(trx, tests);
    if (environments.length) await writeEnvironments(trx, environments);
    const insertedIds = new Set<string>();
    for (let i = 0; i < events.length; i += CHUNK) {
      const chunk = events.slice(i, i + CHUNK);
      const returned: { event_id: string }[] = pg
        ? await insertRecordset(trx, 'events', EVENT_COLUMNS, chunk.map((e) => ({ ...eventRow(e), payload: e })), 'ON CONFLICT (event_id) DO NOTHING RETURNING event_id')
        : await trx('events').insert(chunk.map(eventRow)).onConflict('event_id').ignore().returning('event_id');
      for (const r of returned) insertedIds.add(r.event_id);
    }
    const fresh = events.filter((e) => insertedIds.delete(e.eventId)); // delete: a duplicate inside one batch counts once
    if (fresh.length > 0) await writeDerived(trx, fresh, options);
    return fresh;
  });
}

/** Test events are kept 10 minutes: older ones go as new ones arrive. */
export const CONNECTION_TEST_KEEP_MS = 10 * 60_000;

async function writeConnectionTests(trx: Knex.Transaction, tests: CellEvent[]): Promise<void> {
  const storedAt = new Date().toISOString();
  await trx('connection_tests')
    .insert(tests.map((e) => ({ event_id: e.eventId, user_id: e.userId, sent_at: e.eventTime, stored_at: storedAt })))
    .onConflict('event_id')
    .ignore();
  await trx('connection_tests').where('stored_at', '<', new Date(Date.now() - CONNECTION_TEST_KEEP_MS).toISOString()).delete();
}

async function writeDerived(trx: Knex.Transaction, events: CellEvent[], options: WriteOptions): Promise<void> {
  // Upserts keep the later last-seen / earlier first-seen time, whatever order batches arrive in.
  const pg = isPostgres(trx);
  const later = (table: string, column: string) =>
    pg
      ? trx.raw(`GREATEST(??, excluded.??)`, [`${table}.${column}`, column])
      : trx.raw(`MAX(COALESCE(??, excluded.??), excluded.??)`, [`${table}.${column}`, column, column]);
  const earlier = (table: string, column: string) =>
    pg
      ? trx.raw(`LEAST(??, excluded.??)`, [`${table}.${column}`, column])
      : trx.raw(`MIN(COALESCE(??, excluded.??), excluded.??)`, [`${table}.${column}`, column, column]);

  const studentRows = [...latestBy(events, (e) => e.userId, (e) => e.eventTime)].map(([user_id, t]) => ({ user_id, last_seen_at: t }));
  const students: { id: number; user_id: string }[] = await trx('students')
    .insert(studentRows)
    .onConflict('user_id')
    .merge({ last_seen_at: later('students', 'last_seen_at') })
    .returning(['id', 'user_id']);
  const studentId = new Map(students.map((s) => [s.user_id, s.id]));
  await writeSelfReported(trx, events, studentId, options.legacyClassCode);

  const paths = [...new Set(events.map((e) => e.notebookPath).filter((p): p is string => !!p))].sort();
  const notebookId = new Map<string, number>();
  if (paths.length > 0) {
    await trx('notebooks').insert(paths.map((path) => ({ path, name: notebookName(path) }))).onConflict('path').ignore();
    for (const n of await trx('notebooks').select('id', 'path').whereIn('path', paths)) notebookId.set(n.path, n.id);
  }

  // Sessions and cells belong to one student: their ids come from clients (a session id, a template
  // notebook's cell ids) and may be the same for two students.
  const sessionKey = (e: CellEvent) => (e.sessionId ? `${studentId.get(e.userId)}\u0000${e.sessionId}` : undefined);
  const firstSeen = new Map<string, string>();
  for (const e of events) {
    const key = sessionKey(e);
    if (key && !(firstSeen.get(key)! <= e.eventTime)) firstSeen.set(key, e.eventTime);
  }
  const sessionRows = [...latestBy(events, sessionKey, (e) => e)].map(([key, e]) => ({
    session_id: e.sessionId!,
    student_id: studentId.get(e.userId)!,
    notebook_path: e.notebookPath ?? null,
    started_at: firstSeen.get(key)!,
    last_seen_at: e.eventTime,
    ended_at: e.eventType === EVENT_TYPES.sessionEnd ? e.eventTime : null,
  }));
  const sessionId = new Map<string, number>();
  if (sessionRows.length > 0) {
    const rows: { id: number; student_id: number; session_id: string }[] = await trx('sessions')
      .insert(sessionRows)
      .onConflict(['student_id', 'session_id'])
      .merge({
        started_at: earlier('sessions', 'started_at'),
        last_seen_at: later('sessions', 'last_seen_at'),
        ended_at: trx.raw('COALESCE(excluded.ended_at, sessions.ended_at)'),
      })
      .returning(['id', 'student_id', 'session_id']);
    for (const r of rows) sessionId.set(`${r.student_id}\u0000${r.session_id}`, r.id);
  }

  const cellKey = (e: CellEvent) => (e.notebookPath && e.cellId ? `${studentId.get(e.userId)}\u0000${notebookId.get(e.notebookPath)}\u0000${e.cellId}` : undefined);
  const cellRows = [...latestBy(events, cellKey, (e) => e)].map(([, e]) => ({
    student_id: studentId.get(e.userId)!,
    notebook_id: notebookId.get(e.notebookPath!)!,
    cell_id: e.cellId!,
    cell_type: e.cellType ?? null,
    content: e.code ?? null,
    updated_at: e.eventTime,
  }));
  const cellId = new Map<string, number>();
  if (cellRows.length > 0) {
    const rows: { id: number; student_id: number; notebook_id: number; cell_id: string }[] = await trx('cells')
      .insert(cellRows)
      .onConflict(['student_id', 'notebook_id', 'cell_id'])
      .merge({
        cell_type: trx.raw('COALESCE(excluded.cell_type, cells.cell_type)'),
        content: trx.raw('COALESCE(excluded.content, cells.content)'),
        updated_at: later('cells', 'updated_at'),
      })
      .returning(['id', 'student_id', 'notebook_id', 'cell_id']);
    for (const r of rows) cellId.set(`${r.student_id}\u0000${r.notebook_id}\u0000${r.cell_id}`, r.id);
  }

  const refs = (e: CellEvent) => ({
    student_id: studentId.get(e.userId)!,
    notebook_id: e.notebookPath ? notebookId.get(e.notebookPath) ?? null : null,
    cell_id: cellKey(e) ? cellId.get(cellKey(e)!) ?? null : null,
  });
  const executions = events.filter((e) => isExecutionEvent(e.eventType)).map((e) => ({
    event_id: e.eventId,
    ...refs(e),
    session_id: sessionKey(e) ? sessionId.get(sessionKey(e)!) ?? null : null,
    status: executionStatus(e),
    execution_count: e.executionCount ?? null,
    cell_index: e.cellIndex ?? null,
    duration_ms: e.durationMs ?? null,
    code: e.code ?? null,
    output: e.output ?? null,
    executed_at: e.eventTime,
  }));
  const errors = events.filter((e) => e.error).map((e) => ({
    event_id: e.eventId,
    ...refs(e),
    error_name: e.error!.name,
    error_message: e.error!.message,
    signature: errorSignature(e.error!.name, e.error!.message),
    cell_index: e.cellIndex ?? null,
    traceback: e.error!.traceback ?? null,
    occurred_at: e.eventTime,
  }));
  const accesses = events.filter((e) => accessAction(e)).map((e) => ({
    event_id: e.eventId,
    student_id: studentId.get(e.userId)!,
    notebook_id: notebookId.get(e.notebookPath!)!,
    session_id: sessionKey(e) ? sessionId.get(sessionKey(e)!) ?? null : null,
    action: accessAction(e)!,
    accessed_at: e.eventTime,
  }));
  await writeHelpRequests(trx, events, studentId);
  for (const [table, rows] of [['cell_executions', executions], ['error_logs', errors], ['notebook_accesses', accesses]] as const) {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      if (pg) await insertRecordset(trx, table, FACT_COLUMNS[table], chunk);
      // SQLite has no jsonb: the output column holds its JSON text.
      else await trx(table).insert(chunk.map((r) => ('output' in r && r.output !== null ? { ...r, output: JSON.stringify(r.output) } : r)));
    }
  }
}

/**
 * help_request opens a request, help_cancel closes the student's open ones (on that notebook when it
 * names one), in event-time order. A second request while one is open on the same notebook is the
 * same request (a reloaded page that lost its button state, a v1 client's heartbeat), not a new one
 * in the queue; a v1 heartbeat after a resolve does not reopen it either (persist/helpHeartbeat.ts).
 */
async function writeHelpRequests(trx: Knex.Transaction, events: CellEvent[], studentId: Map<string, number>): Promise<void> {
  const help = events
    .filter((e) => e.eventType === EVENT_TYPES.helpRequest || e.eventType === EVENT_TYPES.helpCancel)
    .sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0));
  for (const e of help) {
    const student = studentId.get(e.userId)!;
    const open = trx('help_requests').where({ student_id: student }).whereNull('resolved_at').whereNull('cancelled_at');
    if (e.notebookPath) open.where((q) => q.where({ notebook_path: e.notebookPath }).orWhereNull('notebook_path'));
    if (e.eventType === EVENT_TYPES.helpCancel) {
      await open.update({ cancelled_at: e.eventTime });
    } else if (!(await open.clone().first('id')) && !(isHelpHeartbeat(e) && (await continuesAnsweredEpisode(trx, e, student)))) {
      await trx('help_requests').insert({
        event_id: e.eventId,
        student_id: student,
        notebook_path: e.notebookPath ?? null,
        cell_id: e.cellId ?? null,
        cell_index: e.cellIndex ?? null,
        requested_at: e.eventTime,
      });
    }
  }
}

type Columns = Record<string, string>;

const EVENT_COLUMNS: Columns = {
  event_id: 'text', event_type: 'text', event_time: 'timestamptz', user_id: 'text', session_id: 'text',
  notebook_path: 'text', cell_id: 'text', payload: 'jsonb',
};
const FACT_COLUMNS: Record<'cell_executions' | 'error_logs' | 'notebook_accesses', Columns> = {
  cell_executions: {
    event_id: 'text', student_id: 'integer', notebook_id: 'integer', cell_id: 'integer', session_id: 'integer', status: 'text',
    execution_count: 'integer', cell_index: 'integer', duration_ms: 'double precision', code: 'text', output: 'jsonb', executed_at: 'timestamptz',
  },
  error_logs: {
    event_id: 'text', student_id: 'integer', notebook_id: 'integer', cell_id: 'integer', error_name: 'text', error_message: 'text',
    signature: 'text', cell_index: 'integer', traceback: 'text', occurred_at: 'timestamptz',
  },
  notebook_accesses: { event_id: 'text', student_id: 'integer', notebook_id: 'integer', session_id: 'integer', action: 'text', accessed_at: 'timestamptz' },
};

/**
 * PostgreSQL: many rows as ONE jsonb parameter expanded by jsonb_to_recordset. A multi-row VALUES
 * list of 500 rows carries thousands of parameters, and parsing/planning it cost more server time
 * than executing it (see the benchmark notes in the README).
 */
async function insertRecordset<T = unknown>(trx: Knex.Transaction, table: string, columns: Columns, rows: object[], tail = ''): Promise<T[]> {
  const names = Object.keys(columns);
  const list = names.map((n) => `"${n}"`).join(', ');
  const shape = names.map((n) => `"${n}" ${columns[n]}`).join(', ');
  const result = await trx.raw(`INSERT INTO "${table}" (${list}) SELECT ${list} FROM jsonb_to_recordset(?::jsonb) AS r(${shape}) ${tail}`, [JSON.stringify(rows)]);
  return result.rows as T[];
}
