/**
 * The cell-progress projection: one `cell_progress` row per student × notebook × cell, kept as her
 * runs are persisted (in the batch's transaction, after the cell facts), so the per-cell progress
 * reads 40 rows a student instead of summing every run (reads.ts `cellRunSums` is the definition,
 * progressReads.ts the read). A run is a `cell_executions` row with a notebook, a cell and the
 * status success or error; per row:
 *
 * | column                | is, over her runs of that cell (in time order, then arrival)       |
 * |-----------------------|--------------------------------------------------------------------|
 * | attempts              | how many                                                           |
 * | first_success_attempt | the 1-based attempt that first succeeded (null: none did)          |
 * | seconds               | per run, the time since her previous run in the notebook (any cell), capped at MAX_GAP_SECONDS; 0 for her first |
 * | last_status           | the status of the latest                                           |
 * | first_run_at / last_run_at | the earliest / latest time                                    |
 * | cell_index            | the highest position seen                                          |
 * | cell_key              | the client's cell id (`cells.cell_id`), so the read joins no cells  |
 *
 * In order (every new run at or after her latest run in that notebook) a batch adds to the rows:
 * one upsert for the batch. A run older than that (an offline queue delivering late) changes the
 * attempt numbers and the gaps after it, so her rows of that notebook are computed again from
 * `cell_executions` (`recomputePairs`, the same window query as the read). Either way the row equals
 * what `cellRunSums` gives over all her runs. Two collectors persisting the same student's runs at
 * the same instant (Redis mode) add both counts; a gap may then be measured from the other's
 * previous run (the next late run or the retention sweep recomputes it).
 */
import type { Knex } from 'knex';
import { isPostgres, writeTransaction } from '../db/createDb.ts';
import { timeMerges, upsertRecordset, type Columns } from '../db/insertRecordset.ts';
import type { GatedProjection, ProjectionBatch } from '../persist/projection.ts';
import { executionStatus, isExecutionEvent } from './rowsFromEvents.ts';
import { runSums } from './runSums.ts';

/** A gap between two runs longer than this (s) is a break, not time spent on the next cell. */
export const MAX_GAP_SECONDS = 600;

interface Run {
  studentId: number;
  notebookId: number;
  cellId: number;
  cellKey: string;
  status: 'success' | 'error';
  at: number;
  iso: string;
  cellIndex: number | null;
  order: number;
}

interface Sum {
  student_id: number;
  notebook_id: number;
  cell_id: number;
  cell_key: string;
  attempts: number;
  first_success_attempt: number | null;
  seconds: number;
  last_status: string;
  first_run_at: string;
  last_run_at: string;
  cell_index: number | null;
}

/** A Sum's columns, as PostgreSQL reads a batch of them (upsertRecordset). */
const SUM_COLUMNS: Columns = {
  student_id: 'integer', notebook_id: 'integer', cell_id: 'integer', cell_key: 'text', attempts: 'integer', first_success_attempt: 'integer',
  seconds: 'double precision', last_status: 'text', first_run_at: 'timestamptz', last_run_at: 'timestamptz', cell_index: 'integer',
};

const pairKey = (studentId: number, notebookId: number) => `${studentId}:${notebookId}`;
const time = (value: string | Date) => (value instanceof Date ? value.getTime() : Date.parse(value));

/** The runs of a pair's new events, summed per cell, the first gap measured from `previous` (ms; undefined: her first run). */
function sumRuns(runs: Run[], previous: number | undefined): Sum[] {
  const sums = new Map<number, Sum>();
  let prev = previous;
  for (const r of [...runs].sort((a, b) => a.at - b.at || a.order - b.order)) {
    const gap = prev === undefined ? 0 : Math.min(Math.max(0, (r.at - prev) / 1000), MAX_GAP_SECONDS);
    prev = r.at;
    let s = sums.get(r.cellId);
    if (!s) {
      s = { student_id: r.studentId, notebook_id: r.notebookId, cell_id: r.cellId, cell_key: r.cellKey, attempts: 0, first_success_attempt: null, seconds: 0, last_status: r.status, first_run_at: r.iso, last_run_at: r.iso, cell_index: null };
      sums.set(r.cellId, s);
    }
    s.attempts++;
    if (s.first_success_attempt === null && r.status === 'success') s.first_success_attempt = s.attempts;
    s.seconds += gap;
    s.last_status = r.status;
    s.last_run_at = r.iso;
    if (r.cellIndex !== null && (s.cell_index === null || r.cellIndex > s.cell_index)) s.cell_index = r.cellIndex;
  }
  return [...sums.values()];
}

async function write(batch: ProjectionBatch): Promise<void> {
  const { trx, studentId, refs } = batch;
  const byPair = new Map<string, Run[]>();
  batch.events.forEach((e, order) => {
    if (!isExecutionEvent(e.eventType)) return;
    const status = executionStatus(e);
    const notebookId = refs.notebook(e);
    const cellId = refs.cell(e);
    if (status === 'running' || notebookId === null || cellId === null) return;
    const run: Run = { studentId: studentId.get(e.userId)!, notebookId, cellId, cellKey: e.cellId!, status, at: Date.parse(e.eventTime), iso: e.eventTime, cellIndex: e.cellIndex ?? null, order };
    const key = pairKey(run.studentId, notebookId);
    const pair = byPair.get(key);
    if (pair) pair.push(run);
    else byPair.set(key, [run]);
  });
  if (byPair.size === 0) return;

  // Her latest run so far in each notebook of the batch (one grouped read over the batch's pairs).
  const runs = [...byPair.values()].flat();
  const latest = new Map<string, number>();
  const stored: Array<{ student_id: number; notebook_id: number; last: string | Date }> = await trx('cell_progress')
    .whereIn('notebook_id', [...new Set(runs.map((r) => r.notebookId))])
    .whereIn('student_id', [...new Set(runs.map((r) => r.studentId))])
    .groupBy('student_id', 'notebook_id')
    .select('student_id', 'notebook_id')
    .max({ last: 'last_run_at' });
  for (const s of stored) latest.set(pairKey(Number(s.student_id), Number(s.notebook_id)), time(s.last));

  const sums: Sum[] = [];
  const late: Array<[number, number]> = [];
  for (const [key, pairRuns] of byPair) {
    const previous = latest.get(key);
    if (previous !== undefined && pairRuns.some((r) => r.at < previous)) late.push([pairRuns[0].studentId, pairRuns[0].notebookId]);
    else sums.push(...sumRuns(pairRuns, previous));
  }
  await upsertSums(trx, sums);
  await recomputePairs(trx, late);
}

async function upsertSums(trx: Knex.Transaction, sums: Sum[]): Promise<void> {
  if (sums.length === 0) return;
  const pg = isPostgres(trx);
  const { later, earlier } = timeMerges(trx, pg);
  const higher = pg ? 'GREATEST(cell_progress.cell_index, excluded.cell_index)' : 'MAX(COALESCE(cell_progress.cell_index, excluded.cell_index), COALESCE(excluded.cell_index, cell_progress.cell_index))';
  const merge = {
    first_success_attempt: 'COALESCE(cell_progress.first_success_attempt, cell_progress.attempts + excluded.first_success_attempt)',
    attempts: 'cell_progress.attempts + excluded.attempts',
    seconds: 'cell_progress.seconds + excluded.seconds',
    last_status: 'excluded.last_status',
  };
  for (let i = 0; i < sums.length; i += 500) {
    const chunk = sums.slice(i, i + 500);
    if (pg) {
      await upsertRecordset(trx, 'cell_progress', SUM_COLUMNS, chunk, {
        conflict: ['notebook_id', 'student_id', 'cell_id'],
        merge: { ...merge, first_run_at: 'LEAST(cell_progress.first_run_at, excluded.first_run_at)', last_run_at: 'GREATEST(cell_progress.last_run_at, excluded.last_run_at)', cell_index: higher },
      });
      continue;
    }
    await trx('cell_progress')
      .insert(chunk)
      .onConflict(['notebook_id', 'student_id', 'cell_id'])
      .merge({
        ...Object.fromEntries(Object.entries(merge).map(([column, sql]) => [column, trx.raw(sql)])),
        first_run_at: earlier('cell_progress', 'first_run_at'),
        last_run_at: later('cell_progress', 'last_run_at'),
        cell_index: trx.raw(higher),
      });
  }
}

/**
 * Her rows of these notebooks computed again from every run in `cell_executions` (a late run; the
 * retention sweep after deleting old runs): two statements per 200 student × notebook pairs.
 */
export async function recomputePairs(trx: Knex.Transaction, pairs: Array<[number, number]>): Promise<void> {
  for (let i = 0; i < pairs.length; i += 200) {
    const chunk = pairs.slice(i, i + 200).map(([student, notebook]) => [notebook, student]);
    await trx('cell_progress').whereIn(['notebook_id', 'student_id'], chunk).delete();
    const sums = runSums(trx, { maxGapSeconds: MAX_GAP_SECONDS, narrow: (q) => void q.whereIn(['x.notebook_id', 'x.student_id'], chunk) })
      .join('cells as c', 'c.id', 'per.cell_id')
      .select('per.student_id', 'c.notebook_id', 'per.cell_id', 'c.cell_id as cell_key', 'per.runs', 'per.first_success', 'per.seconds', 'per.last_status', 'per.first_at', 'per.last_at', 'per.cell_index')
      .toSQL();
    await trx.raw(
      `INSERT INTO cell_progress (student_id, notebook_id, cell_id, cell_key, attempts, first_success_attempt, seconds, last_status, first_run_at, last_run_at, cell_index) ${sums.sql}`,
      sums.bindings,
    );
  }
}

/** After the retention sweep: the rows of runs older than `before` are computed again from the runs left (none left: no row). */
export async function rederiveProgress(db: Knex, before: Date): Promise<number> {
  const pairs: Array<{ student_id: number; notebook_id: number }> = await db('cell_progress').where('first_run_at', '<', before.toISOString()).distinct('student_id', 'notebook_id');
  for (let i = 0; i < pairs.length; i += 1000) {
    await writeTransaction(db, (trx) => recomputePairs(trx, pairs.slice(i, i + 1000).map((p) => [Number(p.student_id), Number(p.notebook_id)])));
  }
  return pairs.length;
}

export const cellProgressProjection: GatedProjection = {
  kind: 'gated',
  name: 'cell_progress',
  accepts: (e) => isExecutionEvent(e.eventType),
  write,
};
