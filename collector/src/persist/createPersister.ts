import type { Knex } from 'knex';
import type { CellEvent } from '@cell-monitor/shared';
import type { Logger } from '../core/logger.ts';
import { createBackoff } from '@cell-monitor/shared';
import { sleep } from '../core/sleep.ts';
import { createLoop } from '../core/loop.ts';
import { classifyDbError, dbErrorForLog, isDatabaseAway } from './classifyError.ts';
import type { EventSource, SourceEntry } from './sources/eventSource.ts';
import { createFairWindow, DEFAULT_FAIRNESS, type FairnessLimits, type HeldEntry } from './fairWindow.ts';
import { dead, ok, retry, type StepResult } from './stepResult.ts';
import type { WriteEvents } from './writeEvents.ts';

export interface PersisterOptions {
  source: EventSource;
  db: Knex;
  /** After each commit, the events it inserted (none redelivered): the pipeline publishes them live. */
  onPersisted(events: CellEvent[]): Promise<void>;
  log: Logger;
  batchSize?: number;
  /** Per-student shares of each batch and the read-ahead window (persist/fairWindow.ts). */
  fairness?: Partial<FairnessLimits>;
  /** Called after every step with the running totals and whether the source had nothing to read. */
  onProgress?: (stats: PersisterStats, idle: boolean) => void;
  /** The idempotency gate and its projections (pipeline/projections.ts composes them). */
  writeEvents: WriteEvents;
}

export interface PersisterStats {
  persisted: number;
  duplicates: number;
  deadLettered: number;
  /** Failed attempts (a batch retried, or the source failing): /metrics' persist_errors_total. */
  failures?: number;
  /** The latest dead letter, for /readyz (the reason is a snake_case id, never driver text). */
  lastDeadLetter?: { eventId: string; reason: string; at: string };
}

/** Reads per step into the fair window (each of up to batchSize entries): how far a step looks ahead. */
const READS_PER_STEP = 20;

/** A batch failing this many times in a row while the database answers is split to find the culprit. */
export const FAILURES_BEFORE_ISOLATING = 3;

/**
 * Source → main store → live broadcast. An entry is acked only after the transaction holding it
 * committed; only events that transaction actually inserted are broadcast, so a redelivered entry
 * is neither stored nor shown twice. Data errors dead-letter just the offending event.
 */
export function createPersister(options: PersisterOptions) {
  const { source, db, log } = options;
  const batchSize = options.batchSize ?? 500;
  const window = createFairWindow({ ...DEFAULT_FAIRNESS, batchEvents: batchSize, ...options.fairness });
  const backoff = createBackoff({ baseMs: 100, maxMs: 5000 });
  const stats: PersisterStats = { persisted: 0, duplicates: 0, deadLettered: 0, failures: 0 };
  let idle = true;

  async function write(events: CellEvent[]): Promise<StepResult<CellEvent[]>> {
    try {
      return ok(await options.writeEvents(db, events));
    } catch (err) {
      const verdict = classifyDbError(err);
      return verdict.kind === 'dead' ? dead(verdict.reason, err) : retry(verdict.reason, err);
    }
  }

  async function toDeadLetter(entry: SourceEntry, reason: string, err?: unknown): Promise<void> {
    log.error({ eventId: entry.eventId, reason, err: err === undefined ? undefined : dbErrorForLog(err) }, 'event dead-lettered');
    await source.deadLetter(entry, reason);
    stats.deadLettered += 1;
    stats.lastDeadLetter = { eventId: entry.eventId, reason, at: new Date().toISOString() };
  }

  /** Does the database answer at all? Tells "this event cannot be written" from "the database is away". */
  async function databaseAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([db.raw('select 1'), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), 2000)))]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Persists `parsed`, retrying with backoff while the database is away. When a batch keeps failing
   * although the database answers, one of its events is the problem: the batch is split in halves
   * (each retried the same way) until the event that fails alone is dead-lettered, so it cannot
   * hold back every event behind it. Returns 'retry' only when the persister is stopping.
   */
  async function persistIsolating(parsed: { entry: SourceEntry; event: CellEvent }[]): Promise<StepResult<CellEvent[]>> {
    let failures = 0;
    const backoff = createBackoff({ baseMs: 100, maxMs: 5000 }); // per attempt at this slice: halves start again quickly
    for (;;) {
      const result = await persist(parsed);
      if (result.kind === 'ok') {
        if (failures > 0) log.info({ afterFailures: failures, events: parsed.length }, 'persisting resumed');
        return result;
      }
      failures += 1;
      stats.failures = (stats.failures ?? 0) + 1;
      options.onProgress?.(stats, false);
      if (failures === 1) log.warn({ reason: result.reason, events: parsed.length, err: dbErrorForLog(result.error) }, 'persist failed; will retry');
      // Split only for a failure that may be an event's: never while the database is away or starting.
      if (failures >= FAILURES_BEFORE_ISOLATING && !isDatabaseAway(result.error) && (await databaseAnswers())) {
        if (parsed.length === 1) {
          await toDeadLetter(parsed[0].entry, `persist_failed_${result.reason}`, result.error);
          return ok([]);
        }
        const middle = Math.ceil(parsed.length / 2);
        const fresh: CellEvent[] = [];
        for (const half of [parsed.slice(0, middle), parsed.slice(middle)]) {
          const part = await persistIsolating(half);
          if (part.kind !== 'ok') return part;
          fresh.push(...part.value);
        }
        return ok(fresh);
      }
      await sleep(backoff.next(), loop.signal);
      if (!loop.running) return result;
    }
  }

  /** Persists a batch; on a data error falls back to one event per transaction to isolate it. */
  async function persist(parsed: { entry: SourceEntry; event: CellEvent }[]): Promise<StepResult<CellEvent[]>> {
    if (parsed.length === 0) return ok([]);
    const batch = await write(parsed.map((p) => p.event));
    if (batch.kind !== 'dead' || parsed.length === 1) {
      if (batch.kind === 'dead') await toDeadLetter(parsed[0].entry, batch.reason, batch.error);
      return batch.kind === 'dead' ? ok([]) : batch;
    }
    const fresh: CellEvent[] = [];
    for (const { entry, event } of parsed) {
      const single = await write([event]);
      if (single.kind === 'retry') return single;
      if (single.kind === 'dead') await toDeadLetter(entry, single.reason, single.error);
      else fresh.push(...single.value);
    }
    return ok(fresh);
  }

  /** Reads ahead into the fair window, waiting for new entries only when asked to and it holds none. */
  async function readAhead(wait: boolean): Promise<void> {
    for (let reads = 0; window.room() > 0 && reads < READS_PER_STEP; reads++) {
      const want = Math.min(batchSize, window.room());
      const entries = await source.read(want, { wait: wait && window.size === 0 });
      window.add(entries);
      if (entries.length < want) break; // nothing more for now
    }
  }

  /**
   * Persists the window's next fair batch (each student's share, in each student's order) while
   * the next entries are read: the source's round trip and the parsing overlap the database's
   * work on the batch instead of following it (issue 20).
   */
  async function step(): Promise<'idle' | 'done' | 'failed'> {
    if (window.size === 0) await readAhead(true);
    if (window.size === 0) return 'idle';
    const batch = window.take();
    const [persisted, read] = await Promise.allSettled([persistBatch(batch), readAhead(false)]);
    if (persisted.status === 'rejected') {
      window.restore(batch); // still unacked in the source: taken again on the next step (before what was read meanwhile)
      throw persisted.reason;
    }
    if (read.status === 'rejected') throw read.reason;
    return persisted.value;
  }

  async function persistBatch(batch: HeldEntry[]): Promise<'done' | 'failed'> {
    const entries = batch.map((held) => held.entry);
    const parsed: { entry: SourceEntry; event: CellEvent }[] = [];
    for (const { entry, event } of batch) {
      if (event) parsed.push({ entry, event });
      else await toDeadLetter(entry, 'unparseable_entry');
    }
    const deadBefore = stats.deadLettered;
    const result = await persistIsolating(parsed);
    if (result.kind !== 'ok') return 'failed'; // stopping: the entries stay unacked and are read again
    // Durable in the main store from here; broadcast after persist, then ack.
    if (result.value.length > 0) await options.onPersisted(result.value).catch((err) => log.warn({ err }, 'broadcast failed'));
    await source.ack(entries);
    stats.persisted += result.value.length;
    stats.duplicates += parsed.length - result.value.length - (stats.deadLettered - deadBefore);
    backoff.reset();
    return 'done';
  }

  const loop = createLoop(async () => {
    try {
      idle = (await step()) === 'idle';
      options.onProgress?.(stats, idle);
    } catch (err) {
      stats.failures = (stats.failures ?? 0) + 1;
      if (backoff.failures === 0) log.warn({ err: dbErrorForLog(err) }, 'persister source failed; will retry');
      await sleep(backoff.next(), loop.signal);
    }
  });

  return {
    stats,
    get idle() {
      return idle;
    },
    start: loop.start,
    close: loop.stop,
  };
}

export type Persister = ReturnType<typeof createPersister>;
