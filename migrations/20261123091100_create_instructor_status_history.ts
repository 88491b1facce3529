import type { Knex } from 'knex';

/** One row per status an instructor was in; the open row has no ended_at. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('instructor_status_history')) return;
  await knex.schema.createTable('instructor_status_history', (t) => {
    t.bigIncrements('id').primary();
    t.integer('instructor_id').notNullable().references('id').inTable('instructors').onDelete('CASCADE');
    t.string('status', 32).notNullable();
    t.string('current_session_id', 128).nullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('ended_at', { useTz: true }).nullable();
    t.index(['instructor_id', 'started_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('instructor_status_history');
}
