import type { Knex } from 'knex';

/**
 * Per student, notebook, cell (its id, and the client's cell id so reads join no cells), error name
 * and signature, per UTC day: how many errors, the newest
 * error's id (the highest) and time, the earliest time — kept by the error-group projection
 * (collector/src/activity/errorGroups.ts), so the error clusters read a class's groups instead of
 * every error. No notebook or cell is 0 (a unique key takes no NULL on PostgreSQL); an error stored
 * before signatures were kept has signature '' and its message (first 500 characters, what the
 * masking reads) as raw_message. Backfilled here from the errors stored so far.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('error_groups')) return;
  await knex.schema.createTable('error_groups', (t) => {
    t.bigIncrements('id').primary();
    t.integer('student_id').notNullable().references('id').inTable('students').onDelete('CASCADE');
    t.integer('notebook_id').notNullable().defaultTo(0);
    t.integer('cell_id').notNullable().defaultTo(0);
    t.string('cell_key', 128).nullable();
    t.string('error_name', 256).notNullable();
    t.text('signature').notNullable();
    t.text('raw_message').notNullable().defaultTo('');
    t.string('day', 10).notNullable();
    t.integer('n').notNullable();
    t.bigInteger('latest_id').notNullable();
    t.timestamp('latest_at', { useTz: true }).notNullable();
    t.timestamp('first_at', { useTz: true }).notNullable();
    t.integer('cell_index').nullable();
    t.unique(['day', 'student_id', 'notebook_id', 'cell_id', 'error_name', 'signature', 'raw_message'], { indexName: 'error_groups_key' });
    t.index(['student_id'], 'error_groups_student');
    t.index(['first_at'], 'error_groups_first_at');
  });
  const pg = knex.client.config.client === 'pg';
  const day = pg ? `to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')` : 'substr(e.occurred_at, 1, 10)';
  await knex.raw(`
    INSERT INTO error_groups (student_id, notebook_id, cell_id, error_name, signature, raw_message, day, n, latest_id, latest_at, first_at, cell_index, cell_key)
    SELECT e.student_id, COALESCE(e.notebook_id, 0), COALESCE(e.cell_id, 0), e.error_name, COALESCE(e.signature, ''),
           CASE WHEN e.signature IS NULL THEN substr(e.error_message, 1, 500) ELSE '' END, ${day},
           COUNT(*), MAX(e.id), MAX(e.occurred_at), MIN(e.occurred_at), MAX(e.cell_index), MAX(c.cell_id)
      FROM error_logs e LEFT JOIN cells c ON c.id = e.cell_id
     GROUP BY e.student_id, COALESCE(e.notebook_id, 0), COALESCE(e.cell_id, 0), e.error_name, COALESCE(e.signature, ''),
              CASE WHEN e.signature IS NULL THEN substr(e.error_message, 1, 500) ELSE '' END, ${day}`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('error_groups');
}
