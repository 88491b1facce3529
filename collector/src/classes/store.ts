/**
 * The classes table (seed 000 "LMS機能API"): its row, the view every class route answers with, and
 * `requireClass` (the `class_not_found` 404).
 */
import type { Knex } from 'knex';
import { iso } from '../db/rows.ts';
import { errors } from '../http/errors.ts';

export interface ClassRow {
  id: number;
  name: string;
  class_code: string;
  description: string | null;
  created_at: string | Date;
  updated_at: string | Date;
}

export const classView = (row: ClassRow) => ({
  id: row.id,
  name: row.name,
  class_code: row.class_code,
  description: row.description,
  created_at: iso(row.created_at),
  updated_at: iso(row.updated_at),
});

export async function requireClass(db: Knex, id: number): Promise<ClassRow> {
  const row = await db<ClassRow>('classes').where({ id }).first();
  if (!row) throw errors.notFound('class');
  return row;
}
