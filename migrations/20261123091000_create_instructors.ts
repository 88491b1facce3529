import type { Knex } from 'knex';

/** Instructor accounts (seed 000 "Instructor Management"): role admin | instructor, soft delete via is_active. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('instructors')) return;
  await knex.schema.createTable('instructors', (t) => {
    t.increments('id').primary();
    t.string('email', 255).notNullable().unique();
    t.string('name', 255).notNullable();
    t.string('password_hash', 255).notNullable();
    t.string('role', 16).notNullable().defaultTo('instructor');
    t.boolean('is_active').notNullable().defaultTo(true);
    t.string('status', 32).notNullable().defaultTo('offline');
    t.string('current_session_id', 128).nullable();
    t.timestamp('status_updated_at', { useTz: true }).nullable();
    /** Tokens issued before this instant are refused (set when the password changes). */
    t.timestamp('tokens_valid_after', { useTz: true }).nullable();
    t.timestamp('last_login_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('instructors');
}
