/**
 * The retention sweep: deletes what is older than its retention (retentionPolicy.ts says which
 * retention applies to which row), table by table — the tables of the registry
 * (studentTables.ts, which also says what "older" means for each) — in batches of ids so a large
 * store is never locked for long and the pipeline keeps writing between batches. Besides them:
 *
 * | table / place          | deleted when …                                                       |
 * |------------------------|----------------------------------------------------------------------|
 * | assignment_submissions | submitted_at < the cutoff of its assignment's class                   |
 * | class_broadcasts       | sent_at < the cutoff of its class                                     |
 * | notebooks              | nothing refers to it any more (no cell, run, error, access or event)  |
 * | students               | in no class, last seen (else created) before the global cutoff, and nothing refers to them |
 * | InfluxDB copy          | per student, older than the shortest retention among her classes (sink/influxErasure.ts) |
 *
 * Kept: classes, enrollments, teams, seat maps, assignments, teachers, instructors (configuration,
 * not activity). Outside the store: this collector's buffer loses delivered rows received, or whose
 * event happened, before the shortest cutoff (they are only a dedup window now); the Redis Streams
 * and the dead letters are trimmed to the longest cutoff, and only when no retention is "forever"
 * (an undelivered entry must not go before every student's retention allows it).
 */
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import { isPostgres, writeTransaction } from '../db/createDb.ts';
import { DEAD_LETTER_STREAM_KEY, STREAM_KEY } from '../redis/streamNames.ts';
import type { BufferRows } from './bufferRows.ts';
import { loadRetentionPolicy } from './retentionPolicy.ts';
import { trimBefore } from './streamEntries.ts';
import { NOTEBOOK_ID_TABLES, STUDENT_TABLES, STUDENTS_TABLE } from './studentTables.ts';
import type { InfluxEraser } from '../sink/influxErasure.ts';

export const SWEEP_BATCH = 2_000;

export interface SweepOptions {
  now: Date;
  /** RETENTION_DAYS: 0 = forever (classes may still set their own). */
  globalDays: number;
  /** This collector's buffer file. */
  buffer?: BufferRows;
  redis?: Redis;
  /** The InfluxDB copy, when INFLUXDB_* are set. */
  influx?: InfluxEraser;
  /** false: only this collector's buffer (another collector holds the sweep lock). Default true. */
  store?: boolean;
  signal?: AbortSignal;
  batchSize?: number;
}

export type SweepCounts = Record<string, number>;

export async function sweepRetention(db: Knex, options: SweepOptions): Promise<SweepCounts> {
  const policy = await loadRetentionPolicy(db, options);
  const batch = options.batchSize ?? SWEEP_BATCH;
  const counts: SweepCounts = {};
  const add = (key: string, n: number) => void (counts[key] = (counts[key] ?? 0) + n);
  const remove = async (table: string, narrow: (q: Knex.QueryBuilder) => void, pk = 'id') => add(table, await deleteInBatches(db, table, pk, narrow, batch, options.signal));

  if (options.store !== false) {
    for (const table of STUDENT_TABLES) {
      if (!table.time || table.byClass) continue;
      for (const group of policy.rows) {
        await remove(table.table, (q) => {
          q.whereRaw(`${table.time} < ?`, [group.cutoff.toISOString()]);
          group.rowsOf(q, table);
        }, table.pk);
      }
    }
    for (const group of policy.classes) {
      const cutoff = group.cutoff.toISOString();
      await remove('assignment_submissions', (q) => void q.where('submitted_at', '<', cutoff).whereIn('assignment_id', db('class_assignments').select('id').whereIn('class_id', group.classIds)));
      await remove('class_broadcasts', (q) => void q.where('sent_at', '<', cutoff).whereIn('class_id', group.classIds));
    }
    if (policy.shortest) await remove('notebooks', (q) => void orphanNotebooks(db, q));
    if (policy.unenrolled) await remove(STUDENTS_TABLE.table, (q) => void goneStudents(db, q, policy.unenrolled!));
    if (options.influx) {
      let n = 0;
      for (const [userId, cutoff] of await policy.strictestByUser()) {
        if (options.signal?.aborted) break;
        await options.influx.eraseUserBefore(userId, cutoff);
        n++;
      }
      add('influxdb_users', n);
    }
    if (options.redis && policy.longest) {
      add('stream', await trimBefore(options.redis, STREAM_KEY, policy.longest));
      add('dead_letter_stream', await trimBefore(options.redis, DEAD_LETTER_STREAM_KEY, policy.longest));
    }
  }
  if (options.buffer && policy.shortest) add('buffer', await options.buffer.pruneDelivered(policy.shortest, options.signal));
  if (options.buffer && policy.longest) add('buffer_dead_letters', options.buffer.pruneDeadLetters(policy.longest));
  return counts;
}

/**
 * Deletes the rows `narrow` selects, SWEEP_BATCH ids per transaction, walking the primary key
 * once (keyset: each batch starts after the last id seen), so a big table is read once per group.
 */
async function deleteInBatches(db: Knex, table: string, pk: string, narrow: (q: Knex.QueryBuilder) => void, batch: number, signal?: AbortSignal): Promise<number> {
  let after: number | string | undefined;
  let total = 0;
  while (!signal?.aborted) {
    const page = db(table).select(`${pk} as id`).modify(narrow).orderBy(pk).limit(batch);
    if (after !== undefined) page.where(pk, '>', after);
    const ids: Array<number | string> = (await page).map((r: { id: number | string }) => r.id);
    if (ids.length === 0) break;
    // The conditions again at delete time: a row the pipeline just made young again (a notebook an
    // event names anew, a returning student) is left alone.
    total += await writeTransaction(db, (trx) => trx(table).whereIn(pk, ids).modify(narrow).delete());
    after = ids[ids.length - 1];
    if (ids.length < batch) break;
  }
  return total;
}

/** SQLite keeps default timestamps as "YYYY-MM-DD HH:MM:SS" and ours as ISO 8601: compare as dates there. */
function before(db: Knex, expression: string, cutoff: Date): Knex.Raw {
  return isPostgres(db) ? db.raw(`${expression} < ?`, [cutoff.toISOString()]) : db.raw(`julianday(${expression}) < julianday(?)`, [cutoff.toISOString()]);
}

function orphanNotebooks(db: Knex, q: Knex.QueryBuilder): void {
  for (const table of NOTEBOOK_ID_TABLES) q.whereNotExists(db(table).select(db.raw('1')).whereRaw('??.notebook_id = notebooks.id', [table]));
  q.whereNotExists(db('events').select(db.raw('1')).whereRaw('events.notebook_path = notebooks.path'));
}

function goneStudents(db: Knex, q: Knex.QueryBuilder, cutoff: Date): void {
  q.where(before(db, 'COALESCE(students.last_seen_at, students.created_at)', cutoff));
  for (const { table, key } of STUDENT_TABLES) {
    q.whereNotExists(db(table).select(db.raw('1')).whereRaw(key === 'student_id' ? '??.student_id = students.id' : '??.user_id = students.user_id', [table]));
  }
}
