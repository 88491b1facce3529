/**
 * Reading rows alike from both engines (knex over PostgreSQL or SQLite): timestamps are written as
 * ISO strings and read back through `iso()`, JSON columns as JSON text read back through `json()`,
 * booleans through `bool()`. Every store and route file uses these, none keeps its own copy.
 */
import type { Knex } from 'knex';

/** A timestamp column as ISO 8601 (PostgreSQL answers Date, SQLite the string or epoch ms it stored). */
export function iso(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(/^\d+$/.test(String(value)) ? Number(value) : value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

/** The time written to a row: ISO 8601, which both engines store and sort as they should. */
export const now = (): string => new Date().toISOString();

/** A JSON column: PostgreSQL jsonb arrives parsed, SQLite as the text it stored. */
export const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

/** A boolean column: SQLite stores 0/1. */
export const bool = (value: unknown): boolean => value === true || value === 1 || value === '1';

/** The id from `insert(...).returning('id')`: an object on PostgreSQL and recent SQLite drivers, a number on older ones. */
export function insertedId(row: unknown): number {
  return Number(typeof row === 'object' && row !== null ? (row as { id: number }).id : row);
}

/** A unique constraint refused the write (both engines' wording). */
export const isUniqueViolation = (err: unknown): boolean => /unique|duplicate/i.test(String((err as Error).message));

/** One page of a query plus the total without paging (for `X-Total-Count`). */
export async function page<T>(
  query: Knex.QueryBuilder,
  options: { skip: number; limit: number },
  order: string | Array<{ column: string; order?: 'asc' | 'desc' }>,
): Promise<{ items: T[]; total: number }> {
  const [{ n }] = await query.clone().clearSelect().clearOrder().count({ n: '*' });
  const items = (await query.clone().orderBy(order as string).offset(options.skip).limit(options.limit)) as T[];
  return { items, total: Number(n) };
}
