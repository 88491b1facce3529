import type { Knex } from 'knex';

/**
 * Who teaches a class: its owner(s) and co-teachers. An instructor reads and changes only the
 * classes they teach (admins: all). Classes created before this table have no teacher: only
 * admins see them until an admin adds one (POST /api/v1/classes/:id/teachers).
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('class_teachers')) return;
  await knex.schema.createTable('class_teachers', (t) => {
    t.increments('id').primary();
    t.integer('class_id').notNullable().references('id').inTable('classes').onDelete('CASCADE');
    t.integer('instructor_id').notNullable().references('id').inTable('instructors').onDelete('CASCADE');
    t.string('role', 16).notNullable().defaultTo('co_teacher');
    t.timestamp('added_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['class_id', 'instructor_id']);
    t.index(['instructor_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('class_teachers');
}
