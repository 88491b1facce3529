import type { Knex } from 'knex';

/** Errors raised by cells, with name, message and full traceback (seed 003 §3.1). */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('error_logs')) return;
  await knex.schema.createTable('error_logs', (t) => {
    t.bigIncrements('id').primary();
    t.string('event_id', 128).notNullable().unique();
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.integer('notebook_id').nullable().references('id').inTable('notebooks').onDelete('SET NULL');
    t.integer('cell_id').nullable().references('id').inTable('cells').onDelete('SET NULL');
    t.string('error_name', 256).notNullable();
    t.text('error_message').notNullable();
    t.text('traceback').nullable();
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.index(['error_name', 'occurred_at']);
    t.index(['student_id', 'occurred_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('error_logs');
}
