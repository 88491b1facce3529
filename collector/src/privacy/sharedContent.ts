/**
 * Content shared between students (registry.ts SHARED_CONTENT: history's blobs): which rows a
 * student's rows refer to (her export; the candidates of her erasure), and the rows no reference
 * is left to, which the erasure and the retention sweep delete. A row another student's rows still
 * refer to is never one of them.
 */
import type { Knex } from 'knex';
import { isPostgres } from '../db/createDb.ts';
import { SHARED_CONTENT, STUDENT_TABLES } from './registry.ts';

export type Shared = (typeof SHARED_CONTENT)[number];

/** The keys of `shared` the student's rows refer to (her `key` column has `value`). */
export async function keysReferredBy(db: Knex, shared: Shared, student: { userId: string; studentId?: number }): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const ref of shared.referencedBy) {
    const owner = STUDENT_TABLES.find((t) => t.table === ref.table)!;
    const value = owner.key === 'user_id' ? student.userId : student.studentId;
    if (value === undefined) continue;
    for (const r of await db(ref.table).where(owner.key, value).whereNotNull(ref.column).distinct(`${ref.column} as k`)) keys.add(String(r.k));
  }
  return keys;
}

/** Narrows a query on the shared table to the rows no reference is left to. */
export function unreferenced(db: Knex, q: Knex.QueryBuilder, shared: Shared): Knex.QueryBuilder {
  for (const ref of shared.referencedBy) q.whereNotExists(db(ref.table).select(db.raw('1')).whereRaw('??.?? = ??.??', [ref.table, ref.column, shared.table, shared.pk]));
  return q;
}

/**
 * Deletes those of `keys` no reference is left to; how many. PostgreSQL: a row a writer holds
 * locked (history's persister locks the blobs a version it is storing refers to) is in use and
 * skipped (FOR UPDATE SKIP LOCKED), so the erasure never fails on the blobs' foreign keys because
 * another student saved the same text at that moment.
 */
export async function deleteUnreferenced(trx: Knex.Transaction, shared: Shared, keys: Iterable<string>): Promise<number> {
  const all = [...keys];
  const pg = isPostgres(trx);
  let deleted = 0;
  for (let i = 0; i < all.length; i += 500) {
    const free = unreferenced(trx, trx(shared.table).whereIn(shared.pk, all.slice(i, i + 500)).select(shared.pk), shared);
    if (pg) free.forUpdate().skipLocked();
    deleted += await trx(shared.table).whereIn(shared.pk, free).delete();
  }
  return deleted;
}
