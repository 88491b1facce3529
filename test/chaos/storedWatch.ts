/**
 * Watches which acked events have reached `events` (polling PostgreSQL, which may itself be away),
 * so the chaos test can say how long recovery took: from a fault's end until everything acked
 * before it is stored.
 */
import type { Knex } from 'knex';

export interface StoredWatch {
  stored: Set<string>;
  /** Resolves with the ms from `since` until every id of `ids` is stored, or undefined after `timeoutMs`. */
  untilStored(ids: Iterable<string>, since: number, timeoutMs: number): Promise<number | undefined>;
  stop(): Promise<void>;
}

export function watchStored(store: Knex, acked: Set<string>, everyMs = 250): StoredWatch {
  const stored = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const missing = [...acked].filter((id) => !stored.has(id));
      try {
        for (let i = 0; i < missing.length; i += 5_000) {
          const found: string[] = await store('events').whereIn('event_id', missing.slice(i, i + 5_000)).pluck('event_id');
          for (const id of found) stored.add(id);
        }
      } catch {
        // PostgreSQL is away: the next round asks again
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stored,
    async untilStored(ids, since, timeoutMs) {
      const wanted = [...ids];
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (wanted.every((id) => stored.has(id))) return Date.now() - since;
        await new Promise((r) => setTimeout(r, 100));
      }
      return undefined;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
