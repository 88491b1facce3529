import type { Knex } from 'knex';

/**
 * Outside a transaction, as 20261130090100: dropping a column on SQLite rebuilds the table, and
 * inside a transaction the foreign keys stay on (dropping the old table would cascade).
 */
export const config = { transaction: false };

/**
 * A student's display name and email as one class knows them (DESIGN decision 13: names are per
 * enrolment). The roster and the enrol route write here; every class-scoped view reads here, so a
 * rename in one class never shows in another. Existing enrolments start with the name and email the
 * student had, so nothing a class shows today changes.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('class_enrollments', 'display_name')) return;
  await knex.schema.alterTable('class_enrollments', (t) => {
    t.string('display_name', 100).nullable();
    t.string('email', 255).nullable();
  });
  await knex('class_enrollments').update({
    display_name: knex.raw('(SELECT s.name FROM students s WHERE s.id = class_enrollments.student_id)'),
    email: knex.raw('(SELECT s.email FROM students s WHERE s.id = class_enrollments.student_id)'),
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('class_enrollments', (t) => {
    t.dropColumn('display_name');
    t.dropColumn('email');
  });
}
