/**
 * The buffer's SQLite file, shared by its two sides: the writer (ingest, main thread) and the
 * cursor (forward or embedded persist, pipeline thread), each with its own connection.
 *
 * `buffer`: every acked event, `seq` in commit order, `event_id` unique (the dedup window).
 * `cursor.delivered_seq`: everything up to it has left the buffer durably — XADDed to the Redis
 * Stream, or (embedded) committed to the main store. `dead_letters`: events the embedded persister
 * could never write. `self_reported` (both tables): the row is a v1 client's event, marked by the
 * collector that accepted it, outside the event JSON a client writes (ingest/legacyClients.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface BufferedEvent {
  seq: number;
  eventId: string;
  body: string;
  /** A v1 client's event (identity self-reported): the server's mark, not part of the body. */
  selfReported: boolean;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS buffer (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    self_reported INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS cursor (id INTEGER PRIMARY KEY CHECK (id = 1), delivered_seq INTEGER NOT NULL);
  INSERT OR IGNORE INTO cursor (id, delivered_seq) VALUES (1, 0);
  CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    body TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    self_reported INTEGER NOT NULL DEFAULT 0
  );
`;

/** A file from before the self-reported mark: its rows are companion events (the mark's default). */
function addSelfReportedColumn(db: Database.Database): void {
  for (const table of ['buffer', 'dead_letters']) {
    const columns = db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'self_reported')) db.exec(`ALTER TABLE ${table} ADD COLUMN self_reported INTEGER NOT NULL DEFAULT 0`);
  }
}

export function bufferPath(dataDir: string): string {
  return path.join(dataDir, 'buffer.sqlite');
}

/** Creates the file (WAL) and its tables if needed; a file from before the rename keeps its cursor. */
export function createBufferFile(dataDir: string, sync: 'full' | 'normal'): Database.Database {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 }); // the owner's only (core/privateFiles.ts)
  const db = new Database(bufferPath(dataDir));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  const cursorColumns = db.prepare("SELECT name FROM pragma_table_info('cursor')").all() as Array<{ name: string }>;
  if (cursorColumns.some((c) => c.name === 'forwarded_seq')) db.exec('ALTER TABLE cursor RENAME COLUMN forwarded_seq TO delivered_seq');
  db.exec(SCHEMA);
  addSelfReportedColumn(db);
  return db;
}

/** A second connection to a file `createBufferFile` made (the pipeline thread's). */
export function openBufferFile(dataDir: string): Database.Database {
  const db = new Database(bufferPath(dataDir), { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Rows not yet delivered downstream, in commit order. */
export function pendingStatements(db: Database.Database) {
  const countPending = db.prepare('SELECT COUNT(*) AS n FROM buffer WHERE seq > (SELECT delivered_seq FROM cursor)');
  const countDead = db.prepare('SELECT COUNT(*) AS n FROM dead_letters');
  const countRows = db.prepare('SELECT COUNT(*) AS n FROM buffer');
  const oldestPending = db.prepare('SELECT received_at AS at FROM buffer WHERE seq > (SELECT delivered_seq FROM cursor) ORDER BY seq LIMIT 1');
  return {
    /** Every row, delivered ones included (they stay for the dedup window). */
    rowCount: () => (countRows.get() as { n: number }).n,
    /** When the oldest row not yet delivered was received (ms since epoch), if there is one. */
    oldestPendingAt: () => (oldestPending.get() as { at: number } | undefined)?.at,
    pendingCount: () => (countPending.get() as { n: number }).n,
    deadLetterCount: () => (countDead.get() as { n: number }).n,
  };
}
