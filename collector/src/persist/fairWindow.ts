import type { CellEvent } from '@cell-monitor/shared';
import { parseEntry, type SourceEntry } from './sources/eventSource.ts';

/**
 * Fair persistence (issue 18 item 3, design decision 15). The persister reads ahead into this
 * window (entries read, not yet acked) and each step takes a fair batch out of it: every student
 * with something waiting gets a share, and no student more than their share, so one student's
 * backlog or heavy events cannot hold another student's events behind them for more than a step.
 *
 * | limit          | default | what it bounds                                                        |
 * | -------------- | ------- | --------------------------------------------------------------------- |
 * | batchEvents    | 500     | events in one transaction                                             |
 * | batchBytes     | 4 MiB   | serialised bytes in one transaction (one larger event still goes)     |
 * | studentEvents  | 100     | one student's events in one transaction                               |
 * | studentBytes   | 512 KiB | one student's bytes in one transaction (their first event always goes) |
 * | windowEvents   | 5,000   | entries read ahead and held in memory                                 |
 * | windowBytes    | 32 MiB  | bytes read ahead and held in memory (parsed: a few times that)       |
 *
 * The byte limits keep a transaction short (PostgreSQL here writes 1 MB of error events in about
 * 0.3 s): another student's event waits for the transaction in flight and its own, not for a
 * heavy student's backlog.
 *
 * A student's events leave in the order they were read: once one of theirs waits, every later one
 * of theirs waits too. Entries stay unacked in the source until their batch commits, so a crash
 * re-reads them (and the events table's idempotency gate drops what was already stored). An entry
 * read twice (the stream re-delivers pending entries after an error) is held once.
 */
export interface FairnessLimits {
  batchEvents: number;
  batchBytes: number;
  studentEvents: number;
  studentBytes: number;
  windowEvents: number;
  windowBytes: number;
}

export const DEFAULT_FAIRNESS: FairnessLimits = {
  batchEvents: 500,
  batchBytes: 4 * 1024 * 1024,
  studentEvents: 100,
  studentBytes: 512 * 1024,
  windowEvents: 5_000,
  windowBytes: 32 * 1024 * 1024,
};

export interface HeldEntry {
  entry: SourceEntry;
  /** Undefined when the body is not an event (dead-lettered as unparseable). */
  event: CellEvent | undefined;
  bytes: number;
}

export function createFairWindow(limits: FairnessLimits = DEFAULT_FAIRNESS) {
  let held: HeldEntry[] = [];
  const ids = new Set<string>();
  let bytes = 0;

  return {
    get size() {
      return held.length;
    },
    get bytes() {
      return bytes;
    },
    /** How many more entries to read now (0 while the window is full). */
    room(): number {
      return bytes >= limits.windowBytes ? 0 : Math.max(0, limits.windowEvents - held.length);
    },
    add(entries: SourceEntry[]): void {
      for (const entry of entries) {
        if (ids.has(entry.id)) continue;
        ids.add(entry.id);
        held.push({ entry, event: parseEntry(entry), bytes: entry.body.length });
        bytes += entry.body.length;
      }
    },
    /** A batch that failed before its ack goes back in front, to be taken again. */
    restore(items: HeldEntry[]): void {
      const back = items.filter((item) => !ids.has(item.entry.id));
      for (const item of back) {
        ids.add(item.entry.id);
        bytes += item.bytes;
      }
      held = [...back, ...held];
    },
    /** The next fair batch, in read order, removed from the window. */
    take(): HeldEntry[] {
      const used = new Map<string, { events: number; bytes: number; waiting: boolean }>();
      const taken: HeldEntry[] = [];
      const left: HeldEntry[] = [];
      let batchBytes = 0;
      for (const item of held) {
        const full = taken.length >= limits.batchEvents || (taken.length > 0 && batchBytes + item.bytes > limits.batchBytes);
        const student = item.event?.userId ?? '';
        const share = used.get(student) ?? { events: 0, bytes: 0, waiting: false };
        used.set(student, share);
        const overShare = share.events > 0 && (share.events >= limits.studentEvents || share.bytes + item.bytes > limits.studentBytes);
        if (full || share.waiting || overShare) {
          share.waiting = true; // keeps this student's order: nothing later of theirs goes first
          left.push(item);
          continue;
        }
        share.events += 1;
        share.bytes += item.bytes;
        batchBytes += item.bytes;
        taken.push(item);
      }
      held = left;
      for (const item of taken) {
        ids.delete(item.entry.id);
        bytes -= item.bytes;
      }
      return taken;
    },
  };
}

export type FairWindow = ReturnType<typeof createFairWindow>;
