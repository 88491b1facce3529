/**
 * Content-addressed blobs: each distinct cell source or outputs text once, keyed by the SHA-256
 * (hex) of its UTF-8 bytes, shared by every version and every student that has the same text.
 * A blob is deleted only once no version cell refers to it (privacy/sharedContent.ts, after an
 * erasure or a retention sweep); the version cells' foreign keys refuse anything else.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { utf8Length } from '@cell-monitor/shared';
import { isPostgres } from '../db/createDb.ts';
import { insertRecordset } from '../db/insertRecordset.ts';

export const contentHash = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Hashes per query (SQLite's parameter limit; PostgreSQL's plan size). */
const PAGE = 500;

/** Which of `hashes` are stored; on PostgreSQL they are locked (FOR KEY SHARE) until the commit, so no sweep deletes one under us. */
async function present(trx: Knex.Transaction, hashes: string[], pg: boolean): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < hashes.length; i += PAGE) {
    const q = trx('history_blobs').whereIn('hash', hashes.slice(i, i + PAGE)).select('hash');
    if (pg) q.forKeyShare();
    for (const r of await q) found.add(r.hash);
  }
  return found;
}

/**
 * Stores the blobs not stored yet (hash → text); the text of one already stored is never sent
 * again (an unchanged notebook's save writes no blob). PostgreSQL: a blob another transaction
 * inserted at the same moment is taken as stored once it is committed and locked; one a sweep
 * deleted in between is inserted again.
 */
export async function storeBlobs(trx: Knex.Transaction, blobs: ReadonlyMap<string, string>): Promise<void> {
  const pg = isPostgres(trx);
  let pending = [...blobs.keys()].sort(); // a fixed order: two writers lock shared blobs alike
  for (let attempt = 0; attempt < 5 && pending.length > 0; attempt++) {
    const stored = await present(trx, pending, pg);
    const missing = pending.filter((h) => !stored.has(h));
    if (missing.length === 0) return;
    const createdAt = new Date().toISOString();
    for (let i = 0; i < missing.length; i += PAGE) {
      const rows = missing.slice(i, i + PAGE).map((hash) => ({ hash, content: blobs.get(hash)!, bytes: utf8Length(blobs.get(hash)!), created_at: createdAt }));
      if (pg) await insertRecordset(trx, 'history_blobs', { hash: 'text', content: 'text', bytes: 'integer', created_at: 'timestamptz' }, rows, 'ON CONFLICT (hash) DO NOTHING');
      else await trx('history_blobs').insert(rows).onConflict('hash').ignore();
    }
    if (!pg) return; // SQLite: one writer at a time, nothing can come between
    pending = missing; // what was inserted here is ours; what conflicted is checked (and locked) again
  }
  if (pending.length > 0 && (await present(trx, pending, pg)).size < pending.length) throw new Error('history blobs kept disappearing while a snapshot was stored');
}
