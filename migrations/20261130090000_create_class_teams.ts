import type { Knex } from 'knex';

/** Teams of a class (from the roster, the dashboard, or the original extension's teamName). */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('class_teams')) return;
  await knex.schema.createTable('class_teams', (t) => {
    t.increments('id').primary();
    t.integer('class_id').notNullable().references('id').inTable('classes').onDelete('CASCADE');
    t.string('name', 100).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['class_id', 'name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('class_teams');
}
