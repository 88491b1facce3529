import type { Knex } from 'knex';

/** Students, created on first event (user_id is the JupyterHub / Jupyter user name). */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('students')) return;
  await knex.schema.createTable('students', (t) => {
    t.increments('id').primary();
    t.string('user_id', 255).notNullable().unique();
    t.string('name', 100).nullable();
    t.string('email', 255).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('students');
}
