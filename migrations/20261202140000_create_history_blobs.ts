import type { Knex } from 'knex';

/**
 * Notebook history (issue 21): each distinct cell source and cell outputs text, stored once, keyed
 * by the SHA-256 (hex) of its UTF-8 bytes — shared between versions and between students. `bytes`
 * is the content's UTF-8 length (the storage stats read it without reading the content).
 * No student column: a blob is deleted once no version cell refers to it (collector/src/history/tables.ts).
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('history_blobs')) return;
  await knex.schema.createTable('history_blobs', (t) => {
    t.string('hash', 64).primary();
    t.text('content').notNullable();
    t.integer('bytes').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('history_blobs');
}
