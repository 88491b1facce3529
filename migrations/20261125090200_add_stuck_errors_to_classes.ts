import type { Knex } from 'knex';

/**
 * Outside a transaction: SQLite drops a column by rebuilding the table, and inside a transaction the
 * foreign keys stay on, so dropping the old `classes` would cascade to every enrollment.
 */
export const config = { transaction: false };

/** Per class: error runs in a row on one cell that make a student "stuck" on the dashboard (default 3). */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('classes', 'stuck_errors')) return;
  await knex.schema.alterTable('classes', (t) => {
    t.integer('stuck_errors').notNullable().defaultTo(3);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('classes', (t) => {
    t.dropColumn('stuck_errors');
  });
}
