import type { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.ts';
import type { EventSource, SourceEntry } from './eventSource.ts';
import { whenReady } from '../../redis/createRedis.ts';
import { CONSUMER_GROUP, DEAD_LETTER_STREAM_KEY, STREAM_KEY } from '../../redis/streamNames.ts';

export interface RedisStreamSourceOptions {
  /** Non-blocking commands (ack, claim, dead-letter). */
  redis: Redis;
  /** A connection of its own for the blocking XREADGROUP. */
  blocking: Redis;
  consumer: string;
  /** Entries another consumer has held unacked this long are taken over (that collector died). */
  claimIdleMs?: number;
  log: Logger;
}

type StreamReply = [string, [string, string[]][]][] | null;

function toEntries(messages: [string, string[] | null][]): SourceEntry[] {
  const out: SourceEntry[] = [];
  for (const [id, fields] of messages) {
    if (!fields) continue; // deleted while pending
    const map: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) map[fields[i]] = fields[i + 1];
    // `v1`: the forwarder's copy of the buffer row's self-reported mark (forward/createForwarder.ts).
    out.push({ id, eventId: map.id ?? '', body: map.e ?? '', selfReported: map.v1 === '1' });
  }
  return out;
}

/**
 * The persister's view of the Redis Stream: a consumer group shared by every collector, so each
 * entry is persisted by one of them. On start it first re-reads its own pending entries (left by a
 * crash), and it periodically takes over entries that a dead collector left pending.
 */
export function createRedisStreamSource(options: RedisStreamSourceOptions): EventSource {
  const { redis, blocking, consumer, log } = options;
  const claimIdleMs = options.claimIdleMs ?? 60_000;
  let groupReady = false;
  let ownPendingDone = false;
  /** Own pending entries are re-read in pages after this id: the persister may still hold earlier ones. */
  let ownPendingAfter = '0';
  let lastClaim = 0;

  async function ensureGroup(): Promise<void> {
    if (groupReady) return;
    try {
      await redis.xgroup('CREATE', STREAM_KEY, CONSUMER_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    groupReady = true;
  }

  /** After any failure, start over: re-create the group if Redis lost it, re-read own pending entries. */
  function resetOnError(err: unknown): never {
    groupReady = false;
    ownPendingDone = false;
    ownPendingAfter = '0';
    throw err;
  }

  async function read(max: number, wait: boolean): Promise<SourceEntry[]> {
    await Promise.all([whenReady(redis), whenReady(blocking)]);
    await ensureGroup();
    if (!ownPendingDone) {
      const reply = (await redis.xreadgroup('GROUP', CONSUMER_GROUP, consumer, 'COUNT', max, 'STREAMS', STREAM_KEY, ownPendingAfter)) as StreamReply;
      const messages = reply?.[0]?.[1] ?? [];
      if (messages.length > 0) {
        ownPendingAfter = messages[messages.length - 1][0];
        return toEntries(messages);
      }
      ownPendingDone = true;
    }
    if (Date.now() - lastClaim > claimIdleMs / 2) {
      lastClaim = Date.now();
      const [, claimed] = (await redis.xautoclaim(STREAM_KEY, CONSUMER_GROUP, consumer, claimIdleMs, '0-0', 'COUNT', max)) as [
        string,
        [string, string[] | null][],
      ];
      const entries = toEntries(claimed);
      if (entries.length > 0) {
        log.info({ count: entries.length }, 'took over stream entries left pending by another collector');
        return entries;
      }
    }
    // Waits only when the persister holds nothing: otherwise it has a batch to persist meanwhile.
    const reply = (wait
      ? await blocking.xreadgroup('GROUP', CONSUMER_GROUP, consumer, 'COUNT', max, 'BLOCK', 1000, 'STREAMS', STREAM_KEY, '>')
      : await blocking.xreadgroup('GROUP', CONSUMER_GROUP, consumer, 'COUNT', max, 'STREAMS', STREAM_KEY, '>')) as StreamReply;
    return toEntries(reply?.[0]?.[1] ?? []);
  }

  return {
    name: 'redis-stream',
    read: (max, options) => read(max, options?.wait !== false).catch(resetOnError),
    async ack(entries) {
      if (entries.length === 0) return;
      const ids = entries.map((e) => e.id);
      // XDEL after XACK keeps the stream bounded: an acked entry is in PostgreSQL already.
      await redis.multi().xack(STREAM_KEY, CONSUMER_GROUP, ...ids).xdel(STREAM_KEY, ...ids).exec().catch(resetOnError);
    },
    async deadLetter(entry, reason) {
      await redis.xadd(DEAD_LETTER_STREAM_KEY, '*', 'id', entry.eventId, 'reason', reason, 'e', entry.body, 'at', new Date().toISOString(), ...(entry.selfReported ? ['v1', '1'] : []));
    },
    async close() {},
  };
}
