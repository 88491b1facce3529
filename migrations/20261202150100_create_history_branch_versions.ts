import type { Knex } from 'knex';

/**
 * Notebook history (issue 21): which versions are on a branch, and who wrote each (an instructor;
 * null once the account is gone). A version not listed here is on the student's own line of saves.
 * A separate table rather than columns of history_versions, so the versions table keeps its one
 * writer (the snapshot projection) and no foreign key runs in a circle.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('history_branch_versions')) return;
  await knex.schema.createTable('history_branch_versions', (t) => {
    t.integer('version_id').primary().references('id').inTable('history_versions').onDelete('CASCADE');
    t.integer('branch_id').notNullable().references('id').inTable('history_branches').onDelete('CASCADE');
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.integer('author_id').nullable().references('id').inTable('instructors').onDelete('SET NULL');
    t.index(['branch_id'], 'history_branch_versions_branch');
    t.index(['student_id'], 'history_branch_versions_student');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('history_branch_versions');
}
