import type { Knex } from 'knex';

/**
 * Cells were keyed by (notebook, cell id): a class working from one template notebook shares cell
 * ids, so one student's code overwrote another's stored cell. Cells belong to a student now. Rows
 * from before are given the student of their latest execution (rows nobody executed keep none).
 */
/**
 * Outside a transaction: SQLite adds a column with a foreign key by rebuilding the table, and only
 * outside a transaction can knex switch foreign keys off for that — inside one, dropping the old
 * table would set every cell_executions.cell_id to NULL (ON DELETE SET NULL).
 */
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('cells', 'student_id'))) {
    await knex.schema.alterTable('cells', (t) => {
      t.integer('student_id').nullable().references('id').inTable('students').onDelete('CASCADE');
    });
  }
  await knex('cells').update({
    student_id: knex('cell_executions').select('student_id').whereRaw('cell_executions.cell_id = cells.id').orderBy('executed_at', 'desc').limit(1),
  });
  await knex.schema.alterTable('cells', (t) => {
    t.dropUnique(['notebook_id', 'cell_id']);
    t.unique(['student_id', 'notebook_id', 'cell_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  // Irreversible in data: per-student rows of one cell cannot be merged back; keep the latest.
  await knex('cells')
    .whereNotIn('id', knex('cells').max('id').groupBy('notebook_id', 'cell_id'))
    .delete();
  await knex.schema.alterTable('cells', (t) => {
    t.dropUnique(['student_id', 'notebook_id', 'cell_id']);
    t.unique(['notebook_id', 'cell_id']);
  });
  await knex.schema.alterTable('cells', (t) => {
    t.dropForeign(['student_id']);
    t.dropColumn('student_id');
  });
}
