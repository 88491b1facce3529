/**
 * A student's entries in the Redis Streams (the event stream and its dead letters), found by the
 * `userId` inside each entry's serialised event: scanned with XRANGE in pages, deleted with XDEL
 * (and XACK, so no consumer keeps a pending id whose entry is gone). And the retention trim. The
 * stream is what the forwarder writes (createForwarder.ts): its owner registers it as a sink of the
 * privacy registry (STREAM_SINK, below), whose handle is the mode's StreamEntries — these over Redis
 * (redisStreamEntries, in Coordination.streams), or, embedded, none and every answer empty.
 */
import type { Redis } from 'ioredis';
import type { OwnedSink, SinkCutoffs, SinkRecord } from '../db/ownedTables.ts';
import { CONSUMER_GROUP, DEAD_LETTER_STREAM_KEY, STREAM_KEY } from '../redis/streamNames.ts';

const PAGE = 500;

export interface StreamEntry {
  id: string;
  /** The entry's fields besides the event (the dead-letter reason and time). */
  fields: Record<string, string>;
  event: unknown;
}

export const STREAMS = { stream: STREAM_KEY, dead_letter_stream: DEAD_LETTER_STREAM_KEY } as const;
export type StreamName = keyof typeof STREAMS;

/** Every entry of `key` whose event belongs to `userId`, oldest first. */
export async function entriesOfUser(redis: Redis, key: string, userId: string): Promise<StreamEntry[]> {
  const found: StreamEntry[] = [];
  let start = '-';
  for (;;) {
    const page = await redis.xrange(key, start, '+', 'COUNT', PAGE);
    for (const [id, list] of page) {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < list.length; i += 2) fields[list[i]] = list[i + 1];
      const event = parse(fields.e);
      if ((event as { userId?: unknown } | undefined)?.userId !== userId) continue;
      delete fields.e;
      found.push({ id, fields, event });
    }
    if (page.length < PAGE) return found;
    start = `(${page[page.length - 1][0]}`;
  }
}

/** Deletes the user's entries from both streams; answers how many per stream. */
export async function eraseUserEntries(redis: Redis, userId: string): Promise<Record<StreamName, number>> {
  const counts = { stream: 0, dead_letter_stream: 0 };
  for (const [name, key] of Object.entries(STREAMS) as Array<[StreamName, string]>) {
    const ids = (await entriesOfUser(redis, key, userId)).map((e) => e.id);
    for (let i = 0; i < ids.length; i += PAGE) {
      const chunk = ids.slice(i, i + PAGE);
      const tx = redis.multi();
      if (key === STREAM_KEY) tx.xack(key, CONSUMER_GROUP, ...chunk);
      tx.xdel(key, ...chunk);
      const replies = (await tx.exec()) ?? [];
      const failed = replies.find(([err]) => err && !/NOGROUP/.test(String(err)));
      if (failed) throw failed[0];
      counts[name] += Number(replies[replies.length - 1][1]);
    }
  }
  return counts;
}

/** XTRIM … MINID: entries added before `before` leave the stream (stream ids begin with their ms time). */
export async function trimBefore(redis: Redis, key: string, before: Date): Promise<number> {
  return Number(await redis.xtrim(key, 'MINID', before.getTime()));
}

/** A student's data in the streams, as privacy reaches it: the stream sink's handle. */
export interface StreamEntries {
  hasUser(userId: string): Promise<boolean>;
  exportUser(userId: string): AsyncIterable<SinkRecord>;
  /** Deletes the user's entries; answers how many per stream. */
  eraseUser(userId: string): Promise<Record<string, number>>;
  /** Deletes what retention no longer allows; answers how many per stream. */
  sweepBefore(cutoffs: SinkCutoffs): Promise<Record<string, number>>;
}

/**
 * The Redis Streams' entries: erased before the store (an entry still queued would be stored
 * again); trimmed to the longest retention, and only when no retention is "forever" (an
 * undelivered entry must not go before every student's retention allows it).
 */
export function redisStreamEntries(redis: Redis): StreamEntries {
  return {
    async hasUser(userId) {
      for (const key of Object.values(STREAMS)) if ((await entriesOfUser(redis, key, userId)).length > 0) return true;
      return false;
    },
    async *exportUser(userId) {
      for (const [stream, key] of Object.entries(STREAMS) as Array<[StreamName, string]>) {
        for (const entry of await entriesOfUser(redis, key, userId)) yield { kind: 'stream_entry', stream, ...entry };
      }
    },
    eraseUser: (userId) => eraseUserEntries(redis, userId),
    async sweepBefore({ longest }): Promise<Record<string, number>> {
      if (!longest) return {};
      return { stream: await trimBefore(redis, STREAM_KEY, longest), dead_letter_stream: await trimBefore(redis, DEAD_LETTER_STREAM_KEY, longest) };
    },
  };
}

/** The streams as a sink of the privacy registry; its handle is the mode's StreamEntries. */
export const STREAM_SINK: OwnedSink<StreamEntries> = {
  name: 'stream',
  owner: 'forward',
  stage: 'upstream',
  hasUser: (streams, userId) => streams.hasUser(userId),
  exportUser: (streams, userId) => streams.exportUser(userId),
  eraseUser: (streams, userId) => streams.eraseUser(userId),
  sweepBefore: (streams, cutoffs) => streams.sweepBefore(cutoffs),
};

function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
