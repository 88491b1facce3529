/**
 * The notebooks' row ids, for other owners that refer to a notebook (history's versions): activity
 * owns `notebooks` (one row per path), so they get its ids here instead of naming the table.
 */
import type { Knex } from 'knex';
import { notebookName } from './rowsFromEvents.ts';

/** The ids of these paths, their rows created on first sight (in the caller's transaction). */
export async function ensureNotebookIds(trx: Knex.Transaction, paths: string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const distinct = [...new Set(paths)].sort();
  for (let i = 0; i < distinct.length; i += 500) {
    const chunk = distinct.slice(i, i + 500);
    await trx('notebooks').insert(chunk.map((path) => ({ path, name: notebookName(path) }))).onConflict('path').ignore();
    for (const n of await trx('notebooks').select('id', 'path').whereIn('path', chunk)) ids.set(n.path, Number(n.id));
  }
  return ids;
}

/** The id of a notebook path, or undefined when no row names it. */
export async function notebookIdOf(db: Knex, path: string): Promise<number | undefined> {
  const row = await db('notebooks').where({ path }).first('id');
  return row ? Number(row.id) : undefined;
}

/** A notebook's path by id, or undefined. */
export async function notebookPathOf(db: Knex, id: number): Promise<string | undefined> {
  return (await db('notebooks').where({ id }).first('path'))?.path;
}

/** SQL giving the path of the notebook whose id `idSql` gives: a join fragment for other owners' SQL (privacy's notebookPath). */
export const notebookPathSql = (idSql: string): string => `(SELECT act_nb.path FROM notebooks act_nb WHERE act_nb.id = ${idSql})`;
