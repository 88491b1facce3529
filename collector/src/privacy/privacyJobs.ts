/**
 * The collector's privacy jobs (main thread): the retention sweep every RETENTION_SWEEP_MINUTES
 * (first one at most a minute after start), and the erasure listener that removes an erased
 * student's rows from this collector's own buffer file — each collector has one, so the collector
 * (or CLI) that erases announces it on the `erasures` live channel.
 *
 * Redis mode: the store and stream part of a sweep runs in one collector per period, the holder of
 * `SET cell-monitor:retention-sweep <collector> NX PX <period>` (never released: it expires, so the
 * next period's first collector sweeps). Every collector still prunes its own buffer.
 */
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import type { Channel } from '../broadcast/channel.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { openBufferRows } from '../buffer/bufferRows.ts';
import { sweepRetention, type SweepCounts } from './retention.ts';
import { createInfluxEraser } from '../sink/influxErasure.ts';

export const RETENTION_LOCK_KEY = 'cell-monitor:retention-sweep';
const FIRST_SWEEP_MAX_MS = 60_000;

export interface PrivacyJobs {
  /** Runs one sweep now (after any running one); resolves with its counts, or undefined when stopped. */
  sweep(): Promise<SweepCounts | undefined>;
  stop(): Promise<void>;
}

export interface PrivacyJobsOptions {
  config: Config;
  db: Knex;
  redis?: Redis;
  erasures: Channel<{ userId: string }>;
  log: Logger;
}

export function startPrivacyJobs(options: PrivacyJobsOptions): PrivacyJobs {
  const { config, db, redis, log } = options;
  const periodMs = Math.round(config.retentionSweepMinutes * 60_000);
  const stopper = new AbortController();
  const influx = config.influx ? createInfluxEraser(config.influx) : undefined;
  let running: Promise<SweepCounts | undefined> = Promise.resolve(undefined);

  async function holdsLock(): Promise<boolean> {
    if (!redis) return true;
    try {
      return (await redis.set(RETENTION_LOCK_KEY, config.collectorId, 'PX', periodMs, 'NX')) === 'OK';
    } catch (err) {
      log.warn({ err: { message: (err as Error).message } }, 'retention lock not taken (redis unavailable): only the buffer is swept');
      return false;
    }
  }

  async function sweepOnce(): Promise<SweepCounts | undefined> {
    if (stopper.signal.aborted) return undefined;
    const started = Date.now();
    const store = await holdsLock();
    const buffer = openBufferRows(config.dataDir);
    try {
      const counts = await sweepRetention(db, { now: new Date(), globalDays: config.retentionDays, buffer, redis, influx, store, signal: stopper.signal });
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
