/**
 * Revoking one student's credentials without rotating everyone's (INGEST_KEY): `revoke(user)`
 * records "refuse her credentials issued before now"; the companion guard then answers 401
 * `credential_revoked` to any of them (v1 credentials count as issued at 0), and a credential issued
 * afterwards (`issue-credential`, or the hub at the next spawn) works. The store keeps a keyed hash
 * of the user name under the master key (so the row names nobody and survives her erasure; a new
 * INGEST_KEY voids every credential anyway).
 *
 * Each collector reads a student's revocation at most once per CACHE_MS, so a revocation reaches
 * every collector within that time without a query per ingest request.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { errors } from '../http/errors.ts';
import { now } from '../db/rows.ts';

export const REVOCATION_CACHE_MS = 2_000;
const CACHE_MAX = 50_000;

export function revocationKey(masterKey: string, userId: string): string {
  return crypto.createHmac('sha256', Buffer.from(masterKey, 'utf8')).update(`cell-monitor credential revocation v1\n${userId}`, 'utf8').digest('hex');
}

export interface Revocations {
  /** Throws 401 credential_revoked when `issuedAt` is before the user's revocation. */
  check(userId: string, issuedAt: number): Promise<void>;
  /** Refuses the user's credentials issued before `at` (default now); answers that time. */
  revoke(userId: string, at?: number): Promise<number>;
}

export function createRevocations(db: Knex, masterKey: string): Revocations {
  const cache = new Map<string, { notBefore: number; readAt: number }>();
  async function notBefore(userId: string): Promise<number> {
    const key = revocationKey(masterKey, userId);
    const hit = cache.get(key);
    if (hit && Date.now() - hit.readAt < REVOCATION_CACHE_MS) return hit.notBefore;
    let row: { not_before: unknown } | undefined;
    try {
      row = await db('credential_revocations').where({ user_key: key }).first('not_before');
    } catch {
      // The main store is away (ingest acks from the buffer meanwhile): her last answer stands, and a
      // student not read yet is told to retry (503 with Retry-After, as a full buffer) — never a 500.
      if (hit) return hit.notBefore;
      throw errors.unavailable('store_unavailable', 'the collector cannot check this credential right now; retry later');
    }
    const value = row ? Number(row.not_before) : 0;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, { notBefore: value, readAt: Date.now() });
    return value;
  }
  return {
    async check(userId, issuedAt) {
      if (issuedAt < (await notBefore(userId))) {
        throw errors.unauthorized('this credential was revoked: ask the admin for a new one (issue-credential), or restart the server under JupyterHub', 'credential_revoked', { 'WWW-Authenticate': 'Bearer' });
      }
    },
    async revoke(userId, at = Date.now()) {
      const key = revocationKey(masterKey, userId);
      await db('credential_revocations').insert({ user_key: key, not_before: at, revoked_at: now() }).onConflict('user_key').merge(['not_before', 'revoked_at']);
      cache.delete(key);
      return at;
    },
  };
}
