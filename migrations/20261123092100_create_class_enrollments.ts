import type { Knex } from 'knex';

/** Which students are in which class. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('class_enrollments')) return;
  await knex.schema.createTable('class_enrollments', (t) => {
    t.increments('id').primary();
    t.integer('class_id').notNullable().references('id').inTable('classes').onDelete('CASCADE');
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.timestamp('enrolled_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['class_id', 'student_id']);
    t.index(['student_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('class_enrollments');
}
