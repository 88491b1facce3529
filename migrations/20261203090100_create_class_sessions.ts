import type { Knex } from 'knex';

/** Meetings of a class an instructor chose by hand (issue 22): a window [start_at, end_at) and an optional title. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('class_sessions')) return;
  await knex.schema.createTable('class_sessions', (t) => {
    t.increments('id').primary();
    t.integer('class_id').notNullable().references('id').inTable('classes').onDelete('CASCADE');
    t.timestamp('start_at', { useTz: true }).notNullable();
    t.timestamp('end_at', { useTz: true }).notNullable();
    t.string('title', 200).nullable();
    t.integer('created_by').nullable().references('id').inTable('instructors').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['class_id', 'start_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('class_sessions');
}
