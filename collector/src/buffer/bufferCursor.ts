import { openBufferFile, pendingStatements, type BufferedEvent } from './bufferFile.ts';

/**
 * The downstream side of the buffer, in the pipeline thread: what the forwarder (Redis mode) or
 * the embedded persister reads. Commits on the ingest side are announced with `appended()` (a
 * message from the main thread), which wakes whoever waits in `onAppend`.
 */
export interface DeadLetterEntry {
  eventId: string;
  body: string;
  selfReported?: boolean;
  reason: string;
}

export interface BufferCursor {
  /** Events not yet delivered downstream, oldest first; with `after`, only those after that seq. */
  readPending(limit: number, after?: number): BufferedEvent[];
  /**
   * Everything up to and including `seq` has left the buffer durably (in the Redis Stream, or
   * persisted), and `deadLetters` (rows the persister could never store) are set aside: one
   * transaction, so a dead letter is never listed while its row still counts as undelivered, and a
   * crash before it leaves the row to be read (and judged) again rather than set aside twice.
   */
  markDelivered(seq: number, deadLetters?: DeadLetterEntry[]): void;
  pendingCount(): number;
  /** Calls `listener` after each commit on the ingest side; returns an unsubscribe function. */
  onAppend(listener: () => void): () => void;
  appended(): void;
  close(): void;
}

export function openBufferCursor(dataDir: string): BufferCursor {
  const db = openBufferFile(dataDir);
  const selectPending = db.prepare(
    'SELECT seq, event_id AS eventId, body, self_reported AS selfReported FROM buffer WHERE seq > MAX(?, (SELECT delivered_seq FROM cursor)) ORDER BY seq LIMIT ?',
  );
  const updateCursor = db.prepare('UPDATE cursor SET delivered_seq = MAX(delivered_seq, ?) WHERE id = 1');
  const insertDead = db.prepare('INSERT INTO dead_letters (event_id, body, reason, created_at, self_reported) VALUES (?, ?, ?, ?, ?)');
  const { pendingCount } = pendingStatements(db);
  const listeners = new Set<() => void>();
  return {
    readPending: (limit, after = 0) => (selectPending.all(after, limit) as Array<Omit<BufferedEvent, 'selfReported'> & { selfReported: number }>).map((r) => ({ ...r, selfReported: r.selfReported === 1 })),
    markDelivered: db.transaction((seq: number, deadLetters: DeadLetterEntry[] = []) => {
      for (const d of deadLetters) insertDead.run(d.eventId, d.body, d.reason, Date.now(), d.selfReported ? 1 : 0);
      updateCursor.run(seq);
    }),
    pendingCount,
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
