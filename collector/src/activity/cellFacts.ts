/**
 * The cell-facts projection: what a student's events say about her work, as rows — the notebooks
 * (one row per path), her sessions, her cells (latest content), every run (`cell_executions`) and
 * every open/save/close (`notebook_accesses`). Sessions and cells belong to one student: their ids
 * come from clients (a session id, a template notebook's cell ids) and may be the same for two.
 * Upserts keep the later last-seen / earlier first-seen time, whatever order batches arrive in.
 * Returns the row ids the error-log projection (errorLogs.ts) refers to.
 */
import type { CellEvent } from '@cell-monitor/shared';
import { isPostgres } from '../db/createDb.ts';
import { CHUNK, insertRecordset, timeMerges, upsertRecordset, type Columns } from '../db/insertRecordset.ts';
import { latestBy } from '../persist/eventRows.ts';
import { ensureNotebookIds } from './notebooks.ts';
import type { EventRefs, GatedProjection, ProjectionBatch } from '../persist/projection.ts';
import { EVENT_TYPES } from '@cell-monitor/shared';
import { accessAction, executionStatus, isExecutionEvent } from './rowsFromEvents.ts';

const FACT_COLUMNS: Record<'cell_executions' | 'notebook_accesses', Columns> = {
  cell_executions: {
    event_id: 'text', student_id: 'integer', notebook_id: 'integer', cell_id: 'integer', session_id: 'integer', status: 'text',
    execution_count: 'integer', cell_index: 'integer', duration_ms: 'double precision', code: 'text', output: 'jsonb', executed_at: 'timestamptz',
  },
  notebook_accesses: { event_id: 'text', student_id: 'integer', notebook_id: 'integer', session_id: 'integer', action: 'text', accessed_at: 'timestamptz' },
};

/** The upserted tables' columns, as PostgreSQL reads a batch of them (upsertRecordset). */
const UPSERT_COLUMNS: Record<'sessions' | 'cells', Columns> = {
  sessions: { session_id: 'text', student_id: 'integer', notebook_path: 'text', started_at: 'timestamptz', last_seen_at: 'timestamptz', ended_at: 'timestamptz' },
  cells: { student_id: 'integer', notebook_id: 'integer', cell_id: 'text', cell_type: 'text', content: 'text', updated_at: 'timestamptz' },
};

/** Inserts fact rows (runs, accesses, error logs) in chunks; SQLite has no jsonb: an output column holds its JSON text. */
export async function insertFacts(batch: ProjectionBatch, table: string, columns: Columns, rows: Array<Record<string, unknown>>): Promise<void> {
  const pg = isPostgres(batch.trx);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    if (pg) await insertRecordset(batch.trx, table, columns, chunk);
    else await batch.trx(table).insert(chunk.map((r) => ('output' in r && r.output !== null ? { ...r, output: JSON.stringify(r.output) } : r)));
  }
}

async function write(batch: ProjectionBatch): Promise<EventRefs> {
  const { trx, events, studentId } = batch;
  const pg = isPostgres(trx);
  const { later, earlier } = timeMerges(trx, pg);

  const notebookId = await ensureNotebookIds(trx, events.map((e) => e.notebookPath).filter((p): p is string => !!p));

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
    const rows: { id: number; student_id: number; session_id: string }[] = pg
      ? await upsertRecordset(trx, 'sessions', UPSERT_COLUMNS.sessions, sessionRows, {
        conflict: ['student_id', 'session_id'],
        merge: {
          started_at: 'LEAST(sessions.started_at, excluded.started_at)',
          last_seen_at: 'GREATEST(sessions.last_seen_at, excluded.last_seen_at)',
          ended_at: 'COALESCE(excluded.ended_at, sessions.ended_at)',
        },
        returning: ['id', 'student_id', 'session_id'],
      })
      : await trx('sessions')
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
    const merge = { cell_type: 'COALESCE(excluded.cell_type, cells.cell_type)', content: 'COALESCE(excluded.content, cells.content)' };
    const rows: { id: number; student_id: number; notebook_id: number; cell_id: string }[] = pg
      ? await upsertRecordset(trx, 'cells', UPSERT_COLUMNS.cells, cellRows, {
        conflict: ['student_id', 'notebook_id', 'cell_id'],
        merge: { ...merge, updated_at: 'GREATEST(cells.updated_at, excluded.updated_at)' },
        returning: ['id', 'student_id', 'notebook_id', 'cell_id'],
      })
      : await trx('cells')
        .insert(cellRows)
        .onConflict(['student_id', 'notebook_id', 'cell_id'])
        .merge({ cell_type: trx.raw(merge.cell_type), content: trx.raw(merge.content), updated_at: later('cells', 'updated_at') })
        .returning(['id', 'student_id', 'notebook_id', 'cell_id']);
    for (const r of rows) cellId.set(`${r.student_id}\u0000${r.notebook_id}\u0000${r.cell_id}`, r.id);
  }

  const refs: EventRefs = {
    notebook: (e) => (e.notebookPath ? notebookId.get(e.notebookPath) ?? null : null),
    cell: (e) => (cellKey(e) ? cellId.get(cellKey(e)!) ?? null : null),
    session: (e) => (sessionKey(e) ? sessionId.get(sessionKey(e)!) ?? null : null),
  };
  const executions = events.filter((e) => isExecutionEvent(e.eventType)).map((e) => ({
    event_id: e.eventId,
    student_id: studentId.get(e.userId)!,
    notebook_id: refs.notebook(e),
    cell_id: refs.cell(e),
    session_id: refs.session(e),
    status: executionStatus(e),
    execution_count: e.executionCount ?? null,
    cell_index: e.cellIndex ?? null,
    duration_ms: e.durationMs ?? null,
    code: e.code ?? null,
    output: e.output ?? null,
    executed_at: e.eventTime,
  }));
  const accesses = events.filter((e) => accessAction(e)).map((e) => ({
    event_id: e.eventId,
    student_id: studentId.get(e.userId)!,
    notebook_id: notebookId.get(e.notebookPath!)!,
    session_id: refs.session(e),
    action: accessAction(e)!,
    accessed_at: e.eventTime,
  }));
  await insertFacts(batch, 'cell_executions', FACT_COLUMNS.cell_executions, executions);
  await insertFacts(batch, 'notebook_accesses', FACT_COLUMNS.notebook_accesses, accesses);
  return refs;
}

export const cellFactsProjection: GatedProjection = {
  kind: 'gated',
  name: 'notebooks, sessions, cells, cell_executions, notebook_accesses',
  accepts: () => true,
  write,
};
