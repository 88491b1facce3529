/**
 * What the collector's mode offers its features, as capabilities (STYLE "Optional clients"): live
 * channels, locks, rate limiters, the streams' admin side, readiness checks. One object per mode —
 * embedded.ts (one collector: an in-process bus, locks always its own, counts in memory, no
 * streams) or redisCoordination.ts (the collectors of a deployment: Redis Pub/Sub, SET NX locks,
 * counts in Redis, the Redis Streams) — chosen once from config.mode (createCoordination.ts).
 * A feature is handed the capability it uses, never a client that may be missing.
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LiveChannels } from '../broadcast/liveChannels.ts';
import type { StreamEntries } from '../forward/streamEntries.ts';

/** Locks and limiter counts are the Redis keys `cell-monitor:<name>` (streams: redis/streamNames.ts). */
export const KEY_PREFIX = 'cell-monitor:';

export interface Coordination {
  readonly mode: 'embedded' | 'redis';
  /** Every live channel, heard by every collector of the deployment (broadcast/liveChannels.ts). */
  readonly channels: LiveChannels;
  lock(name: string): Lock;
  /**
   * A rate limiter whose counts every collector shares (in Redis; in memory while Redis is away or
   * not connected yet, instead of failing), or, embedded, this process's.
   */
  limiter(name: string, limits: RateLimits): RateLimiterAbstract;
  /** The Redis Streams' admin side and a student's entries in them; embedded there are none and every answer is empty. */
  readonly streams: StreamAdmin;
  /** What /readyz checks besides the buffer and the database: `{ redis: PING }`, or nothing. */
  readonly readiness: Readonly<Record<string, () => Promise<unknown>>>;
  /** Delivers a live message the embedded pipeline thread handed over (it has no bus of its own). */
  relay(channel: string, text: string): void;
  /** Closes the bus and the connections (after every user of them stopped). */
  close(): void;
}

/**
 * A lock one collector holds at a time: `take(ttlMs)` answers whether this collector holds it for
 * the next `ttlMs`. Never released: it expires, so the first taker of the next period holds it.
 * Rejects while Redis is away. Embedded, the one collector always holds it.
 */
export interface Lock {
  take(ttlMs: number): Promise<boolean>;
}

/** `points` per `duration` seconds, then blocked for `blockDuration` seconds. */
export interface RateLimits {
  points: number;
  duration: number;
  blockDuration?: number;
}

/** A dead letter of the dead-letter stream: its id and its fields by name (`id`, `reason`, `e`, `at`, `v1`). */
export interface StreamDeadLetter {
  id: string;
  fields: Record<string, string>;
}

/** A /metrics gauge read from the streams at scrape time (undefined: unreadable now, left as it was). */
export interface StreamGauge {
  name: string;
  help: string;
  read(): Promise<number | undefined>;
}

/**
 * The Redis Streams, for the main thread: a student's entries (privacy, through the stream sink:
 * forward/streamEntries.ts), the dead letters (operations/bufferAdmin.ts) and the gauges (/metrics).
 */
export interface StreamAdmin extends StreamEntries {
  /** The dead-letter stream's entries, oldest first (at most 10 000). */
  deadLetters(): Promise<StreamDeadLetter[]>;
  /** Puts dead letter `id` back on the event stream (with its `v1` mark) and deletes it; false when it is gone. */
  retryDeadLetter(id: string): Promise<boolean>;
  /** Deletes the dead-letter stream; answers how many entries it held. */
  clearDeadLetters(): Promise<number>;
  readonly gauges: readonly StreamGauge[];
}
