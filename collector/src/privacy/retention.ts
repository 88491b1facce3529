/**
 * The retention sweep: deletes what is older than its retention (retentionPolicy.ts says which
 * retention applies to which row), table by table — the tables of the registry (registry.ts; each
 * owner's tables.ts says what "older" means for its tables) — in batches of ids so a large store is
 * never locked for long and the pipeline keeps writing between batches. As the registry says:
 *
 * | table / place          | deleted when …                                                       |
 * |------------------------|----------------------------------------------------------------------|
 * | a personal table       | its time is before the cutoff of the student's rule for that row     |
 * | `byClass` (hand-ins)   | its time is before the cutoff of the class that owns the row          |
 * | `classRetention` (a class's broadcasts) | its time is before the cutoff of its class           |
 * | derived sums (`rederive`) | computed again from the rows left, where the sweep took some of theirs |
 * | notebooks              | nothing refers to it any more (no row that names it by id or path)    |
 * | shared content (`sharedContent`: history's blobs) | no row refers to it any more               |
 * | students               | in no class, last seen (else created) before the global cutoff, and nothing refers to them |
 * | every sink             | its own rule (sweepBefore): the InfluxDB copy per student at her strictest retention, the buffer's delivered rows at the shortest, the Redis Streams at the longest and only when no retention is "forever" |
 *
 * Kept: tables without a time (configuration, not activity: classes, enrollments, teams, seat maps,
 * assignments, teachers, instructors). Sinks marked `local` (this collector's buffer) are swept by
 * every collector; the rest, like the store, by the holder of the sweep lock.
 */
import type { Knex } from 'knex';
import { isPostgres, writeTransaction } from '../db/createDb.ts';
import { CLASS_RETENTION_TABLES, NOTEBOOK_ID_TABLES, NOTEBOOK_PATH_TABLES, NOTEBOOKS, OWNED_TABLES, SHARED_CONTENT, sinksOf, STUDENT_TABLES, STUDENTS, type Transports } from './registry.ts';
import { unreferenced } from './sharedContent.ts';
import { loadRetentionPolicy } from './retentionPolicy.ts';

export const SWEEP_BATCH = 2_000;

/** The sinks' handles (Transports): this collector's buffer file, Redis, the InfluxDB copy. */
export interface SweepOptions extends Transports {
  now: Date;
  /** RETENTION_DAYS: 0 = forever (classes may still set their own). */
  globalDays: number;
  /** false: only the `local` sinks, this collector's buffer (another collector holds the sweep lock). Default true. */
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

  const store = options.store !== false;
  if (store) {
    for (const table of STUDENT_TABLES) {
      if (!table.time || table.byClass) continue;
      for (const group of policy.rows) {
        await remove(table.table, (q) => {
          q.whereRaw(`${table.time} < ?`, [group.cutoff.toISOString()]);
          group.rowsOf(q, table);
        }, table.pk);
      }
    }
    // Rows that follow the retention of the class that owns them (hand-ins, broadcasts).
    const byClass = [
      ...STUDENT_TABLES.flatMap((t) => (t.time && t.byClass ? [{ table: t.table, pk: t.pk, time: t.time, classId: t.byClass }] : [])),
      ...CLASS_RETENTION_TABLES,
    ];
    for (const group of policy.classes) {
      const cutoff = group.cutoff.toISOString();
      const ids = group.classIds.map(() => '?').join(', ');
      for (const t of byClass) await remove(t.table, (q) => void q.whereRaw(`${t.time} < ?`, [cutoff]).whereRaw(`${t.classId} IN (${ids})`, group.classIds), t.pk);
    }
    // Derived tables (sums kept by a projection) brought in line with the rows the sweep left.
    if (policy.shortest) for (const t of OWNED_TABLES) if (t.rederive) await t.rederive(db, policy.shortest);
    if (policy.shortest) await remove(NOTEBOOKS.table, (q) => void orphanNotebooks(db, q));
    if (policy.shortest) for (const shared of SHARED_CONTENT) await remove(shared.table, (q) => void unreferenced(db, q, shared), shared.pk);
    if (policy.unenrolled) await remove(STUDENTS.table, (q) => void goneStudents(db, q, policy.unenrolled!));
  }
  for (const sink of sinksOf(options)) {
    if (!store && !sink.local) continue;
    for (const [key, n] of Object.entries(await sink.sweepBefore(policy, options.signal))) add(key, n);
  }
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
  const notebooks = NOTEBOOKS.table;
  for (const table of NOTEBOOK_ID_TABLES) q.whereNotExists(db(table).select(db.raw('1')).whereRaw('??.notebook_id = ??.id', [table, notebooks]));
  for (const { table, notebookPath } of NOTEBOOK_PATH_TABLES) q.whereNotExists(db(table).select(db.raw('1')).whereRaw(`${notebookPath} = ??.path`, [notebooks]));
}

function goneStudents(db: Knex, q: Knex.QueryBuilder, cutoff: Date): void {
  const students = STUDENTS.table;
  q.where(before(db, `COALESCE(${students}.last_seen_at, ${students}.created_at)`, cutoff));
  for (const { table, key } of STUDENT_TABLES) {
    q.whereNotExists(db(table).select(db.raw('1')).whereRaw(key === 'student_id' ? '??.student_id = ??.id' : '??.user_id = ??.user_id', [table, students]));
  }
}
