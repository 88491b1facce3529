/**
 * A class's seat map (class_seat_maps): the classroom image, its type and size, and the placements
 * of teams and students on it — one row per class, written by both engines' ON CONFLICT upsert.
 */
import type { Knex } from 'knex';
import type { SeatMapView, SeatPlacement } from '@cell-monitor/shared';
import { iso, now } from '../db/rows.ts';

interface SeatMapRow {
  class_id: number;
  image_type: string | null;
  image_width: number | null;
  image_height: number | null;
  image_bytes: number | string | null;
  placements: string;
  updated_at: string | Date;
}

export async function readSeatMap(db: Knex, classId: number): Promise<SeatMapView> {
  const row: SeatMapRow | undefined = await db('class_seat_maps')
    .where({ class_id: classId })
    .first('class_id', 'image_type', 'image_width', 'image_height', db.raw('length(image) as image_bytes'), 'placements', 'updated_at');
  if (!row) return { classId, image: null, placements: [] };
  return {
    classId,
    image: row.image_type ? { type: row.image_type, width: Number(row.image_width), height: Number(row.image_height), bytes: Number(row.image_bytes), updatedAt: iso(row.updated_at)! } : null,
    placements: JSON.parse(row.placements) as SeatPlacement[],
  };
}

/** Inserts or updates the class's seat-map row (both engines: ON CONFLICT on the class). */
export async function saveSeatMap(db: Knex, classId: number, fields: Record<string, unknown>): Promise<void> {
  await db('class_seat_maps')
    .insert({ class_id: classId, placements: '[]', ...fields, updated_at: now() })
    .onConflict('class_id')
    .merge({ ...fields, updated_at: now() });
}

/** The uploaded image's bytes and type, or undefined when the class has none. */
export async function seatMapImage(db: Knex, classId: number): Promise<{ image: Buffer | Uint8Array; image_type: string } | undefined> {
  return db('class_seat_maps').where({ class_id: classId }).whereNotNull('image').first('image', 'image_type');
}
