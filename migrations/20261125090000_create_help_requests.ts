import type { Knex } from 'knex';

/**
 * A student's help request, from the help_request event that opened it to the instructor who
 * resolved it (or the student's help_cancel). Written by the persister with the events; claimed and
 * resolved from the dashboard. Requested / claimed / resolved times give the class's time to help.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('help_requests')) return;
  await knex.schema.createTable('help_requests', (t) => {
    t.bigIncrements('id').primary();
    t.string('event_id', 128).notNullable().unique();
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.text('notebook_path').nullable();
    t.string('cell_id', 128).nullable();
    t.integer('cell_index').nullable();
    t.timestamp('requested_at', { useTz: true }).notNullable();
    t.integer('claimed_by').nullable().references('id').inTable('instructors').onDelete('SET NULL');
    t.timestamp('claimed_at', { useTz: true }).nullable();
    t.integer('resolved_by').nullable().references('id').inTable('instructors').onDelete('SET NULL');
    t.timestamp('resolved_at', { useTz: true }).nullable();
    t.timestamp('cancelled_at', { useTz: true }).nullable();
    t.index(['student_id', 'resolved_at', 'cancelled_at']);
    t.index(['requested_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('help_requests');
}
