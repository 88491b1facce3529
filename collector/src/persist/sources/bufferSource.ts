import type { EventSource, SourceEntry } from './eventSource.ts';
import type { BufferCursor, DeadLetterEntry } from '../../buffer/bufferCursor.ts';
import { waitForSignal } from '../../core/waitForSignal.ts';

/**
 * Embedded mode (no Redis): the SQLite buffer itself is the durable stream. The cursor moves
 * only in `ack`, i.e. after the main store committed, so a crash re-reads the unpersisted tail.
 * The persister acks fair batches (persist/fairWindow.ts), not always the oldest rows: reads go on
 * after the last row read, and the cursor moves to just before the oldest row read and not yet
 * acked. A crash re-reads from there; rows already stored are dropped by the idempotency gate.
 * A dead letter is held until its row is acked and written with the cursor's move (one
 * transaction): the admin never sees it listed while the row still counts as undelivered.
 */
export function createBufferSource(buffer: BufferCursor): EventSource & { stop(): void } {
  const signal = waitForSignal(buffer.onAppend.bind(buffer));
  /** The last row read, and the rows read but not yet acked (the persister holds them). */
  let lastRead = 0;
  const unacked = new Set<number>();
  /** Dead letters of rows read, written when those rows are acked. */
  const dead = new Map<number, DeadLetterEntry>();
  return {
    name: 'buffer',
    async read(max, options) {
      let rows = buffer.readPending(max, lastRead);
      if (rows.length === 0 && options?.wait !== false) {
        await signal.wait(1000);
        rows = buffer.readPending(max, lastRead);
      }
      for (const r of rows) unacked.add(r.seq);
      if (rows.length > 0) lastRead = rows[rows.length - 1].seq;
      return rows.map((r) => ({ id: String(r.seq), eventId: r.eventId, body: r.body, selfReported: r.selfReported }));
    },
    async ack(entries: SourceEntry[]) {
      if (entries.length === 0) return;
      const acked = new Set(entries.map((e) => Number(e.id)));
      const letters = [...acked].flatMap((seq) => dead.get(seq) ?? []);
      let oldest = Infinity;
      for (const seq of unacked) if (!acked.has(seq)) oldest = Math.min(oldest, seq);
      buffer.markDelivered(oldest === Infinity ? lastRead : oldest - 1, letters);
      // Only once written: a failed write leaves the rows unacked, to be acked (or read) again.
      for (const seq of acked) {
        unacked.delete(seq);
        dead.delete(seq);
      }
    },
    async deadLetter(entry, reason) {
      dead.set(Number(entry.id), { eventId: entry.eventId, body: entry.body, selfReported: entry.selfReported, reason });
    },
    stop: () => signal.stop(),
    async close() {
      signal.stop();
    },
  };
}
