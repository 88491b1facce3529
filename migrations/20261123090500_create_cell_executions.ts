import type { Knex } from 'knex';

/** One row per cell_execution_start / complete / error event. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('cell_executions')) return;
  await knex.schema.createTable('cell_executions', (t) => {
    t.bigIncrements('id').primary();
    t.string('event_id', 128).notNullable().unique();
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.integer('session_id').nullable().references('id').inTable('sessions').onDelete('SET NULL');
    t.integer('notebook_id').nullable().references('id').inTable('notebooks').onDelete('SET NULL');
    t.integer('cell_id').nullable().references('id').inTable('cells').onDelete('SET NULL');
    t.string('status', 16).notNullable();
    t.integer('execution_count').nullable();
    t.double('duration_ms').nullable();
    t.text('code').nullable();
    t.jsonb('output').nullable();
    t.timestamp('executed_at', { useTz: true }).notNullable();
    t.index(['student_id', 'executed_at']);
    t.index(['cell_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('cell_executions');
}
