import type { Knex } from 'knex';

/**
 * Notebook history (issue 21): one row per snapshot of a student's notebook — when, why
 * (`trigger`: save, submission, interval), from which event (unique: a resent or raced event stores
 * nothing twice), how many cells it keeps and whether it was cut (`truncated`; `total_cells` and
 * `total_bytes` say what the whole notebook held). Its cells are history_version_cells.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('history_versions')) return;
  await knex.schema.createTable('history_versions', (t) => {
    t.increments('id').primary();
    t.string('event_id', 128).notNullable().unique();
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.integer('notebook_id').notNullable().references('id').inTable('notebooks').onDelete('CASCADE');
    t.string('trigger', 16).notNullable();
    t.timestamp('saved_at', { useTz: true }).notNullable();
    t.integer('cell_count').notNullable();
    t.boolean('truncated').notNullable().defaultTo(false);
    t.integer('total_cells').notNullable();
    t.bigInteger('total_bytes').notNullable();
    t.index(['student_id', 'notebook_id', 'saved_at'], 'history_versions_student_notebook');
    t.index(['notebook_id'], 'history_versions_notebook');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('history_versions');
}
