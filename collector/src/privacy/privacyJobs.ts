/**
 * The collector's privacy jobs (main thread): the retention sweep every RETENTION_SWEEP_MINUTES
 * (first one at most a minute after start), and the erasure listener that removes an erased
 * student's rows from this collector's own buffer file — each collector has one, so the collector
 * (or CLI) that erases announces it on the `erasures` live channel.
 *
 * The store and stream part of a sweep runs in one collector per period, the holder of the mode's
 * `retention-sweep` lock for the period (Redis mode: `SET cell-monitor:retention-sweep <collector> NX
 * PX <period>`, never released: it expires, so the next period's first collector sweeps; embedded:
 * always this collector). Every collector still prunes its own buffer.
 */
import type { Knex } from 'knex';
import type { Channel } from '../broadcast/channel.ts';
import type { Coordination } from '../coordination/capabilities.ts';
import type { Config } from '../core/config.ts';
import { logError, type Logger } from '../core/logger.ts';
import { openBufferRows } from '../buffer/bufferRows.ts';
import type { StreamEntries } from '../forward/streamEntries.ts';
import { sweepRetention, type SweepCounts } from './retention.ts';
import { createInfluxEraser } from '../sink/influxErasure.ts';

export const RETENTION_LOCK = 'retention-sweep';
const FIRST_SWEEP_MAX_MS = 60_000;

export interface PrivacyJobs {
  /** Runs one sweep now (after any running one); resolves with its counts, or undefined when stopped. */
  sweep(): Promise<SweepCounts | undefined>;
  stop(): Promise<void>;
}

export interface PrivacyJobsOptions {
  config: Config;
  db: Knex;
  /** The mode's locks: one collector at a time sweeps the store and the streams. */
  lock: Coordination['lock'];
  /** The streams (Coordination.streams), swept with the store. */
  streams: StreamEntries;
  erasures: Channel<{ userId: string }>;
  log: Logger;
}

export function startPrivacyJobs(options: PrivacyJobsOptions): PrivacyJobs {
  const { config, db, streams, log } = options;
  const periodMs = Math.round(config.retentionSweepMinutes * 60_000);
  const stopper = new AbortController();
  const influx = config.influx ? createInfluxEraser(config.influx) : undefined;
  const lock = options.lock(RETENTION_LOCK);
  let running: Promise<SweepCounts | undefined> = Promise.resolve(undefined);

  async function holdsLock(): Promise<boolean> {
    try {
      return await lock.take(periodMs);
    } catch (err) {
      log.warn({ err: logError(err) }, 'retention lock not taken (redis unavailable): only the buffer is swept');
      return false;
    }
  }

  async function sweepOnce(): Promise<SweepCounts | undefined> {
    if (stopper.signal.aborted) return undefined;
    const started = Date.now();
    const store = await holdsLock();
    const buffer = openBufferRows(config.dataDir);
    try {
      const counts = await sweepRetention(db, { now: new Date(), globalDays: config.retentionDays, buffer, streams, influx, store, signal: stopper.signal });
      log.info({ event: 'retention_sweep', store, globalDays: config.retentionDays, counts, ms: Date.now() - started }, 'retention sweep');
      return counts;
    } catch (err) {
      if (!stopper.signal.aborted) log.error({ err }, 'retention sweep failed');
      return undefined;
    } finally {
      buffer?.close();
    }
  }

  const sweep = () => (running = running.then(sweepOnce));
  let timer = setTimeout(function tick() {
    void sweep().finally(() => {
      if (!stopper.signal.aborted) timer = setTimeout(tick, periodMs).unref();
    });
  }, Math.min(periodMs, FIRST_SWEEP_MAX_MS)).unref();

  const offErasures = options.erasures.subscribe(({ userId }) => {
    if (typeof userId !== 'string' || stopper.signal.aborted) return;
    const buffer = openBufferRows(config.dataDir);
    buffer
      ?.eraseUser(userId)
      .then((counts) => log.info({ event: 'student_erased_from_buffer', userId, counts }, "erased student's buffer rows"))
      .catch((err: Error) => log.error({ err, userId }, "erased student's buffer rows not deleted"))
      .finally(() => buffer.close());
  });

  return {
    sweep,
    async stop() {
      stopper.abort();
      clearTimeout(timer);
      offErasures();
      await running;
    },
  };
}
