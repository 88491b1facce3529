/**
 * The admin side of the Redis Streams (Redis mode): the dead-letter stream listed, retried and
 * cleared for the Offline API (operations/bufferAdmin.ts), and the stream gauges of /metrics
 * (group lag and pending entries from XINFO GROUPS, dead letters by XLEN), beside a student's
 * entries for privacy (forward/streamEntries.ts). The forwarder writes the stream and the persister
 * reads it (forward/, persist/sources/); this only looks after it.
 */
import type { Redis } from 'ioredis';
import { redisStreamEntries } from '../forward/streamEntries.ts';
import { CONSUMER_GROUP, DEAD_LETTER_STREAM_KEY, STREAM_KEY } from '../redis/streamNames.ts';
import type { StreamAdmin, StreamDeadLetter } from './capabilities.ts';

/** A scrape never waits longer than this for Redis: the gauge is left out instead. */
const GAUGE_TIMEOUT_MS = 1000;
const DEAD_LETTERS_LISTED = 10_000;

/** `[name, value, …]` (an entry's fields, a group of XINFO GROUPS) → an object. */
function byName<T>(list: unknown[]): Record<string, T> {
  const out: Record<string, T> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = list[i + 1] as T;
  return out;
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), GAUGE_TIMEOUT_MS)))]).finally(() => clearTimeout(timer));
}

export function createRedisStreamAdmin(redis: Redis): StreamAdmin {
  async function group(): Promise<Record<string, unknown> | undefined> {
    const groups = (await withTimeout(redis.xinfo('GROUPS', STREAM_KEY)).catch(() => [])) as unknown[][];
    return groups.map((g) => byName<unknown>(g)).find((g) => g.name === CONSUMER_GROUP);
  }
  const numberOf = (value: unknown) => (typeof value === 'number' ? value : undefined);

  return {
    ...redisStreamEntries(redis),
    async deadLetters(): Promise<StreamDeadLetter[]> {
      const entries = (await redis.xrange(DEAD_LETTER_STREAM_KEY, '-', '+', 'COUNT', DEAD_LETTERS_LISTED)) as Array<[string, string[]]>;
      return entries.map(([id, fields]) => ({ id, fields: byName<string>(fields) }));
    },
    async retryDeadLetter(id) {
      const [entry] = (await redis.xrange(DEAD_LETTER_STREAM_KEY, id, id)) as Array<[string, string[]]>;
      if (!entry) return false;
      const fields = byName<string>(entry[1]);
      const mark = fields.v1 === '1' ? ['v1', '1'] : []; // a v1 event's self-reported mark
      await redis.multi().xadd(STREAM_KEY, '*', 'id', fields.id ?? '', 'e', fields.e ?? '', ...mark).xdel(DEAD_LETTER_STREAM_KEY, id).exec();
      return true;
    },
    async clearDeadLetters() {
      const held = Number(await redis.xlen(DEAD_LETTER_STREAM_KEY));
      if (held > 0) await redis.del(DEAD_LETTER_STREAM_KEY);
      return held;
    },
    gauges: [
      { name: 'stream_lag_entries', help: `Entries of ${STREAM_KEY} not yet delivered to group ${CONSUMER_GROUP} (XINFO GROUPS lag)`, read: async () => numberOf((await group())?.lag) },
      { name: 'stream_pending_entries', help: `Entries delivered to group ${CONSUMER_GROUP} and not yet acked (XINFO GROUPS pending)`, read: async () => numberOf((await group())?.pending) },
      { name: 'stream_dead_letters', help: `Entries in ${DEAD_LETTER_STREAM_KEY} (XLEN)`, read: () => withTimeout(redis.xlen(DEAD_LETTER_STREAM_KEY)).catch(() => undefined) },
    ],
  };
}
