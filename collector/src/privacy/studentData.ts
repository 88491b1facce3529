/**
 * Everything stored about one student, by Jupyter user name: exported as NDJSON records streamed
 * table by table in pages (never the whole export in memory), or erased everywhere — every table
 * of the registry (studentTables.ts; one transaction, children before parents), their seat on seat
 * maps, notebooks only they used, this collector's buffer file, the Redis Streams and the InfluxDB
 * copy (when configured). Other collectors' buffers are reached through the `erasures` live
 * channel (privacyJobs.ts).
 *
 * Erase a student once they no longer send: an event in flight during the erasure (read from the
 * buffer by the pipeline, not yet committed) would be stored afterwards. Hence the order: buffer,
 * then stream, then the store, downstream last.
 *
 * The export, one JSON object per line (`kind` says which):
 *   {"kind":"export","userId":…,"selfReported":…,"exportedAt":…,"student":{…}|null}   first
 *   {"kind":"row","table":"events","row":{…}}                                 every row of every table, then `notebooks`
 *   {"kind":"seat","classId":…,"x":…,"y":…}                                   her seats
 *   {"kind":"buffer_row",…} / {"kind":"buffer_dead_letter",…}                  this collector's buffer
 *   {"kind":"stream_entry","stream":"stream"|"dead_letter_stream",…}          the Redis Streams
 *   {"kind":"end","rows":{"events":n,…}}                                      last: the export is complete
 */
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import { isPostgres, writeTransaction } from '../db/createDb.ts';
import { isSelfReportedUser } from '@cell-monitor/shared';
import { now } from '../db/rows.ts';
import type { BufferRows } from './bufferRows.ts';
import { entriesOfUser, eraseUserEntries, STREAMS, type StreamName } from './streamEntries.ts';
import type { PointEraser } from '../sink/influxErasure.ts';
import { EMBEDDED_PERSONAL_COLUMNS, NOTEBOOK_ID_TABLES, STUDENT_TABLES, STUDENTS_TABLE } from './studentTables.ts';

/** Rows read per query while exporting. */
export const EXPORT_PAGE = 500;
/**
 * A page of a table is also cut to about this many bytes: a student's rows can be megabytes each
 * (cell code, payloads), and a page is read (SQLite: synchronously) and parsed in one go, so pages
 * sized in rows alone held the event loop — and every other user's request — for seconds. The next
 * page's row count follows the last page's bytes per row; the loop gets a turn between pages.
 */
const PAGE_BYTES = 1 << 20;

/** About how many bytes a row takes (strings by length; parsed JSON by its text). */
function rowBytes(row: Record<string, unknown>): number {
  let bytes = 16;
  for (const value of Object.values(row)) bytes += typeof value === 'string' ? value.length : value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value).length : 8;
  return bytes;
}


export interface Transports {
  buffer?: BufferRows;
  redis?: Redis;
  influx?: PointEraser;
}

export type ExportRecord = Record<string, unknown> & { kind: string };
export type ErasureCounts = Record<string, number>;

interface SeatMapRow {
  class_id: number;
  placements: string;
}
type Placement = { kind: string; key: string; x: number; y: number };
const SEAT_MAPS = EMBEDDED_PERSONAL_COLUMNS[0];

/** Whether anything of the user's is stored (the store, the buffer, the streams): the export's 404. */
export async function hasStudentData(db: Knex, userId: string, transports: Transports = {}): Promise<boolean> {
  if (await db(STUDENTS_TABLE.table).where({ user_id: userId }).first('id')) return true;
  for (const { table, key } of STUDENT_TABLES) if (key === 'user_id' && (await db(table).where({ user_id: userId }).first(db.raw('1 AS x')))) return true;
  if (await transports.buffer?.hasUser(userId)) return true;
  if (transports.redis) for (const key of Object.values(STREAMS)) if ((await entriesOfUser(transports.redis, key, userId)).length > 0) return true;
  return false;
}

/** The student's data as export records, read page by page (see the docblock). */
export async function* exportStudent(db: Knex, userId: string, transports: Transports = {}): AsyncGenerator<ExportRecord> {
  const pg = isPostgres(db);
  const student = await db(STUDENTS_TABLE.table).where({ user_id: userId }).first();
  // selfReported: a v1 client's identity (the `v1:` namespace), reported by its body, not authenticated.
  yield { kind: 'export', userId, selfReported: isSelfReportedUser(userId), exportedAt: now(), student: student ?? null };
  const rows: Record<string, number> = {};
  const notebookIds = new Set<number>();
  for (const { table, key, pk, json, notebookId } of STUDENT_TABLES) {
    rows[table] = 0;
    const value = key === 'user_id' ? userId : student?.id;
    if (value === undefined) continue;
    let after: unknown;
    let limit = 16; // grows while pages are small, shrinks when rows are large
    for (;;) {
      const q = db(table).where(key, value).orderBy(pk).limit(limit);
      if (after !== undefined) q.where(pk, '>', after as never);
      const page: Array<Record<string, unknown>> = await q;
      let bytes = 0;
      for (const row of page) bytes += rowBytes(row);
      for (const row of page) {
        if (!pg) for (const column of json ?? []) if (typeof row[column] === 'string') row[column] = JSON.parse(row[column] as string);
        if (notebookId && row.notebook_id != null) notebookIds.add(Number(row.notebook_id));
        rows[table]++;
        yield { kind: 'row', table, row };
      }
      if (page.length < limit) break;
      after = page[page.length - 1][pk];
      limit = Math.max(1, Math.min(EXPORT_PAGE, Math.floor((limit * PAGE_BYTES) / Math.max(bytes, 1))));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  rows.notebooks = 0;
  const ids = [...notebookIds];
  for (let i = 0; i < ids.length; i += EXPORT_PAGE) {
    for (const row of await db('notebooks').whereIn('id', ids.slice(i, i + EXPORT_PAGE)).orderBy('id')) {
      rows.notebooks++;
      yield { kind: 'row', table: 'notebooks', row };
    }
  }
  for (const { row, mine } of await seatMapsWith(db, userId)) for (const p of mine) yield { kind: 'seat', classId: row.class_id, x: p.x, y: p.y };
  if (transports.buffer) {
    for await (const item of transports.buffer.ofUser(userId)) yield 'row' in item ? { kind: 'buffer_row', ...item.row } : { kind: 'buffer_dead_letter', ...item.deadLetter };
  }
  if (transports.redis) {
    for (const [stream, key] of Object.entries(STREAMS) as Array<[StreamName, string]>) {
      for (const entry of await entriesOfUser(transports.redis, key, userId)) yield { kind: 'stream_entry', stream, ...entry };
    }
  }
  yield { kind: 'end', rows };
}

/** The export as NDJSON text chunks (one record per line), for an HTTP body or a file. */
export async function* exportStudentNdjson(db: Knex, userId: string, transports: Transports = {}): AsyncGenerator<string> {
  let lines: string[] = [];
  let chars = 0;
  for await (const record of exportStudent(db, userId, transports)) {
    const line = JSON.stringify(record);
    lines.push(line);
    chars += line.length;
    // Chunks of ~64 KiB (or one large record): the socket's backpressure paces the reads.
    if (chars >= 64 * 1024) {
      yield `${lines.join('\n')}\n`;
      lines = [];
      chars = 0;
    }
  }
  if (lines.length > 0) yield `${lines.join('\n')}\n`;
}

/** Deletes the student everywhere; answers rows deleted per table (all zero: nothing of theirs existed). */
export async function eraseStudent(db: Knex, userId: string, transports: Transports = {}): Promise<ErasureCounts> {
  const counts: ErasureCounts = {};
  if (transports.buffer) Object.assign(counts, await transports.buffer.eraseUser(userId));
  if (transports.redis) Object.assign(counts, await eraseUserEntries(transports.redis, userId));
  await writeTransaction(db, async (trx) => {
    const student = await trx(STUDENTS_TABLE.table).where({ user_id: userId }).first('id');
    const notebookIds = new Set<number>();
    for (const table of NOTEBOOK_ID_TABLES) {
      if (!student) break;
      for (const r of await trx(table).where({ student_id: student.id }).whereNotNull('notebook_id').distinct('notebook_id')) notebookIds.add(Number(r.notebook_id));
    }
    const paths: string[] = (await trx('events').where({ user_id: userId }).whereNotNull('notebook_path').distinct('notebook_path')).map((r) => r.notebook_path);
    for (const { table, key } of STUDENT_TABLES) {
      if (key === 'user_id') counts[table] = await trx(table).where({ user_id: userId }).delete();
      else counts[table] = student ? await trx(table).where({ student_id: student.id }).delete() : 0;
    }
    counts.students = await trx(STUDENTS_TABLE.table).where({ user_id: userId }).delete();
    // Notebooks only they used (no other row or event names them any more) go too: a path can name a person.
    counts.notebooks = 0;
    for (const [column, keys] of [['id', [...notebookIds]], ['path', paths]] as const) {
      for (let i = 0; i < keys.length; i += 500) {
        const q = trx('notebooks').whereIn(column, keys.slice(i, i + 500) as never[]);
        for (const table of NOTEBOOK_ID_TABLES) q.whereNotExists(trx(table).select(trx.raw('1')).whereRaw('??.notebook_id = notebooks.id', [table]));
        counts.notebooks += await q.whereNotExists(trx('events').select(trx.raw('1')).whereRaw('events.notebook_path = notebooks.path')).delete();
      }
    }
    counts[SEAT_MAPS.table] = 0;
    for (const { row, all, mine } of await seatMapsWith(trx, userId)) {
      await trx(SEAT_MAPS.table).where({ class_id: row.class_id }).update({ [SEAT_MAPS.column]: JSON.stringify(all.filter((p) => !mine.includes(p))) });
      counts[SEAT_MAPS.table] += mine.length;
    }
  });
  // Downstream last, and always (a repeated erasure reaches a copy an earlier one failed to): InfluxDB
  // answers no count, `influxdb: 1` says the delete was accepted. A failure throws after everything
  // else is erased: InfluxErasureError carries the counts, and the erasure can be repeated.
  if (transports.influx) {
    try {
      await transports.influx.eraseUser(userId);
    } catch (err) {
      throw new InfluxErasureError(counts, err as Error);
    }
    counts.influxdb = 1;
  }
  return counts;
}

/** The store, buffers and streams are erased (`counts`); the InfluxDB copy is not. */
export class InfluxErasureError extends Error {
  constructor(readonly counts: ErasureCounts, readonly cause: Error) {
    super(`the InfluxDB copy was not erased: ${cause.message}`);
  }
}

/** Seat maps on which the student has a seat (placements are JSON text keyed by user name). */
async function seatMapsWith(db: Knex, userId: string): Promise<Array<{ row: SeatMapRow; all: Placement[]; mine: Placement[] }>> {
  const rows: SeatMapRow[] = await db(SEAT_MAPS.table).select('class_id', `${SEAT_MAPS.column} as placements`);
  return rows
    .map((row) => {
      const all = JSON.parse(row.placements) as Placement[];
      return { row, all, mine: all.filter((p) => p.kind === 'student' && p.key === userId) };
    })
    .filter((m) => m.mine.length > 0);
}
