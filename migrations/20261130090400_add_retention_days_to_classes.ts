import type { Knex } from 'knex';

/**
 * Outside a transaction: SQLite drops a column by rebuilding the table, and inside a transaction the
 * foreign keys stay on, so dropping the old `classes` would cascade to every enrollment.
 */
export const config = { transaction: false };

/**
 * Per class: days its students' events, derived rows and hand-ins are kept (privacy/retention.ts).
 * NULL = the collector's RETENTION_DAYS; 0 = kept forever.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('classes', 'retention_days')) return;
  await knex.schema.alterTable('classes', (t) => {
    t.integer('retention_days').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('classes', (t) => {
    t.dropColumn('retention_days');
  });
}
