import type { Knex } from 'knex';

/**
 * Per student × notebook × cell (its id and the client's cell id, so reads join no cells), her runs summed (attempts, first successful attempt, time spent,
 * latest status, first and latest run time, highest position), kept by the cell-progress projection
 * (collector/src/activity/cellProgress.ts) so the per-cell progress reads one row per student and
 * cell instead of every run. Backfilled here from the runs stored so far, by the same rule (a gap
 * since her previous run in the notebook, capped at 600 s; written out again, not imported).
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('cell_progress')) return;
  await knex.schema.createTable('cell_progress', (t) => {
    t.bigIncrements('id').primary();
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.integer('notebook_id').notNullable().references('id').inTable('notebooks').onDelete('CASCADE');
    t.integer('cell_id').notNullable().references('id').inTable('cells').onDelete('CASCADE');
    t.string('cell_key', 128).notNullable();
    t.integer('attempts').notNullable();
    t.integer('first_success_attempt').nullable();
    t.double('seconds').notNullable().defaultTo(0);
    t.string('last_status', 16).notNullable();
    t.timestamp('first_run_at', { useTz: true }).notNullable();
    t.timestamp('last_run_at', { useTz: true }).notNullable();
    t.integer('cell_index').nullable();
    t.unique(['notebook_id', 'student_id', 'cell_id'], { indexName: 'cell_progress_notebook_student_cell' });
    t.index(['student_id'], 'cell_progress_student');
    t.index(['first_run_at'], 'cell_progress_first_run_at');
  });
  const pg = knex.client.config.client === 'pg';
  const order = 'PARTITION BY x.student_id, x.notebook_id ORDER BY x.executed_at, x.id';
  const gap = pg ? `EXTRACT(EPOCH FROM x.executed_at - LAG(x.executed_at) OVER (${order}))` : `(julianday(x.executed_at) - julianday(LAG(x.executed_at) OVER (${order}))) * 86400.0`;
  const capped = pg ? 'LEAST(COALESCE(gap, 0), 600)' : 'MIN(COALESCE(gap, 0), 600)';
  await knex.raw(`
    WITH runs AS (
      SELECT x.student_id, x.notebook_id, x.cell_id, x.cell_index, x.status, x.executed_at, x.id, ${gap} AS gap
        FROM cell_executions x
       WHERE x.status IN ('success', 'error') AND x.cell_id IS NOT NULL AND x.notebook_id IS NOT NULL
    ), ranked AS (
      SELECT runs.*, ROW_NUMBER() OVER (PARTITION BY student_id, notebook_id, cell_id ORDER BY executed_at, id) AS attempt,
             COUNT(*) OVER (PARTITION BY student_id, notebook_id, cell_id) AS total
        FROM runs
    )
    INSERT INTO cell_progress (student_id, notebook_id, cell_id, cell_key, attempts, first_success_attempt, seconds, last_status, first_run_at, last_run_at, cell_index)
    SELECT a.student_id, a.notebook_id, a.cell_id, c.cell_id, a.attempts, a.first_success_attempt, a.seconds, a.last_status, a.first_run_at, a.last_run_at, a.cell_index
      FROM (SELECT student_id, notebook_id, cell_id, COUNT(*) AS attempts, MIN(CASE WHEN status = 'success' THEN attempt END) AS first_success_attempt,
                   SUM(${capped}) AS seconds, MAX(CASE WHEN attempt = total THEN status END) AS last_status, MIN(executed_at) AS first_run_at,
                   MAX(executed_at) AS last_run_at, MAX(cell_index) AS cell_index
              FROM ranked GROUP BY student_id, notebook_id, cell_id) a
      JOIN cells c ON c.id = a.cell_id`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('cell_progress');
}
