/**
 * Events written synchronously to localStorage while the page unloads (an IndexedDB write started
 * in `pagehide` is often lost), and taken back by the next page load of the same owner (the Jupyter
 * server and the user it stamps: queueOwner.ts), which queues them. localStorage is per origin, and
 * under JupyterHub the origin is every student's: the keys carry the owner, so the next student's
 * page leaves them alone. The same event may also have reached IndexedDB: both copies carry the same
 * eventId and the collector keeps one. Storage full, disabled or unreadable: nothing is stashed or
 * recovered, and nothing throws.
 */
import type { CellEvent } from '@cell-monitor/shared';
import { ownerKey, type QueueOwner } from './queueOwner.ts';
import { browserStorage, type KeyValueStorage } from './storage.ts';

/**
 * Where versions before per-owner stashes kept `session_end` (+ eventId), owner unknown: a page takes
 * back only those its own user recorded (their `userId`); the rest stay for their student.
 */
export const STASH_PREFIX = 'cell-monitor:unload:';

/** Where the stash of `owner` keeps its events (+ eventId). */
export const ownerStashPrefix = (owner: QueueOwner): string => `cell-monitor:unload-of:${ownerKey(owner)}`;

export class UnloadStash {
  private readonly storage: () => KeyValueStorage;
  private readonly prefix: string;

  constructor(private readonly options: { owner: QueueOwner; storage?: () => KeyValueStorage }) {
    this.storage = options.storage ?? browserStorage;
    this.prefix = ownerStashPrefix(options.owner);
  }

  put(event: CellEvent): void {
    try {
      this.storage().setItem(this.prefix + event.eventId, JSON.stringify(event));
    } catch {
      // storage full or disabled: the IndexedDB attempt is all there is
    }
  }

  /** Every event stashed for this owner, removed from storage. */
  takeAll(): CellEvent[] {
    const events: CellEvent[] = [];
    try {
      const storage = this.storage();
      const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i));
      for (const key of keys) {
        const own = key?.startsWith(this.prefix);
        if (!key || (!own && !key.startsWith(STASH_PREFIX))) continue;
        const text = storage.getItem(key);
        const event = text ? (JSON.parse(text) as CellEvent) : undefined;
        if (!own && event?.userId !== this.options.owner.user) continue;
        storage.removeItem(key);
        if (event) events.push(event);
      }
    } catch {
      // unreadable storage: nothing to recover
    }
    return events;
  }
}
