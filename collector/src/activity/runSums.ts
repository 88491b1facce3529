/**
 * The definition of a student's runs of a cell, summed — one window query over `cell_executions`,
 * used by the exact read (reads.ts `cellRunSums`) and by the cell-progress projection when it
 * computes rows again (cellProgress.ts). A run has a notebook, a cell and the status success or
 * error. Per student and cell, of the runs `narrow` keeps:
 *
 * | column        | is                                                                           |
 * |---------------|------------------------------------------------------------------------------|
 * | runs          | how many                                                                     |
 * | first_success | the attempt (1-based, time order then id) that first succeeded, or null      |
 * | seconds       | per run, the time since her previous run in the notebook (any cell) kept, capped at `maxGapSeconds`; 0 for the first |
 * | last_status   | the status of the latest                                                     |
 * | first_at, last_at | the earliest, the latest time                                            |
 * | cell_index    | the highest position                                                         |
 */
import type { Knex } from 'knex';
import { isPostgres } from '../db/createDb.ts';

/** `narrow` sees `cell_executions as x` and may join (`n` for notebooks is free); the result is the `per` rows: select from it. */
export function runSums(db: Knex, options: { maxGapSeconds: number; narrow: (query: Knex.QueryBuilder) => void }): Knex.QueryBuilder {
  const pg = isPostgres(db);
  const order = 'PARTITION BY x.student_id, x.notebook_id ORDER BY x.executed_at, x.id';
  const gap = pg ? `EXTRACT(EPOCH FROM x.executed_at - LAG(x.executed_at) OVER (${order}))` : `(julianday(x.executed_at) - julianday(LAG(x.executed_at) OVER (${order}))) * 86400.0`;
  const capped = pg ? `LEAST(COALESCE(gap, 0), ${Number(options.maxGapSeconds)})` : `MIN(COALESCE(gap, 0), ${Number(options.maxGapSeconds)})`;
  const runs = db('cell_executions as x')
    .whereIn('x.status', ['success', 'error'])
    .whereNotNull('x.cell_id')
    .whereNotNull('x.notebook_id')
    .modify(options.narrow)
    .select('x.student_id', 'x.cell_id', 'x.cell_index', 'x.status', 'x.executed_at', 'x.id', db.raw(`${gap} AS gap`));
  return db
    .with('runs', runs)
    .with(
      'ranked',
      db.raw(
        `SELECT runs.*, ROW_NUMBER() OVER (PARTITION BY student_id, cell_id ORDER BY executed_at, id) AS attempt,
                COUNT(*) OVER (PARTITION BY student_id, cell_id) AS total FROM runs`,
      ),
    )
    .with(
      'per',
      db.raw(
        `SELECT student_id, cell_id, MAX(cell_index) AS cell_index, COUNT(*) AS runs,
                MIN(CASE WHEN status = 'success' THEN attempt END) AS first_success,
                SUM(${capped}) AS seconds, MIN(executed_at) AS first_at, MAX(executed_at) AS last_at,
                MAX(CASE WHEN attempt = total THEN status END) AS last_status
           FROM ranked GROUP BY student_id, cell_id`,
      ),
    )
    .from('per');
}
