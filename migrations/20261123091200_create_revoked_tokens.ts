import type { Knex } from 'knex';

/** JWTs revoked by logout, by id (jti), kept until they would have expired anyway. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('revoked_tokens')) return;
  await knex.schema.createTable('revoked_tokens', (t) => {
    t.string('jti', 64).primary();
    t.integer('instructor_id').notNullable().references('id').inTable('instructors').onDelete('CASCADE');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('revoked_tokens');
}
