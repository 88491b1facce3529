import type { Knex } from 'knex';

/** JupyterLab sessions of a student (seed 003 §2.1). */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('sessions')) return;
  await knex.schema.createTable('sessions', (t) => {
    t.increments('id').primary();
    t.string('session_id', 128).notNullable().unique();
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.string('notebook_path', 1024).nullable();
    t.timestamp('started_at', { useTz: true }).nullable();
    t.timestamp('ended_at', { useTz: true }).nullable();
    t.timestamp('last_seen_at', { useTz: true }).nullable();
    t.index(['student_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sessions');
}
