import type { Knex } from 'knex';

/**
 * Outside a transaction, as 20261130090100: SQLite adds a referencing column in place, but dropping
 * it rebuilds the table, and inside a transaction the foreign keys stay on.
 */
export const config = { transaction: false };

/**
 * The team a v1 client's teamName last gave this enrollment (LEGACY_CLASS_CODE). While the
 * enrollment's team is still that one (or none), the student's next teamName may change it; a team
 * set from the roster or the dashboard differs from it and is kept.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('class_enrollments', 'self_reported_team_id')) return;
  await knex.schema.alterTable('class_enrollments', (t) => {
    t.integer('self_reported_team_id').nullable().references('id').inTable('class_teams').onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('class_enrollments', (t) => {
    t.dropForeign(['self_reported_team_id']);
  }).catch(() => undefined);
  await knex.schema.alterTable('class_enrollments', (t) => {
    t.dropColumn('self_reported_team_id');
  });
}
