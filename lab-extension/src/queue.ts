/**
 * The offline queue: every event goes into IndexedDB first and leaves it only after the collector
 * answered 202 for it. One database per owner — the Jupyter server and the user it stamps
 * (queueOwner.ts) — so the queue outlives reloads, crashes and browser restarts, is shared by every
 * JupyterLab tab of that server (one of them drains it: see drainer.ts), and is never seen by
 * another student's server on the same origin (JupyterHub's `/user/<name>/`).
 *
 * Bounded: when `maxSize` events are waiting, new events are not stored; they are counted in the
 * `meta` store and the next batch carries one `client_queue_overflow` event with that count (its id
 * is kept with the count, so resending that batch does not count the loss twice).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CellEvent } from '@cell-monitor/shared';
import { queueName, type QueueOwner } from './queueOwner.ts';

/** The one queue per origin of versions before 0.2: whose events it holds is not recorded (legacyQueue.ts). */
export const LEGACY_DB_NAME = 'cell-monitor';

export interface DropReport {
  /** Events not stored because the queue was full, since the last report was delivered. */
  count: number;
  /** eventId of the overflow event that reports them. */
  reportId: string;
  /** When the first of them was dropped. */
  since: string;
}

interface QueueSchema extends DBSchema {
  events: { key: number; value: CellEvent };
  meta: { key: string; value: DropReport };
}

export interface QueuedBatch {
  keys: number[];
  events: CellEvent[];
  drops?: DropReport;
}

const DROPS = 'drops';

export class EventQueue {
  private constructor(private readonly db: IDBPDatabase<QueueSchema>, private readonly newId: () => string) {}

  /** Opens (creating on first use) the queue of `owner` (or the database `name`: tests). */
  static async open(options: ({ owner: QueueOwner } | { name: string }) & { newId: () => string }): Promise<EventQueue> {
    const name = 'owner' in options ? queueName(options.owner) : options.name;
    const db = await openDB<QueueSchema>(name, 1, {
      upgrade(database) {
        database.createObjectStore('events', { autoIncrement: true });
        database.createObjectStore('meta');
      },
    });
    return new EventQueue(db, options.newId);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Stores the events in one transaction, oldest first, as long as fewer than `maxSize` are
   * waiting; the rest are counted as dropped. `size` is how many wait afterwards.
   */
  async add(events: readonly CellEvent[], maxSize: number): Promise<{ stored: number; dropped: number; size: number }> {
    const tx = this.db.transaction(['events', 'meta'], 'readwrite');
    const store = tx.objectStore('events');
    const waiting = await store.count();
    const room = Math.max(0, maxSize - waiting);
    const kept = events.slice(0, room);
    const dropped = events.length - kept.length;
    for (const event of kept) void store.add(event);
    if (dropped > 0) {
      const meta = tx.objectStore('meta');
      const previous = await meta.get(DROPS);
      await meta.put(
        previous
          ? { ...previous, count: previous.count + dropped }
          : { count: dropped, reportId: this.newId(), since: new Date().toISOString() },
        DROPS,
      );
    }
    await tx.done;
    return { stored: kept.length, dropped, size: waiting + kept.length };
  }

  /** The oldest `limit` events (not removed), and the pending drop report if there is one. */
  async peek(limit: number): Promise<QueuedBatch> {
    const tx = this.db.transaction(['events', 'meta'], 'readonly');
    const keys: number[] = [];
    const events: CellEvent[] = [];
    let cursor = await tx.objectStore('events').openCursor();
    while (cursor && keys.length < limit) {
      keys.push(cursor.key);
      events.push(cursor.value);
      cursor = await cursor.continue();
    }
    const drops = await tx.objectStore('meta').get(DROPS);
    await tx.done;
    return drops && drops.count > 0 ? { keys, events, drops } : { keys, events };
  }

  /**
   * Removes delivered events. `deliveredDrops` is the drop report that went out with them: its count
   * is subtracted (drops counted meanwhile stay, under a new report id).
   */
  async remove(keys: readonly number[], deliveredDrops?: DropReport): Promise<void> {
    const tx = this.db.transaction(['events', 'meta'], 'readwrite');
    const store = tx.objectStore('events');
    for (const key of keys) void store.delete(key);
    if (deliveredDrops) {
      const meta = tx.objectStore('meta');
      const current = await meta.get(DROPS);
      if (current && current.reportId === deliveredDrops.reportId) {
        const left = current.count - deliveredDrops.count;
        if (left > 0) await meta.put({ count: left, reportId: this.newId(), since: new Date().toISOString() }, DROPS);
        else await meta.delete(DROPS);
      }
    }
    await tx.done;
  }

  async size(): Promise<number> {
    return this.db.count('events');
  }
}
