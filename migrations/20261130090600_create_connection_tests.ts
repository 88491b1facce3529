import type { Knex } from 'knex';

/**
 * Connection checks (seed 002's test event): a `connection_test` event takes the whole ingest path
 * (buffer, stream, persister) but lands here instead of `events`, so it stays out of every analytics
 * view; rows older than 10 minutes are deleted as new ones arrive.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('connection_tests')) return;
  await knex.schema.createTable('connection_tests', (t) => {
    t.string('event_id', 128).primary();
    t.string('user_id', 255).notNullable();
    t.timestamp('sent_at', { useTz: true }).notNullable();
    t.timestamp('stored_at', { useTz: true }).notNullable();
    t.index(['stored_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('connection_tests');
}
