import type { Knex } from 'knex';

/**
 * Outside a transaction: SQLite drops a column by rebuilding the table, and inside a transaction the
 * foreign keys stay on, so dropping the old `classes` would cascade to every enrollment.
 */
export const config = { transaction: false };

/**
 * Per class: whether it is the demo class (`cell-monitor-collector demo`, collector/src/demo/): its
 * students are simulated, every dashboard screen says so, and `demo --remove` deletes it.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('classes', 'demo')) return;
  await knex.schema.alterTable('classes', (t) => {
    t.boolean('demo').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('classes', (t) => {
    t.dropColumn('demo');
  });
}
