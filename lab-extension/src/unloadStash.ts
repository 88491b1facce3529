/**
 * Events written synchronously to localStorage while the page unloads (an IndexedDB write started
 * in `pagehide` is often lost), and taken back by the next page load, which queues them. The same
 * event may also have reached IndexedDB: both copies carry the same eventId and the collector keeps
 * one. Storage full, disabled or unreadable: nothing is stashed or recovered, and nothing throws.
 */
import type { CellEvent } from '@cell-monitor/shared';
import { browserStorage, type KeyValueStorage } from './storage.ts';

export const STASH_PREFIX = 'cell-monitor:unload:';

export class UnloadStash {
  private readonly storage: () => KeyValueStorage;

  constructor(options: { storage?: () => KeyValueStorage } = {}) {
    this.storage = options.storage ?? browserStorage;
  }

  put(event: CellEvent): void {
    try {
      this.storage().setItem(STASH_PREFIX + event.eventId, JSON.stringify(event));
    } catch {
      // storage full or disabled: the IndexedDB attempt is all there is
    }
  }

  /** Every stashed event, removed from storage. */
  takeAll(): CellEvent[] {
    const events: CellEvent[] = [];
    try {
      const storage = this.storage();
      const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter((k): k is string => !!k?.startsWith(STASH_PREFIX));
      for (const key of keys) {
        const text = storage.getItem(key);
        storage.removeItem(key);
        if (text) events.push(JSON.parse(text) as CellEvent);
      }
    } catch {
      // unreadable storage: nothing to recover
    }
    return events;
  }
}
