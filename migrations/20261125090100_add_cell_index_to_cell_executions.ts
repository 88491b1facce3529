import type { Knex } from 'knex';

/**
 * The cell's position in its notebook at run time, so the dashboard lists a notebook's cells in
 * notebook order; and an index for "every run of this notebook by these students".
 */
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('cell_executions', 'cell_index'))) {
    await knex.schema.alterTable('cell_executions', (t) => {
      t.integer('cell_index').nullable();
    });
  }
  await knex.schema.alterTable('cell_executions', (t) => {
    t.index(['notebook_id', 'student_id', 'executed_at'], 'cell_executions_notebook_student_time');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cell_executions', (t) => {
    t.dropIndex(['notebook_id', 'student_id', 'executed_at'], 'cell_executions_notebook_student_time');
    t.dropColumn('cell_index');
  });
}
