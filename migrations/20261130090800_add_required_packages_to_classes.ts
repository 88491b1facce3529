import type { Knex } from 'knex';

/**
 * Outside a transaction: SQLite drops a column by rebuilding the table, and inside a transaction the
 * foreign keys stay on, so dropping the old `classes` would cascade to every enrollment.
 */
export const config = { transaction: false };

/** Per class: the packages its notebooks need (JSON: [{ name, spec }]), for the environment analysis. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('classes', 'required_packages')) return;
  await knex.schema.alterTable('classes', (t) => {
    t.text('required_packages').notNullable().defaultTo('[]');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('classes', (t) => {
    t.dropColumn('required_packages');
  });
}
