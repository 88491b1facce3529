import type { EventSource, SourceEntry } from './eventSource.ts';
import type { BufferCursor } from '../../buffer/bufferCursor.ts';
import { waitForSignal } from '../../core/waitForSignal.ts';

/**
 * Embedded mode (no Redis): the SQLite buffer itself is the durable stream. The cursor moves
 * only in `ack`, i.e. after the main store committed, so a crash re-reads the unpersisted tail.
 * The persister acks fair batches (persist/fairWindow.ts), not always the oldest rows: reads go on
 * after the last row read, and the cursor moves to just before the oldest row read and not yet
 * acked. A crash re-reads from there; rows already stored are dropped by the idempotency gate.
 */
export function createBufferSource(buffer: BufferCursor): EventSource & { stop(): void } {
  const signal = waitForSignal(buffer.onAppend.bind(buffer));
  /** The last row read, and the rows read but not yet acked (the persister holds them). */
  let lastRead = 0;
  const unacked = new Set<number>();
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
      for (const e of entries) unacked.delete(Number(e.id));
      let oldest = Infinity;
      for (const seq of unacked) oldest = Math.min(oldest, seq);
      buffer.markDelivered(oldest === Infinity ? lastRead : oldest - 1);
    },
    async deadLetter(entry, reason) {
      buffer.deadLetter(entry, reason);
    },
    stop: () => signal.stop(),
    async close() {
      signal.stop();
    },
  };
}
