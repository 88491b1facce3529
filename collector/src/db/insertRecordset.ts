import type { Knex } from 'knex';

/** Column name → PostgreSQL type, in the order of the INSERT. */
export type Columns = Record<string, string>;

/**
 * PostgreSQL: many rows as ONE jsonb parameter expanded by jsonb_to_recordset. A multi-row VALUES
 * list of 500 rows carries thousands of parameters, and parsing/planning it cost more server time
 * than executing it (see the benchmark notes in the README).
 */
export function insertRecordset<T = unknown>(trx: Knex.Transaction, table: string, columns: Columns, rows: object[], tail = ''): Promise<T[]> {
  return insertRecordsetJson<T>(trx, table, columns, JSON.stringify(rows), tail);
}

/** insertRecordset with the rows already as one JSON array (a caller that splices stored texts in). */
export async function insertRecordsetJson<T = unknown>(trx: Knex.Transaction, table: string, columns: Columns, rowsJson: string, tail = ''): Promise<T[]> {
  const names = Object.keys(columns);
  const list = names.map((n) => `"${n}"`).join(', ');
  const shape = names.map((n) => `"${n}" ${columns[n]}`).join(', ');
  const result = await trx.raw(`INSERT INTO "${table}" (${list}) SELECT ${list} FROM jsonb_to_recordset(?::jsonb) AS r(${shape}) ${tail}`, [rowsJson]);
  return result.rows as T[];
}

/**
 * PostgreSQL: insertRecordset as an upsert: `ON CONFLICT (conflict) DO UPDATE SET` each merged
 * column to its SQL (over `table.` and `excluded.`), returning `returning`. The persister's upserts
 * run once per batch: as a multi-row VALUES list their planning and knex's binding of thousands
 * of parameters cost more than the rows' writes (issue 20, `npm run bench:writer`).
 */
export function upsertRecordset<T = unknown>(
  trx: Knex.Transaction,
  table: string,
  columns: Columns,
  rows: object[],
  upsert: { conflict: string[]; merge: Record<string, string>; returning?: string[] },
): Promise<T[]> {
  const quote = (names: string[]) => names.map((n) => `"${n}"`).join(', ');
  const set = Object.entries(upsert.merge).map(([column, sql]) => `"${column}" = ${sql}`).join(', ');
  const returning = upsert.returning ? ` RETURNING ${quote(upsert.returning)}` : '';
  return insertRecordset<T>(trx, table, columns, rows, `ON CONFLICT (${quote(upsert.conflict)}) DO UPDATE SET ${set}${returning}`);
}

/** Rows in chunks of `size`: one multi-row statement each. */
export const CHUNK = 500;

/**
 * Upsert expressions that keep the later (or earlier) of the stored and the incoming time, whatever
 * order batches arrive in.
 */
export function timeMerges(trx: Knex.Transaction, pg: boolean) {
  return {
    later: (table: string, column: string) =>
      pg ? trx.raw(`GREATEST(??, excluded.??)`, [`${table}.${column}`, column]) : trx.raw(`MAX(COALESCE(??, excluded.??), excluded.??)`, [`${table}.${column}`, column, column]),
    earlier: (table: string, column: string) =>
      pg ? trx.raw(`LEAST(??, excluded.??)`, [`${table}.${column}`, column]) : trx.raw(`MIN(COALESCE(??, excluded.??), excluded.??)`, [`${table}.${column}`, column, column]),
  };
}
