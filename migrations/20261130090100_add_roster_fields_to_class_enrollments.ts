import type { Knex } from 'knex';

/**
 * Outside a transaction: SQLite adds a referencing column in place, but dropping it rebuilds the
 * table, and inside a transaction the foreign keys stay on (dropping the old table would cascade).
 */
export const config = { transaction: false };

/** A roster line's class-specific fields: the student's team in this class and student number. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('class_enrollments', 'team_id')) return;
  await knex.schema.alterTable('class_enrollments', (t) => {
    t.integer('team_id').nullable().references('id').inTable('class_teams').onDelete('SET NULL');
    t.string('student_number', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('class_enrollments', (t) => {
    t.dropForeign(['team_id']);
  }).catch(() => undefined);
  await knex.schema.alterTable('class_enrollments', (t) => {
    t.dropColumn('team_id');
    t.dropColumn('student_number');
  });
}
