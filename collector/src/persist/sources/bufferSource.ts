import type { EventSource, SourceEntry } from './eventSource.ts';
import type { BufferCursor } from '../../buffer/bufferCursor.ts';
import { waitForSignal } from '../../core/waitForSignal.ts';

/**
 * Embedded mode (no Redis): the SQLite buffer itself is the durable stream. The cursor moves
 * only in `ack`, i.e. after the main store committed, so a crash re-reads the unpersisted tail.
 */
export function createBufferSource(buffer: BufferCursor): EventSource & { stop(): void } {
  const signal = waitForSignal(buffer.onAppend.bind(buffer));
  return {
    name: 'buffer',
    async read(max) {
      let rows = buffer.readPending(max);
      if (rows.length === 0) {
        await signal.wait(1000);
        rows = buffer.readPending(max);
      }
      return rows.map((r) => ({ id: String(r.seq), eventId: r.eventId, body: r.body, selfReported: r.selfReported }));
    },
    async ack(entries: SourceEntry[]) {
      if (entries.length > 0) buffer.markDelivered(Math.max(...entries.map((e) => Number(e.id))));
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
