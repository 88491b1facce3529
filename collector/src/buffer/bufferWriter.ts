import type { Logger } from '../core/logger.ts';
import { createBufferFile, pendingStatements } from './bufferFile.ts';

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

/** One event ready for the buffer: serialised by the request that brought it, outside the group commit. */
export interface SerialisedEvent {
  eventId: string;
  body: string;
  /** A v1 client's event: the collector's mark, stored beside the body (never read from it). */
  selfReported?: boolean;
}

/** The ingest side of the buffer (main thread): the write-ahead log every 202 waits for. */
export interface BufferWriter {
  /** Resolves only after the SQLite transaction holding these events has committed (WAL). */
  append(events: SerialisedEvent[]): Promise<AppendResult>;
  /** Events not yet delivered downstream (the outage test watches it grow and drain). */
  pendingCount(): number;
  deadLetterCount(): number;
  /** Every row (delivered ones stay for the dedup window) and the oldest undelivered row's receipt time: /metrics. */
  rowCount(): number;
  oldestPendingAt(): number | undefined;
  /** Throws when the file cannot be read (/readyz). */
  check(): void;
  /** Calls `listener` after each commit; returns an unsubscribe function. */
  onAppend(listener: () => void): () => void;
  /** Tells the pipeline to look at the buffer now (rows written by another connection: a dead letter retried). */
  nudge(): void;
  close(): void;
}

export interface BufferOptions {
  dataDir: string;
  sync: 'full' | 'normal';
  retentionHours: number;
  /** 0 = no cap besides the disk. */
  maxBytes?: number;
  log: Logger;
}

interface PendingAppend {
  events: SerialisedEvent[];
  resolve: (result: AppendResult) => void;
  reject: (err: Error) => void;
}

/**
 * The collector's write-ahead log: a SQLite file in WAL mode. Appends that arrive in the same
 * event-loop turn share one transaction (group commit), so one fsync covers many requests.
 * Rows stay after delivery until `retentionHours` pass, which makes `event_id` dedup cover resends.
 */
export function createBufferWriter(options: BufferOptions): BufferWriter {
  const db = createBufferFile(options.dataDir, options.sync);
  if (options.maxBytes) {
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxBytes / pageSize))}`);
  }

  const insert = db.prepare('INSERT OR IGNORE INTO buffer (event_id, body, received_at, self_reported) VALUES (?, ?, ?, ?)');
  const counts = pendingStatements(db);
  const prune = db.prepare(
    'DELETE FROM buffer WHERE seq IN (SELECT seq FROM buffer WHERE seq <= (SELECT delivered_seq FROM cursor) AND received_at < ? ORDER BY seq LIMIT 10000)',
  );
  /** When full, delivered rows give way early: only the dedup window shrinks, nothing unsent is lost. */
  const pruneDelivered = db.prepare(
    'DELETE FROM buffer WHERE seq IN (SELECT seq FROM buffer WHERE seq <= (SELECT delivered_seq FROM cursor) ORDER BY seq LIMIT 20000)',
  );

  const writeGroup = db.transaction((group: PendingAppend[]) => {
    const now = Date.now();
    return group.map(({ events }) => {
      let accepted = 0;
      for (const event of events) accepted += insert.run(event.eventId, event.body, now, event.selfReported ? 1 : 0).changes;
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
        if ((err as { code?: string }).code !== 'SQLITE_FULL' || pruneDelivered.run().changes === 0) throw err;
        options.log.warn('buffer full: dropped delivered rows early to make room');
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
    ...counts,
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    nudge() {
      for (const listener of listeners) listener();
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
