import type { Knex } from 'knex';

/** Classes (seed 000 LMS "Classes API"): class_code is unique. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('classes')) return;
  await knex.schema.createTable('classes', (t) => {
    t.increments('id').primary();
    t.string('name', 200).notNullable();
    t.string('class_code', 64).notNullable().unique();
    t.text('description').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('classes');
}
