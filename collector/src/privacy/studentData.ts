/**
 * Everything stored about one student, by Jupyter user name: exported as one JSON document, or
 * erased everywhere — every table (one transaction, children before parents), their seat on seat
 * maps, this collector's buffer file and the Redis Streams. Other collectors' buffers are reached
 * through the `erasures` live channel (privacyJobs.ts). There is no other sink to erase.
 *
 * Erase a student once they no longer send: an event in flight during the erasure (read from the
 * buffer by the pipeline, not yet committed) would be stored afterwards. Hence the order: buffer,
 * then stream, then the store, downstream last.
 */
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import { isPostgres, writeTransaction } from '../db/createDb.ts';
import { now } from '../db/rows.ts';
import type { BufferRows, BufferRow, BufferDeadLetter } from './bufferRows.ts';
import { entriesOfUser, eraseUserEntries, STREAMS, type StreamEntry, type StreamName } from './streamEntries.ts';

/** Tables with a `student_id`, children before parents. */
export const STUDENT_ID_TABLES = ['cell_executions', 'error_logs', 'notebook_accesses', 'help_requests', 'student_notifications', 'assignment_submissions', 'class_enrollments', 'cells', 'sessions'] as const;
const NOTEBOOK_TABLES = ['cells', 'cell_executions', 'error_logs', 'notebook_accesses'] as const;
/** JSON columns: jsonb on PostgreSQL (parsed by the driver), JSON text on SQLite. */
const JSON_COLUMNS: Record<string, string[]> = { events: ['payload'], cell_executions: ['output'], assignment_submissions: ['notebook_content'], student_notifications: ['payload'] };

export interface Transports {
  buffer?: BufferRows;
  redis?: Redis;
}

export interface StudentExport {
  userId: string;
  exportedAt: string;
  student: Record<string, unknown> | null;
  /** Every row that refers to the student, by table; `notebooks`: the notebooks those rows name. */
  tables: Record<string, Array<Record<string, unknown>>>;
  seatPlacements: Array<{ classId: number; x: number; y: number }>;
  buffer?: { rows: BufferRow[]; deadLetters: BufferDeadLetter[] };
  streams?: Record<StreamName, StreamEntry[]>;
}

export type ErasureCounts = Record<string, number>;

interface SeatMapRow {
  class_id: number;
  placements: string;
}
type Placement = { kind: string; key: string; x: number; y: number };

/** The student's data, or undefined when nothing of theirs exists anywhere. */
export async function exportStudent(db: Knex, userId: string, transports: Transports = {}): Promise<StudentExport | undefined> {
  const pg = isPostgres(db);
  const parse = (table: string, row: Record<string, unknown>) => {
    if (!pg) for (const column of JSON_COLUMNS[table] ?? []) if (typeof row[column] === 'string') row[column] = JSON.parse(row[column] as string);
    return row;
  };
  const student = await db('students').where({ user_id: userId }).first();
  const tables: StudentExport['tables'] = { events: (await db('events').where({ user_id: userId }).orderBy('id')).map((r) => parse('events', r)) };
  const notebookIds = new Set<number>();
  for (const table of STUDENT_ID_TABLES) {
    tables[table] = student ? (await db(table).where({ student_id: student.id }).orderBy('id')).map((r) => parse(table, r)) : [];
    if ((NOTEBOOK_TABLES as readonly string[]).includes(table)) for (const r of tables[table]) if (r.notebook_id) notebookIds.add(Number(r.notebook_id));
  }
  tables.notebooks = await inChunks([...notebookIds], (ids) => db('notebooks').whereIn('id', ids));
  const seatPlacements = (await seatMapsWith(db, userId)).flatMap(({ row, mine }) => mine.map((p) => ({ classId: row.class_id, x: p.x, y: p.y })));
  const buffer = await transports.buffer?.ofUser(userId);
  const streams = transports.redis ? await streamsOf(transports.redis, userId) : undefined;
  const found = student || tables.events.length > 0 || (buffer && buffer.rows.length + buffer.deadLetters.length > 0) || (streams && Object.values(streams).some((s) => s.length > 0));
  if (!found) return undefined;
  return { userId, exportedAt: now(), student: student ?? null, tables, seatPlacements, ...(buffer ? { buffer } : {}), ...(streams ? { streams } : {}) };
}

/** Deletes the student everywhere; answers rows deleted per table (all zero: nothing of theirs existed). */
export async function eraseStudent(db: Knex, userId: string, transports: Transports = {}): Promise<ErasureCounts> {
  const counts: ErasureCounts = {};
  if (transports.buffer) Object.assign(counts, await transports.buffer.eraseUser(userId));
  if (transports.redis) Object.assign(counts, await eraseUserEntries(transports.redis, userId));
  await writeTransaction(db, async (trx) => {
    const student = await trx('students').where({ user_id: userId }).first('id');
    const notebookIds = new Set<number>();
    for (const table of NOTEBOOK_TABLES) {
      if (!student) break;
      for (const r of await trx(table).where({ student_id: student.id }).whereNotNull('notebook_id').distinct('notebook_id')) notebookIds.add(Number(r.notebook_id));
    }
    const paths: string[] = (await trx('events').where({ user_id: userId }).whereNotNull('notebook_path').distinct('notebook_path')).map((r) => r.notebook_path);
    for (const table of STUDENT_ID_TABLES) counts[table] = student ? await trx(table).where({ student_id: student.id }).delete() : 0;
    counts.events = await trx('events').where({ user_id: userId }).delete();
    counts.students = await trx('students').where({ user_id: userId }).delete();
    // Notebooks only they used (no other row or event names them any more) go too: a path can name a person.
    counts.notebooks = 0;
    for (const [column, keys] of [['id', [...notebookIds]], ['path', paths]] as const) {
      for (let i = 0; i < keys.length; i += 500) {
        const q = trx('notebooks').whereIn(column, keys.slice(i, i + 500) as never[]);
        for (const table of NOTEBOOK_TABLES) q.whereNotExists(trx(table).select(trx.raw('1')).whereRaw('??.notebook_id = notebooks.id', [table]));
        counts.notebooks += await q.whereNotExists(trx('events').select(trx.raw('1')).whereRaw('events.notebook_path = notebooks.path')).delete();
      }
    }
    counts.class_seat_maps = 0;
    for (const { row, all, mine } of await seatMapsWith(trx, userId)) {
      await trx('class_seat_maps').where({ class_id: row.class_id }).update({ placements: JSON.stringify(all.filter((p) => !mine.includes(p))) });
      counts.class_seat_maps += mine.length;
    }
  });
  return counts;
}

/** Seat maps on which the student has a seat (placements are JSON text keyed by user name). */
async function seatMapsWith(db: Knex, userId: string): Promise<Array<{ row: SeatMapRow; all: Placement[]; mine: Placement[] }>> {
  const rows: SeatMapRow[] = await db('class_seat_maps').select('class_id', 'placements');
  return rows
    .map((row) => {
      const all = JSON.parse(row.placements) as Placement[];
      return { row, all, mine: all.filter((p) => p.kind === 'student' && p.key === userId) };
    })
    .filter((m) => m.mine.length > 0);
}

async function streamsOf(redis: Redis, userId: string): Promise<Record<StreamName, StreamEntry[]>> {
  return { stream: await entriesOfUser(redis, STREAMS.stream, userId), dead_letter_stream: await entriesOfUser(redis, STREAMS.dead_letter_stream, userId) };
}

async function inChunks<T>(keys: number[], read: (chunk: number[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < keys.length; i += 500) out.push(...(await read(keys.slice(i, i + 500))));
  return out;
}
