import type { Knex } from 'knex';

/** Notebooks, one row per path. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('notebooks')) return;
  await knex.schema.createTable('notebooks', (t) => {
    t.increments('id').primary();
    t.string('path', 1024).notNullable().unique();
    t.string('name', 255).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('notebooks');
}
