import type { Knex } from 'knex';

/**
 * A session id is the client's: two students' browsers could send the same one, and the row of one
 * would then take the other's events. Sessions are unique per student, not globally.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.dropUnique(['session_id']);
    t.unique(['student_id', 'session_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.dropUnique(['student_id', 'session_id']);
    t.unique(['session_id']);
  });
}
