import type { Knex } from 'knex';

/** The raw event log: every accepted event once, keyed by the client's eventId (idempotency anchor). */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('events')) return;
  await knex.schema.createTable('events', (t) => {
    t.bigIncrements('id').primary();
    t.string('event_id', 128).notNullable().unique();
    t.string('event_type', 64).notNullable();
    t.timestamp('event_time', { useTz: true }).notNullable();
    t.string('user_id', 255).notNullable();
    t.string('session_id', 128).nullable();
    t.string('notebook_path', 1024).nullable();
    t.string('cell_id', 128).nullable();
    t.jsonb('payload').notNullable();
    t.timestamp('persisted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id', 'event_time']);
    t.index(['event_type', 'event_time']);
    t.index(['notebook_path']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('events');
}
