/**
 * Revoking one student's credentials without rotating everyone's (INGEST_KEY): `revoke(user)`
 * records "refuse her credentials issued before now"; the companion guard then answers 401
 * `credential_revoked` to any of them (v1 credentials count as issued at 0), and a credential issued
 * afterwards (`issue-credential`, or the hub at the next spawn) works. The store keeps a keyed hash
 * of the user name under the master key (so the row names nobody and survives her erasure; a new
 * INGEST_KEY voids every credential anyway).
 *
 * Each collector holds every revocation in memory (they are few: one row per student ever revoked)
 * and reads the table again once the copy is REVOCATION_CACHE_MS old: a revocation reaches every
 * collector within about that time, and a credential check is a lookup, never a query on the ack
 * path (the classroom bench saw one query per ingest request with a per-student cache, since each
 * student posts about every 2 s). The re-read runs beside the requests while the copy is less than
 * twice that old; an older copy (after a quiet spell) is re-read before answering. While the store
 * is away the last copy stands; before any copy, the student is told to retry (503).
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { errors } from '../http/errors.ts';
import { now } from '../db/rows.ts';

export const REVOCATION_CACHE_MS = 2_000;
const KEY_CACHE_MAX = 50_000;

export function revocationKey(masterKey: string, userId: string): string {
  return crypto.createHmac('sha256', Buffer.from(masterKey, 'utf8')).update(`cell-monitor credential revocation v1\n${userId}`, 'utf8').digest('hex');
}

export interface Revocations {
  /** Throws 401 credential_revoked when `issuedAt` is before the user's revocation. */
  check(userId: string, issuedAt: number): Promise<void>;
  /** Refuses the user's credentials issued before `at` (default now); answers that time. */
  revoke(userId: string, at?: number): Promise<number>;
}

/** `readNow`: read the copy at once (a collector starting), so a store that goes away later leaves it one. */
export function createRevocations(db: Knex, masterKey: string, options: { readNow?: boolean } = {}): Revocations {
  /** user_key → not_before, as last read; undefined before the first read. */
  let revoked: Map<string, number> | undefined;
  let readAt = 0;
  let failedAt = -Infinity;
  let reading: Promise<void> | undefined;
  /** The keyed hash per user name (an HMAC per request otherwise). */
  const keys = new Map<string, string>();
  const keyOf = (userId: string): string => {
    let key = keys.get(userId);
    if (key === undefined) {
      if (keys.size >= KEY_CACHE_MAX) keys.clear();
      key = revocationKey(masterKey, userId);
      keys.set(userId, key);
    }
    return key;
  };

  function read(): Promise<void> {
    reading ??= (async () => {
      const started = Date.now();
      try {
        const rows = (await db('credential_revocations').select('user_key', 'not_before')) as Array<{ user_key: string; not_before: unknown }>;
        const next = new Map(rows.map((r) => [r.user_key, Number(r.not_before)]));
        // A revocation made here while the read ran is kept (the read may have missed it).
        if (revoked) for (const [key, at] of revoked) if (at > (next.get(key) ?? 0) && at >= started - REVOCATION_CACHE_MS) next.set(key, at);
        revoked = next;
        readAt = started;
      } catch (err) {
        failedAt = Date.now();
        throw err;
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  }

  if (options.readNow) read().catch(() => undefined);

  async function notBefore(userId: string): Promise<number> {
    const age = Date.now() - readAt;
    if (revoked && age >= REVOCATION_CACHE_MS && (age < 2 * REVOCATION_CACHE_MS || Date.now() - failedAt < REVOCATION_CACHE_MS)) {
      read().catch(() => undefined); // beside the requests; the copy answers meanwhile
    } else if (!revoked || age >= REVOCATION_CACHE_MS) {
      try {
        await read();
      } catch {
        // The main store is away (ingest acks from the buffer meanwhile): the last copy stands, and
        // before any copy the student is told to retry (503 with Retry-After, as a full buffer) — never a 500.
        if (!revoked) throw errors.unavailable('store_unavailable', 'the collector cannot check this credential right now; retry later');
      }
    }
    return revoked!.get(keyOf(userId)) ?? 0;
  }
  return {
    async check(userId, issuedAt) {
      if (issuedAt < (await notBefore(userId))) {
        throw errors.unauthorized('this credential was revoked: ask the admin for a new one (issue-credential), or restart the server under JupyterHub', 'credential_revoked', { 'WWW-Authenticate': 'Bearer' });
      }
    },
    async revoke(userId, at = Date.now()) {
      const key = keyOf(userId);
      await db('credential_revocations').insert({ user_key: key, not_before: at, revoked_at: now() }).onConflict('user_key').merge(['not_before', 'revoked_at']);
      revoked?.set(key, at);
      return at;
    },
  };
}
