import type { Knex } from 'knex';

/** A short message an instructor sent to every student of a class ("10 minutes left"). */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('class_broadcasts')) return;
  await knex.schema.createTable('class_broadcasts', (t) => {
    t.bigIncrements('id').primary();
    t.integer('class_id').notNullable().references('id').inTable('classes').onDelete('CASCADE');
    t.text('message').notNullable();
    t.integer('sent_by').nullable().references('id').inTable('instructors').onDelete('SET NULL');
    t.timestamp('sent_at', { useTz: true }).notNullable();
    t.integer('recipients').notNullable();
    t.index(['class_id', 'sent_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('class_broadcasts');
}
