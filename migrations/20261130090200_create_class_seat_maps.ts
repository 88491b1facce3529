import type { Knex } from 'knex';

/** A class's seat map: the classroom image (PNG/JPEG, kept in the database so every collector serves it) and where each team or student sits on it. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('class_seat_maps')) return;
  await knex.schema.createTable('class_seat_maps', (t) => {
    t.integer('class_id').primary().references('id').inTable('classes').onDelete('CASCADE');
    t.binary('image').nullable();
    t.string('image_type', 32).nullable();
    t.integer('image_width').nullable();
    t.integer('image_height').nullable();
    /** JSON: [{ kind: 'team' | 'student', key, x, y }], x and y as fractions of the image. */
    t.text('placements').notNullable().defaultTo('[]');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('updated_by').nullable().references('id').inTable('instructors').onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('class_seat_maps');
}
