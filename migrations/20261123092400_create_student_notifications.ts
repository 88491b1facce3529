import type { Knex } from 'knex';

/** Messages for one student (assignment_graded …), read by the JupyterLab extension through the companion. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('student_notifications')) return;
  await knex.schema.createTable('student_notifications', (t) => {
    t.bigIncrements('id').primary();
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.string('type', 64).notNullable();
    t.jsonb('payload').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['student_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('student_notifications');
}
