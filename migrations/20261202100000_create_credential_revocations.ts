import type { Knex } from 'knex';

/**
 * Per-student credential revocations (auth/credentialRevocation.ts): a student's credentials issued
 * before `not_before` (ms since 1970) are refused. The student is named by a keyed hash of her user
 * name under the master key, not by name, so a revocation outlives her erasure without naming her.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('credential_revocations')) return;
  await knex.schema.createTable('credential_revocations', (t) => {
    t.string('user_key', 64).primary();
    t.bigInteger('not_before').notNullable();
    t.timestamp('revoked_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('credential_revocations');
}
