import type { Knex } from 'knex';

/**
 * PostgreSQL: `cell_executions` keeps its references (student, session, notebook, cell) without
 * foreign keys, and without the `cell_id` index that only served the key's ON DELETE. The four
 * per-row checks cost more server time than the rest of the row's insert (issue 20: 40 → 14 µs per
 * run in `npm run bench:writer`). The persister is the single writer: it inserts a run only with
 * ids it has just upserted in the same transaction, the erasure and the retention sweep delete a
 * student's runs before her sessions, cells and notebooks (privacy/registry.ts orders them by
 * `refersTo`), and test/collector/privacy/coverage.test.ts checks that no reference dangles after
 * either. SQLite (the embedded default) keeps its keys: there a check costs little.
 */
const KEYS = [
  { column: 'student_id', table: 'students', onDelete: 'CASCADE' },
  { column: 'session_id', table: 'sessions', onDelete: 'SET NULL' },
  { column: 'notebook_id', table: 'notebooks', onDelete: 'SET NULL' },
  { column: 'cell_id', table: 'cells', onDelete: 'SET NULL' },
] as const;

const isPostgres = (knex: Knex) => knex.client.config.client === 'pg';

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  for (const { column } of KEYS) await knex.raw(`ALTER TABLE cell_executions DROP CONSTRAINT IF EXISTS cell_executions_${column}_foreign`);
  await knex.raw('DROP INDEX IF EXISTS cell_executions_cell_id_index');
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw('CREATE INDEX IF NOT EXISTS cell_executions_cell_id_index ON cell_executions (cell_id)');
  for (const { column, table, onDelete } of KEYS) {
    await knex.raw(`ALTER TABLE cell_executions ADD CONSTRAINT cell_executions_${column}_foreign FOREIGN KEY (${column}) REFERENCES ${table} (id) ON DELETE ${onDelete} NOT VALID`);
  }
}
