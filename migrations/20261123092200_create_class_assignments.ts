import type { Knex } from 'knex';

/** Assignments: a notebook (by path) to hand in for a class, with an optional due date. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('class_assignments')) return;
  await knex.schema.createTable('class_assignments', (t) => {
    t.increments('id').primary();
    t.integer('class_id').notNullable().references('id').inTable('classes').onDelete('CASCADE');
    t.string('notebook_path', 1024).notNullable();
    t.string('title', 200).notNullable();
    t.text('description').nullable();
    t.timestamp('due_date', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['class_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('class_assignments');
}
