import type { Knex } from 'knex';

/**
 * Outside a transaction: SQLite drops a column by rebuilding the table, and inside a transaction the
 * foreign keys stay on, so dropping the old `classes` would cascade to every enrollment.
 */
export const config = { transaction: false };

/** Per class: what the students' extensions may send — metadata, code, or code_and_output (the default). */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('classes', 'capture_policy')) return;
  await knex.schema.alterTable('classes', (t) => {
    t.string('capture_policy', 32).notNullable().defaultTo('code_and_output');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('classes', (t) => {
    t.dropColumn('capture_policy');
  });
}
