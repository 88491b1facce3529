import type { Knex } from 'knex';

/**
 * An error's masked signature ("NameError: name '…' is not defined") and its cell's position, written
 * by the persister with the error, so the dashboard groups the class's errors in the database instead
 * of reading and masking every one. Rows from before stay NULL and are masked when read.
 */
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('error_logs', 'signature'))) {
    await knex.schema.alterTable('error_logs', (t) => {
      t.text('signature').nullable();
      t.integer('cell_index').nullable();
    });
  }
  await knex.schema.alterTable('error_logs', (t) => {
    t.index(['occurred_at'], 'error_logs_occurred_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('error_logs', (t) => {
    t.dropIndex(['occurred_at'], 'error_logs_occurred_at');
    t.dropColumn('signature');
    t.dropColumn('cell_index');
  });
}
