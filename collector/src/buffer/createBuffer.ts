import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../core/logger.ts';

export interface BufferedEvent {
  seq: number;
  eventId: string;
  body: string;
}

export interface AppendResult {
  accepted: number;
  duplicates: number;
}

/** The buffer cannot take writes (disk full, I/O error, closed): the request must not be acked. */
export class BufferUnavailableError extends Error {
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(`event buffer unavailable: ${reason}`, options);
    this.name = 'BufferUnavailableError';
  }
}

/** The downstream side of the buffer: what the forwarder and the embedded persister use. */
export interface BufferCursor {
  /** Events not yet handed downstream, oldest first. */
  readPending(limit: number): BufferedEvent[];
  /** Everything up to and including `seq` has been handed downstream durably. */
  markForwarded(seq: number): void;
  pendingCount(): number;
  deadLetter(entry: { eventId: string; body: string }, reason: string): void;
  /** Calls `listener` after each commit; returns an unsubscribe function. */
  onAppend(listener: () => void): () => void;
  close(): void;
}

/** One event ready for the buffer: serialised by the request that brought it, outside the group commit. */
export interface SerialisedEvent {
  eventId: string;
  body: string;
}

export interface EventBuffer extends BufferCursor {
  /** Resolves only after the SQLite transaction holding these events has committed (WAL). */
  append(events: SerialisedEvent[]): Promise<AppendResult>;
  deadLetterCount(): number;
  check(): void;
}

export interface BufferOptions {
  dataDir: string;
  sync: 'full' | 'normal';
  retentionHours: number;
  /** 0 = no cap besides the disk. */
  maxBytes?: number;
  log: Logger;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS buffer (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    received_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS cursor (id INTEGER PRIMARY KEY CHECK (id = 1), forwarded_seq INTEGER NOT NULL);
  INSERT OR IGNORE INTO cursor (id, forwarded_seq) VALUES (1, 0);
  CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    body TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
`;

interface PendingAppend {
  events: SerialisedEvent[];
  resolve: (result: AppendResult) => void;
  reject: (err: Error) => void;
}

/**
 * The collector's write-ahead log: a SQLite file in WAL mode. Appends that arrive in the same
 * event-loop turn share one transaction (group commit), so one fsync covers many requests.
 * Rows stay after forwarding until `retentionHours` pass, which makes `event_id` dedup cover resends.
 */
export function createBuffer(options: BufferOptions): EventBuffer {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const db = new Database(path.join(options.dataDir, 'buffer.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  if (options.maxBytes) {
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxBytes / pageSize))}`);
  }
  db.exec(SCHEMA);

  const insert = db.prepare('INSERT OR IGNORE INTO buffer (event_id, body, received_at) VALUES (?, ?, ?)');
  const cursor = cursorStatements(db);
  const countDead = db.prepare('SELECT COUNT(*) AS n FROM dead_letters');
  const prune = db.prepare(
    'DELETE FROM buffer WHERE seq IN (SELECT seq FROM buffer WHERE seq <= (SELECT forwarded_seq FROM cursor) AND received_at < ? ORDER BY seq LIMIT 10000)',
  );
  /** When full, forwarded rows give way early: only the dedup window shrinks, nothing unsent is lost. */
  const pruneForwarded = db.prepare(
    'DELETE FROM buffer WHERE seq IN (SELECT seq FROM buffer WHERE seq <= (SELECT forwarded_seq FROM cursor) ORDER BY seq LIMIT 20000)',
  );

  const writeGroup = db.transaction((group: PendingAppend[]) => {
    const now = Date.now();
    return group.map(({ events }) => {
      let accepted = 0;
      for (const event of events) accepted += insert.run(event.eventId, event.body, now).changes;
      return { accepted, duplicates: events.length - accepted };
    });
  });

  let queue: PendingAppend[] = [];
  let scheduled = false;
  let closed = false;
  const listeners = new Set<() => void>();

  function flush(): void {
    scheduled = false;
    const group = queue;
    queue = [];
    let results: AppendResult[];
    try {
      try {
        results = writeGroup(group);
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_FULL' || pruneForwarded.run().changes === 0) throw err;
        options.log.warn('buffer full: dropped forwarded rows early to make room');
        results = writeGroup(group);
      }
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'unknown';
      options.log.error({ err, code, requests: group.length }, 'buffer write failed; requests refused');
      for (const p of group) p.reject(new BufferUnavailableError(code, { cause: err }));
      return;
    }
    // Durable from here: the transaction has committed (and fsynced with synchronous=FULL).
    group.forEach((p, i) => p.resolve(results[i]));
    for (const listener of listeners) listener();
  }

  const pruneTimer = setInterval(() => {
    try {
      prune.run(Date.now() - options.retentionHours * 3_600_000);
    } catch (err) {
      options.log.warn({ err }, 'buffer prune failed');
    }
  }, 60_000);
  pruneTimer.unref();

  return {
    append(events) {
      if (closed) return Promise.reject(new BufferUnavailableError('closed'));
      return new Promise((resolve, reject) => {
        queue.push({ events, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    ...cursor,
    deadLetterCount: () => (countDead.get() as { n: number }).n,
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    check() {
      db.prepare('SELECT 1').get();
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(pruneTimer);
      if (queue.length > 0) flush();
      db.close();
    },
  };
}

function cursorStatements(db: Database.Database) {
  const selectPending = db.prepare(
    'SELECT seq, event_id AS eventId, body FROM buffer WHERE seq > (SELECT forwarded_seq FROM cursor) ORDER BY seq LIMIT ?',
  );
  const updateCursor = db.prepare('UPDATE cursor SET forwarded_seq = MAX(forwarded_seq, ?) WHERE id = 1');
  const countPending = db.prepare('SELECT COUNT(*) AS n FROM buffer WHERE seq > (SELECT forwarded_seq FROM cursor)');
  const insertDead = db.prepare('INSERT INTO dead_letters (event_id, body, reason, created_at) VALUES (?, ?, ?, ?)');
  return {
    readPending: (limit: number) => selectPending.all(limit) as BufferedEvent[],
    markForwarded: (seq: number) => void updateCursor.run(seq),
    pendingCount: () => (countPending.get() as { n: number }).n,
    deadLetter: (entry: { eventId: string; body: string }, reason: string) => void insertDead.run(entry.eventId, entry.body, reason, Date.now()),
  };
}

/**
 * A second connection to a buffer file that `createBuffer` created, for the pipeline thread.
 * Commits on the ingest side are announced with `appended()` (a message from the main thread).
 */
export function openBufferCursor(dataDir: string): BufferCursor & { appended(): void } {
  const db = new Database(path.join(dataDir, 'buffer.sqlite'), { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const listeners = new Set<() => void>();
  return {
    ...cursorStatements(db),
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    appended() {
      for (const listener of listeners) listener();
    },
    close: () => db.close(),
  };
}
