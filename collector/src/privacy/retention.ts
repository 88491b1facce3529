/**
 * The retention sweep: deletes what is older than its retention (retentionPolicy.ts), table by
 * table, in batches of ids so a large store is never locked for long and the pipeline keeps
 * writing between batches. What "older" means, per table:
 *
 * | table                  | deleted when …                                              | retention of |
 * |------------------------|-------------------------------------------------------------|--------------|
 * | events                 | event_time < cutoff                                         | the student  |
 * | cell_executions        | executed_at < cutoff                                        | the student  |
 * | error_logs             | occurred_at < cutoff                                        | the student  |
 * | notebook_accesses      | accessed_at < cutoff                                        | the student  |
 * | help_requests          | resolved or cancelled, and that happened before the cutoff (open ones stay) | the student |
 * | student_notifications  | created_at < cutoff                                         | the student  |
 * | sessions               | last seen (else ended, else started) < cutoff               | the student  |
 * | cells (latest code)    | updated_at < cutoff                                         | the student  |
 * | assignment_submissions | submitted_at < cutoff (the stored notebook and its grade)   | its class    |
 * | class_broadcasts       | sent_at < cutoff                                            | its class    |
 * | notebooks              | nothing refers to it any more (no cell, run, error, access or event) | —  |
 * | students               | in no class, last seen (else created) before the global cutoff, and nothing refers to them | global |
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

export const SWEEP_BATCH = 2_000;

export interface SweepOptions {
  now: Date;
  /** RETENTION_DAYS: 0 = forever (classes may still set their own). */
  globalDays: number;
  /** This collector's buffer file. */
  buffer?: BufferRows;
  redis?: Redis;
  /** false: only this collector's buffer (another collector holds the sweep lock). Default true. */
  store?: boolean;
  signal?: AbortSignal;
  batchSize?: number;
}

export type SweepCounts = Record<string, number>;

type Older = (q: Knex.QueryBuilder, cutoff: string) => void;

/** Per-student tables, children before parents (sessions and cells are referenced by the facts). */
const STUDENT_TABLES: Array<{ table: string; column: string; byUser?: true; older: Older }> = [
  { table: 'events', column: 'user_id', byUser: true, older: (q, c) => void q.where('event_time', '<', c) },
  { table: 'cell_executions', column: 'student_id', older: (q, c) => void q.where('executed_at', '<', c) },
  { table: 'error_logs', column: 'student_id', older: (q, c) => void q.where('occurred_at', '<', c) },
  { table: 'notebook_accesses', column: 'student_id', older: (q, c) => void q.where('accessed_at', '<', c) },
  {
    table: 'help_requests',
    column: 'student_id',
    older: (q, c) => void q.where((w) => w.where('resolved_at', '<', c).orWhere((x) => x.whereNull('resolved_at').where('cancelled_at', '<', c))),
  },
  { table: 'student_notifications', column: 'student_id', older: (q, c) => void q.where('created_at', '<', c) },
  { table: 'sessions', column: 'student_id', older: (q, c) => void q.whereRaw('COALESCE(last_seen_at, ended_at, started_at) < ?', [c]) },
  { table: 'cells', column: 'student_id', older: (q, c) => void q.where('updated_at', '<', c) },
];

export async function sweepRetention(db: Knex, options: SweepOptions): Promise<SweepCounts> {
  const policy = await loadRetentionPolicy(db, options);
  const batch = options.batchSize ?? SWEEP_BATCH;
  const counts: SweepCounts = {};
  const add = (key: string, n: number) => void (counts[key] = (counts[key] ?? 0) + n);
  const remove = async (table: string, narrow: (q: Knex.QueryBuilder) => void) => add(table, await deleteInBatches(db, table, narrow, batch, options.signal));

  if (options.store !== false) {
    for (const { table, column, byUser, older } of STUDENT_TABLES) {
      for (const group of policy.students) {
        await remove(table, (q) => {
          older(q, group.cutoff.toISOString());
          (byUser ? group.byUserId : group.byStudentId)(q, column);
        });
      }
    }
    for (const group of policy.classes) {
      const cutoff = group.cutoff.toISOString();
      await remove('assignment_submissions', (q) => void q.where('submitted_at', '<', cutoff).whereIn('assignment_id', db('class_assignments').select('id').whereIn('class_id', group.classIds)));
      await remove('class_broadcasts', (q) => void q.where('sent_at', '<', cutoff).whereIn('class_id', group.classIds));
    }
    if (policy.shortest) await remove('notebooks', (q) => void orphanNotebooks(db, q));
    if (policy.unenrolled) await remove('students', (q) => void goneStudents(db, q, policy.unenrolled!));
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
async function deleteInBatches(db: Knex, table: string, narrow: (q: Knex.QueryBuilder) => void, batch: number, signal?: AbortSignal): Promise<number> {
  let after: number | string = 0;
  let total = 0;
  while (!signal?.aborted) {
    const ids: Array<number | string> = (await db(table).select('id').where('id', '>', after).modify(narrow).orderBy('id').limit(batch)).map((r: { id: number | string }) => r.id);
    if (ids.length === 0) break;
    // The conditions again at delete time: a row the pipeline just made young again (a notebook an
    // event names anew, a returning student) is left alone.
    total += await writeTransaction(db, (trx) => trx(table).whereIn('id', ids).modify(narrow).delete());
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
  for (const table of ['cells', 'cell_executions', 'error_logs', 'notebook_accesses']) q.whereNotExists(db(table).select(db.raw('1')).whereRaw('??.notebook_id = notebooks.id', [table]));
  q.whereNotExists(db('events').select(db.raw('1')).whereRaw('events.notebook_path = notebooks.path'));
}

function goneStudents(db: Knex, q: Knex.QueryBuilder, cutoff: Date): void {
  q.where(before(db, 'COALESCE(students.last_seen_at, students.created_at)', cutoff));
  for (const table of ['class_enrollments', 'sessions', 'cells', 'cell_executions', 'error_logs', 'notebook_accesses', 'help_requests', 'student_notifications', 'assignment_submissions']) {
    q.whereNotExists(db(table).select(db.raw('1')).whereRaw('??.student_id = students.id', [table]));
  }
  q.whereNotExists(db('events').select(db.raw('1')).whereRaw('events.user_id = students.user_id'));
}
