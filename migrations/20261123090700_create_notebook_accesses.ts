import type { Knex } from 'knex';

/** Notebook opened / closed / saved by a student. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('notebook_accesses')) return;
  await knex.schema.createTable('notebook_accesses', (t) => {
    t.bigIncrements('id').primary();
    t.string('event_id', 128).notNullable().unique();
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.integer('notebook_id').notNullable().references('id').inTable('notebooks').onDelete('CASCADE');
    t.integer('session_id').nullable().references('id').inTable('sessions').onDelete('SET NULL');
    t.string('action', 16).notNullable();
    t.timestamp('accessed_at', { useTz: true }).notNullable();
    t.index(['student_id', 'accessed_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('notebook_accesses');
}
