import type { Knex } from 'knex';

/** Hand-ins: the notebook JSON as submitted, the comment, lateness, and the grade once given. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('assignment_submissions')) return;
  await knex.schema.createTable('assignment_submissions', (t) => {
    t.increments('id').primary();
    t.integer('assignment_id').notNullable().references('id').inTable('class_assignments').onDelete('CASCADE');
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.jsonb('notebook_content').notNullable();
    t.text('submission_comment').nullable();
    t.timestamp('submitted_at', { useTz: true }).notNullable();
    t.boolean('is_late').notNullable().defaultTo(false);
    t.string('status', 16).notNullable().defaultTo('submitted');
    t.integer('score').nullable();
    t.text('feedback').nullable();
    t.timestamp('graded_at', { useTz: true }).nullable();
    t.integer('graded_by').nullable().references('id').inTable('instructors').onDelete('SET NULL');
    t.index(['assignment_id', 'student_id']);
    t.index(['student_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('assignment_submissions');
}
