import type { Knex } from 'knex';

/**
 * Notebook history (issue 21): a branch is a named line of versions of one student's notebook,
 * starting from one of her versions (`from_version_id`) — e.g. an instructor's annotated fix, which
 * the student sees in her Versions panel. Names are unique per student and notebook. A branch goes
 * with the version it starts from (cascade), with the student, and with the notebook.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('history_branches')) return;
  await knex.schema.createTable('history_branches', (t) => {
    t.increments('id').primary();
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.integer('notebook_id').notNullable().references('id').inTable('notebooks').onDelete('CASCADE');
    t.string('name', 100).notNullable();
    t.integer('from_version_id').notNullable().references('id').inTable('history_versions').onDelete('CASCADE');
    t.integer('created_by').nullable().references('id').inTable('instructors').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.unique(['student_id', 'notebook_id', 'name']);
    t.index(['from_version_id'], 'history_branches_from');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('history_branches');
}
