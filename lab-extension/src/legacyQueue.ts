/**
 * The queue of versions before per-owner queues: one IndexedDB database per origin (`cell-monitor`)
 * that never recorded whose events it holds. Under JupyterHub that origin is every student's, so
 * the owner is unknown and nothing in it may be sent by whoever happens to load a page next. A page
 * takes from it only the events its own user recorded (`userId`, which those versions set from the
 * Jupyter identity of the page that recorded them) into its own queue; the rest stay, for their
 * student's next page load. (An emptied database stays: a tab still running the old version may be
 * writing to it.)
 */
import { deleteDB, openDB } from 'idb';
import type { CellEvent } from '@cell-monitor/shared';
import { LEGACY_DB_NAME, type EventQueue } from './queue.ts';
import type { QueueOwner } from './queueOwner.ts';

export interface LegacyAdoption {
  /** Events moved into the owner's queue. */
  adopted: number;
  /** Events of other (or unknown) users left where they were. */
  left: number;
}

export async function adoptLegacyQueue(queue: EventQueue, owner: QueueOwner, maxQueueSize: number, name = LEGACY_DB_NAME): Promise<LegacyAdoption> {
  const known = await globalThis.indexedDB.databases?.().catch(() => undefined);
  if (known && !known.some((db) => db.name === name)) return { adopted: 0, left: 0 };
  let created = false;
  const db = await openDB(name, 1, {
    upgrade(database) {
      created = true;
      database.createObjectStore('events', { autoIncrement: true });
      database.createObjectStore('meta');
    },
  });
  try {
    if (created) return { adopted: 0, left: 0 };
    const keys: IDBValidKey[] = [];
    const mine: CellEvent[] = [];
    let left = 0;
    const read = db.transaction('events', 'readonly');
    for (let cursor = await read.store.openCursor(); cursor; cursor = await cursor.continue()) {
      const event = cursor.value as CellEvent;
      if (event?.userId === owner.user) {
        keys.push(cursor.key);
        mine.push(event);
      } else left += 1;
    }
    await read.done;
    // Into the owner's queue first, then out of the old one: a crash in between leaves a copy in
    // both, with one eventId, which the collector stores once.
    if (mine.length > 0) await queue.add(mine, maxQueueSize);
    const remove = db.transaction('events', 'readwrite');
    for (const key of keys) void remove.store.delete(key);
    await remove.done;
    return { adopted: mine.length, left };
  } finally {
    db.close();
    // Only there because this browser cannot list its databases: not left behind.
    if (created) void deleteDB(name).catch(() => undefined);
  }
}
