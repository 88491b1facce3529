/**
 * The privacy jobs' own connection to this collector's buffer file (bufferFile.ts): a
 * student's rows and dead letters (export, erasure) and the retention of delivered rows — the
 * buffer as a sink of the privacy registry (BUFFER_SINK, below). Rows are
 * matched on the serialised event's `userId` / `eventTime`; the scans go in windows of `seq` so a
 * large buffer never blocks the event loop for long (better-sqlite3 is synchronous).
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { OwnedSink } from '../db/ownedTables.ts';
import { bufferPath, openBufferFile } from './bufferFile.ts';

const WINDOW = 5_000;
/**
 * A student's rows are found by parsing every body in a window (json_extract), so the export's
 * scans take smaller windows: one window of a full buffer is one synchronous step of the loop.
 */
const USER_SCAN_WINDOW = 500;
/** A body that is not JSON (a dead letter may hold one) has no user and no time: never matched. */
const field = (name: string) => `CASE WHEN json_valid(body) THEN json_extract(body, '$.${name}') END`;

export interface BufferRow {
  seq: number;
  eventId: string;
  receivedAt: string;
  /** Left the buffer durably (in the Redis Stream, or persisted). */
  delivered: boolean;
  event: unknown;
}

export interface BufferDeadLetter {
  eventId: string;
  reason: string;
  createdAt: string;
  event: unknown;
}

export interface BufferRows {
  /** Whether the user has any row or dead letter here (the export's 404). */
  hasUser(userId: string): Promise<boolean>;
  /**
   * The user's rows, then dead letters, one at a time: read in windows of seq and parsed one by
   * one, yielding to the event loop between windows, so a student with hundreds of megabytes in the
   * buffer neither fills the memory nor holds the event loop (the export streams them).
   */
  ofUser(userId: string): AsyncGenerator<{ row: BufferRow } | { deadLetter: BufferDeadLetter }>;
  /** Deletes the user's rows, delivered or not, and their dead letters. */
  eraseUser(userId: string): Promise<{ buffer: number; buffer_dead_letters: number }>;
  /** Delivered rows received before `before`, or whose event time is before it. Pending rows always stay. */
  pruneDelivered(before: Date, signal?: AbortSignal): Promise<number>;
  pruneDeadLetters(before: Date): number;
  close(): void;
}

/** The buffer of `dataDir`, or undefined when this machine has none (a CLI run elsewhere). */
export function openBufferRows(dataDir: string): BufferRows | undefined {
  if (!fs.existsSync(bufferPath(dataDir))) return undefined;
  const db = openBufferFile(dataDir);
  return {
    async hasUser(userId) {
      const any = db.prepare(`SELECT 1 FROM buffer WHERE seq > ? AND seq <= ? AND ${field('userId')} = ? LIMIT 1`);
      let found = false;
      await inWindows(db, Infinity, (from, to) => {
        found ||= any.get(from, to, userId) !== undefined;
        return 0;
      }, undefined, () => found, USER_SCAN_WINDOW);
      return found || db.prepare(`SELECT 1 FROM dead_letters WHERE ${field('userId')} = ? LIMIT 1`).get(userId) !== undefined;
    },
    async *ofUser(userId) {
      const select = db.prepare(
        `SELECT seq, event_id, received_at, body, seq <= (SELECT delivered_seq FROM cursor) AS delivered FROM buffer WHERE seq > ? AND seq <= ? AND ${field('userId')} = ? ORDER BY seq`,
      );
      const bounds = db.prepare('SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM buffer').get() as { lo: number | null; hi: number | null };
      if (bounds.lo !== null && bounds.hi !== null) {
        for (let from = bounds.lo - 1; from < bounds.hi; from += USER_SCAN_WINDOW) {
          for (const r of select.iterate(from, Math.min(from + USER_SCAN_WINDOW, bounds.hi), userId) as Iterable<{ seq: number; event_id: string; received_at: number; body: string; delivered: number }>) {
            yield { row: { seq: r.seq, eventId: r.event_id, receivedAt: new Date(r.received_at).toISOString(), delivered: r.delivered === 1, event: JSON.parse(r.body) } };
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      const dead = db.prepare(`SELECT event_id, reason, created_at, body FROM dead_letters WHERE ${field('userId')} = ? ORDER BY id`);
      for (const d of dead.iterate(userId) as Iterable<{ event_id: string; reason: string; created_at: number; body: string }>) {
        yield { deadLetter: { eventId: d.event_id, reason: d.reason, createdAt: new Date(d.created_at).toISOString(), event: JSON.parse(d.body) } };
      }
    },
    async eraseUser(userId) {
      const erase = db.prepare(`DELETE FROM buffer WHERE seq > ? AND seq <= ? AND ${field('userId')} = ?`);
      const buffer = await inWindows(db, Infinity, (from, to) => erase.run(from, to, userId).changes);
      const dead = db.prepare(`DELETE FROM dead_letters WHERE ${field('userId')} = ?`).run(userId).changes;
      return { buffer, buffer_dead_letters: dead };
    },
    async pruneDelivered(before, signal) {
      const prune = db.prepare(`DELETE FROM buffer WHERE seq > ? AND seq <= ? AND (received_at < ? OR ${field('eventTime')} < ?)`);
      const delivered = (db.prepare('SELECT delivered_seq AS n FROM cursor').get() as { n: number }).n;
      return inWindows(db, delivered, (from, to) => prune.run(from, to, before.getTime(), before.toISOString()).changes, signal);
    },
    pruneDeadLetters: (before) => db.prepare('DELETE FROM dead_letters WHERE created_at < ?').run(before.getTime()).changes,
    close: () => db.close(),
  };
}

/**
 * The buffer file as a sink: every collector erases and sweeps its own (`local`), before the store
 * on erasure (a row still pending would be stored again). Delivered rows go at the shortest
 * retention (they are only a dedup window now), dead letters at the longest.
 */
export const BUFFER_SINK: OwnedSink<BufferRows> = {
  name: 'buffer',
  owner: 'buffer',
  stage: 'upstream',
  local: true,
  hasUser: (rows, userId) => rows.hasUser(userId),
  async *exportUser(rows, userId) {
    for await (const item of rows.ofUser(userId)) yield 'row' in item ? { kind: 'buffer_row', ...item.row } : { kind: 'buffer_dead_letter', ...item.deadLetter };
  },
  eraseUser: (rows, userId) => rows.eraseUser(userId),
  async sweepBefore(rows, { shortest, longest }, signal) {
    const counts: Record<string, number> = {};
    if (shortest) counts.buffer = await rows.pruneDelivered(shortest, signal);
    if (longest) counts.buffer_dead_letters = rows.pruneDeadLetters(longest);
    return counts;
  },
};

/** Runs `step(from, to)` over (min seq - 1, upTo] in windows of WINDOW seqs, yielding to the event loop between them. */
async function inWindows(db: Database.Database, upTo: number, step: (from: number, to: number) => number, signal?: AbortSignal, done?: () => boolean, window = WINDOW): Promise<number> {
  const { lo, hi } = db.prepare('SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM buffer').get() as { lo: number | null; hi: number | null };
  if (lo === null || hi === null) return 0;
  const end = Math.min(hi, upTo);
  let total = 0;
  for (let from = lo - 1; from < end && !signal?.aborted && !done?.(); from += window) {
    total += step(from, Math.min(from + window, end));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return total;
}
