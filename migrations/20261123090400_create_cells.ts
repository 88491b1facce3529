import type { Knex } from 'knex';

/** Cells of a notebook, keyed by the notebook and JupyterLab's cell id; `content` is the latest code seen. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('cells')) return;
  await knex.schema.createTable('cells', (t) => {
    t.increments('id').primary();
    t.integer('notebook_id').notNullable().references('id').inTable('notebooks').onDelete('CASCADE');
    t.string('cell_id', 128).notNullable();
    t.string('cell_type', 32).nullable();
    t.text('content').nullable();
    t.timestamp('updated_at', { useTz: true }).nullable();
    t.unique(['notebook_id', 'cell_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('cells');
}
