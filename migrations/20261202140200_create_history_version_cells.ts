import type { Knex } from 'knex';

/**
 * Notebook history (issue 21): a version's cells in order — the client's cell id, the cell type and
 * the hashes of its source and outputs (history_blobs). A row per cell rather than a JSON list in
 * the version: the blob sweep asks "does any cell still refer to this hash?", which the two hash
 * indexes answer without reading every version. `student_id` is the version's (the owner's key:
 * export and erasure find her rows without a join; `id` pages them). The blob references are foreign keys: a blob
 * cannot be deleted while a cell refers to it.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('history_version_cells')) return;
  await knex.schema.createTable('history_version_cells', (t) => {
    t.bigIncrements('id').primary();
    t.integer('version_id').notNullable().references('id').inTable('history_versions').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.string('cell_id', 128).nullable();
    t.string('cell_type', 16).notNullable();
    t.string('source_hash', 64).notNullable().references('hash').inTable('history_blobs');
    t.string('output_hash', 64).nullable().references('hash').inTable('history_blobs');
    t.unique(['version_id', 'position']);
    t.index(['source_hash'], 'history_version_cells_source');
    t.index(['output_hash'], 'history_version_cells_output');
    t.index(['student_id'], 'history_version_cells_student');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('history_version_cells');
}
