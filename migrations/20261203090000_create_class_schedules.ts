import type { Knex } from 'knex';

/** A class's weekly timetable (issue 22): its time zone and its slots, the meetings the after-class report lists. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('class_schedules')) return;
  await knex.schema.createTable('class_schedules', (t) => {
    t.integer('class_id').primary().references('id').inTable('classes').onDelete('CASCADE');
    /** An IANA zone ("Asia/Tokyo"): the slots are wall-clock times there. */
    t.string('timezone', 64).notNullable();
    /** JSON: [{ weekday 0-6 (0 = Sunday), start "HH:MM", minutes }]. */
    t.text('slots').notNullable().defaultTo('[]');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('updated_by').nullable().references('id').inTable('instructors').onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('class_schedules');
}
