import type { Knex } from 'knex';

/** The Python environments students' kernels reported at start, one row per distinct environment per student. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('student_environments')) return;
  await knex.schema.createTable('student_environments', (t) => {
    t.increments('id').primary();
    t.string('user_id', 255).notNullable();
    t.string('hash', 64).notNullable();
    t.string('python', 32).notNullable();
    t.string('implementation', 32).notNullable();
    t.string('platform', 255).notNullable();
    t.string('kernel_name', 255).nullable();
    t.integer('package_count').notNullable();
    t.text('packages').notNullable();
    t.timestamp('first_seen_at', { useTz: true }).notNullable();
    t.timestamp('last_seen_at', { useTz: true }).notNullable();
    t.unique(['user_id', 'hash']);
    t.index(['user_id', 'last_seen_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('student_environments');
}
