import type { Knex } from 'knex';

/**
 * Notebook history (issue 21): a commit labels one version — "handed in" (made when the student's
 * submission snapshot is stored, `kind` submission) or an instructor's ("after office hours",
 * `kind` instructor, `made_by` the instructor). It goes with its version.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('history_commits')) return;
  await knex.schema.createTable('history_commits', (t) => {
    t.increments('id').primary();
    t.integer('version_id').notNullable().references('id').inTable('history_versions').onDelete('CASCADE');
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.string('message', 200).notNullable();
    t.string('kind', 16).notNullable();
    t.integer('made_by').nullable().references('id').inTable('instructors').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['version_id'], 'history_commits_version');
    t.index(['student_id'], 'history_commits_student');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('history_commits');
}
