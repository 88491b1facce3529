/**
 * Everything stored about one student, by Jupyter user name: exported as NDJSON records streamed
 * table by table in pages (never the whole export in memory), or erased everywhere — every table
 * of the registry (registry.ts: what each owner declares; one transaction, children before
 * parents), what other rows hold of them inside a column (their seat on seat maps), notebooks only
 * they used, and every registered sink: this collector's buffer file, the Redis Streams and the
 * InfluxDB copy (when configured). Other collectors' buffers are reached through the `erasures`
 * live channel (privacyJobs.ts).
 *
 * Erase a student once they no longer send: an event in flight during the erasure (read from the
 * buffer by the pipeline, not yet committed) would be stored afterwards. Hence the order: the upstream
 * sinks (buffer, then stream), then the store, the downstream sinks (the InfluxDB copy) last.
 *
 * The export, one JSON object per line (`kind` says which):
 *   {"kind":"export","userId":…,"selfReported":…,"exportedAt":…,"student":{…}|null}   first
 *   {"kind":"row","table":"events","row":{…}}                                 every row of every table, then `notebooks`,
 *                                                                             then the shared content her rows refer to (history_blobs)
 *   {"kind":"seat","classId":…,"x":…,"y":…}                                   her seats
 *   {"kind":"buffer_row",…} / {"kind":"buffer_dead_letter",…}                  this collector's buffer
 *   {"kind":"stream_entry","stream":"stream"|"dead_letter_stream",…}          the Redis Streams
 *   {"kind":"end","rows":{"events":n,…}}                                      last: the export is complete
 */
import type { Knex } from 'knex';
import { isPostgres, writeTransaction } from '../db/createDb.ts';
import { isSelfReportedUser } from '@cell-monitor/shared';
import { now } from '../db/rows.ts';
import { EMBEDDED, NOTEBOOK_ID_TABLES, NOTEBOOK_PATH_TABLES, NOTEBOOKS, PERSONAL_TABLES, SHARED_CONTENT, sinksOf, STUDENT_TABLES, STUDENTS, type Transports } from './registry.ts';
import { deleteUnreferenced, keysReferredBy, type Shared } from './sharedContent.ts';

export type { Transports } from './registry.ts';

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

export type ExportRecord = Record<string, unknown> & { kind: string };
export type ErasureCounts = Record<string, number>;

/** Whether anything of the user's is stored (the store, the buffer, the streams): the export's 404. */
export async function hasStudentData(db: Knex, userId: string, transports: Transports = {}): Promise<boolean> {
  for (const { table, key } of PERSONAL_TABLES) if (key === 'user_id' && (await db(table).where({ user_id: userId }).first(db.raw('1 AS x')))) return true;
  for (const sink of sinksOf(transports)) if (await sink.hasUser(userId)) return true;
  return false;
}

/** The student's data as export records, read page by page (see the docblock). */
export async function* exportStudent(db: Knex, userId: string, transports: Transports = {}): AsyncGenerator<ExportRecord> {
  const pg = isPostgres(db);
  const student = await db(STUDENTS.table).where({ user_id: userId }).first();
  // selfReported: a v1 client's identity (the `v1:` namespace), reported by its body, not authenticated.
  yield { kind: 'export', userId, selfReported: isSelfReportedUser(userId), exportedAt: now(), student: student ?? null };
  const rows: Record<string, number> = {};
  const notebookIds = new Set<number>();
  const sharedKeys = new Map(SHARED_CONTENT.map((s) => [s, new Set<string>()]));
  for (const { table, key, pk, json, notebookId } of STUDENT_TABLES) {
    const refs = SHARED_CONTENT.flatMap((s) => s.referencedBy.filter((r) => r.table === table).map((r) => ({ keys: sharedKeys.get(s)!, column: r.column })));
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
        for (const ref of refs) if (row[ref.column] != null) ref.keys.add(String(row[ref.column]));
        rows[table]++;
        yield { kind: 'row', table, row };
      }
      if (page.length < limit) break;
      after = page[page.length - 1][pk];
      limit = Math.max(1, Math.min(EXPORT_PAGE, Math.floor((limit * PAGE_BYTES) / Math.max(bytes, 1))));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const notebooks = NOTEBOOKS.table;
  rows[notebooks] = 0;
  const ids = [...notebookIds];
  for (let i = 0; i < ids.length; i += EXPORT_PAGE) {
    for (const row of await db(notebooks).whereIn('id', ids.slice(i, i + EXPORT_PAGE)).orderBy('id')) {
      rows[notebooks]++;
      yield { kind: 'row', table: notebooks, row };
    }
  }
  // Content shared with other students (a cell's source, by hash): hers too, exported once each.
  for (const [shared, keys] of sharedKeys) {
    rows[shared.table] = 0;
    const all = [...keys].sort();
    for (let i = 0; i < all.length; i += EXPORT_PAGE) {
      for (const row of await db(shared.table).whereIn(shared.pk, all.slice(i, i + EXPORT_PAGE)).orderBy(shared.pk)) {
        rows[shared.table]++;
        yield { kind: 'row', table: shared.table, row };
      }
    }
  }
  for (const { mine } of await embeddedOf(db, userId)) yield* mine;
  for (const sink of sinksOf(transports)) yield* sink.exportUser(userId);
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
  const sinks = sinksOf(transports);
  for (const sink of sinks) if (sink.stage === 'upstream') Object.assign(counts, await sink.eraseUser(userId));
  await writeTransaction(db, async (trx) => {
    const student = await trx(STUDENTS.table).where({ user_id: userId }).first('id');
    const valueOf = (key: 'student_id' | 'user_id') => (key === 'user_id' ? userId : student?.id);
    const notebookIds = new Set<number>();
    for (const table of NOTEBOOK_ID_TABLES) {
      if (!student) break;
      for (const r of await trx(table).where({ student_id: student.id }).whereNotNull('notebook_id').distinct('notebook_id')) notebookIds.add(Number(r.notebook_id));
    }
    const paths = new Set<string>();
    for (const { table, key, notebookPath } of NOTEBOOK_PATH_TABLES) {
      if (valueOf(key) === undefined) continue;
      for (const r of await trx(table).where(key, valueOf(key)).whereRaw(`${notebookPath} IS NOT NULL`).distinct(trx.raw(`${notebookPath} AS path`))) paths.add(r.path);
    }
    const sharedKeys: Array<{ shared: Shared; keys: Set<string> }> = [];
    for (const shared of SHARED_CONTENT) sharedKeys.push({ shared, keys: await keysReferredBy(trx, shared, { userId, studentId: student?.id }) });
    // Children before parents, her own row last (the registry's order).
    for (const { table, key } of PERSONAL_TABLES) counts[table] = valueOf(key) === undefined ? 0 : await trx(table).where(key, valueOf(key)).delete();
    // Notebooks only they used (no other row or event names them any more) go too: a path can name a person.
    const notebooks = NOTEBOOKS.table;
    counts[notebooks] = 0;
    for (const [column, keys] of [['id', [...notebookIds]], ['path', [...paths]]] as const) {
      for (let i = 0; i < keys.length; i += 500) {
        const q = trx(notebooks).whereIn(column, keys.slice(i, i + 500) as never[]);
        for (const table of NOTEBOOK_ID_TABLES) q.whereNotExists(trx(table).select(trx.raw('1')).whereRaw('??.notebook_id = ??.id', [table, notebooks]));
        for (const { table, notebookPath } of NOTEBOOK_PATH_TABLES) q.whereNotExists(trx(table).select(trx.raw('1')).whereRaw(`${notebookPath} = ??.path`, [notebooks]));
        counts[notebooks] += await q.delete();
      }
    }
    // Shared content her rows referred to and no other row does any more (a cell only she wrote).
    for (const { shared, keys } of sharedKeys) counts[shared.table] = await deleteUnreferenced(trx, shared, keys);
    for (const { table } of EMBEDDED) counts[table] = 0;
    for (const { embedded, key, rest, mine } of await embeddedOf(trx, userId)) {
      await trx(embedded.table).where(embedded.pk, key).update({ [embedded.column]: JSON.stringify(rest) });
      counts[embedded.table] += mine.length;
    }
  });
  // Downstream last, and always (a repeated erasure reaches a copy an earlier one failed to): InfluxDB
  // answers no count, `influxdb: 1` says the delete was accepted. A failure throws after everything
  // else is erased: InfluxErasureError carries the counts, and the erasure can be repeated.
  for (const sink of sinks) {
    if (sink.stage !== 'downstream') continue;
    try {
      Object.assign(counts, await sink.eraseUser(userId));
    } catch (err) {
      throw new InfluxErasureError(counts, err as Error);
    }
  }
  return counts;
}

/** The store, buffers and streams are erased (`counts`); a downstream copy (InfluxDB) is not. */
export class InfluxErasureError extends Error {
  constructor(readonly counts: ErasureCounts, readonly cause: Error) {
    super(`the InfluxDB copy was not erased: ${cause.message}`);
  }
}

/** Rows that name the student inside a JSON column (her seat on a seat map): her parts, and the rest. */
async function embeddedOf(db: Knex, userId: string): Promise<Array<{ embedded: (typeof EMBEDDED)[number]; key: string | number; mine: ExportRecord[]; rest: unknown }>> {
  const found = [];
  for (const embedded of EMBEDDED) {
    for (const row of await db(embedded.table).select(`${embedded.pk} as key`, `${embedded.column} as value`)) {
      const { mine, rest } = embedded.split(typeof row.value === 'string' ? JSON.parse(row.value) : row.value, userId, row.key);
      if (mine.length > 0) found.push({ embedded, key: row.key, mine, rest });
    }
  }
  return found;
}
