/**
 * Sends the queue to the companion route, batch by batch, oldest first. An event leaves the queue
 * only when the collector answered 202 for its batch (or refused it for good: see sendPolicy.ts);
 * anything else keeps it queued and waits (backoff with jitter, or the server's Retry-After).
 *
 * One drainer runs per queue at a time: `runExclusive` takes the queue's Web Lock (named after its
 * owner: queueOwner.ts) and the other tabs of that server wait for it, so two tabs never send the
 * same events, and a tab of another student's server on the same origin never waits on it. Where Web Locks are missing (a non-secure http
 * origin) every tab drains; the collector deduplicates on eventId, so that costs requests, not data.
 */
import type { CellEvent } from '@cell-monitor/shared';
import { backoffDelay, type BackoffOptions } from '@cell-monitor/shared/backoff';
import { meansCollectorAway, type CollectorAwayFlag } from './collectorAway.ts';
import type { EventQueue, DropReport } from './queue.ts';
import { classifyAnswer, type IngestAnswer, type SendOutcome } from './sendPolicy.ts';
import type { MonitorSettings } from './settings.ts';

/** The lock of a drainer not told its queue's (tests). */
export const DRAIN_LOCK = 'cell-monitor:drain';

export interface DrainerOptions {
  queue: EventQueue;
  /** The Web Lock of this queue (`drainLockName(owner)`). */
  lockName?: string;
  post: (events: CellEvent[]) => Promise<IngestAnswer>;
  /**
   * Is the collector there? (the companion's GET, which answers 200 either way). Once a post found
   * the collector away, the drainer asks this before posting again: a failed POST is an error line
   * in the student's browser console, a probe is not.
   */
  probe?: () => Promise<boolean>;
  /** Remembers "the collector is away" across page loads, so a reload probes first too. */
  awayMemory?: CollectorAwayFlag;
  settings: () => MonitorSettings;
  /** The `client_queue_overflow` event for a drop report (its eventId is the report's id). */
  overflowEvent: (drops: DropReport) => CellEvent;
  now?: () => number;
  random?: () => number;
  /** Told about every answer (for the console in debug mode and the performance marks). */
  onOutcome?: (outcome: SendOutcome, batch: { events: number }) => void;
}

export type StepResult = 'empty' | SendOutcome['kind'];

/** Probes are cheap (the student's own Jupyter server answers); do not let them back off past a minute. */
const PROBE_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 60_000 };

export class Drainer {
  private attempt = 0;
  /** After a 413: at most this many events per batch until one is accepted. */
  private splitLimit = Infinity;
  private wakeUp: ((force: boolean) => void) | undefined;
  private stopped = false;
  /** The delay after the last 'retry'. */
  private retryDelayMs = 0;
  /** The last post found the collector away: probe before posting again. */
  private collectorAway = false;

  constructor(private readonly options: DrainerOptions) {
    this.collectorAway = options.awayMemory?.get() ?? false;
  }

  private setAway(away: boolean): void {
    if (away === this.collectorAway) return;
    this.collectorAway = away;
    this.options.awayMemory?.set(away);
  }

  /** Send now instead of at the end of the flush interval (a full batch is waiting, or the browser is back online). */
  wake(): void {
    this.wakeUp?.(false);
  }

  /** The browser is back online: a backoff ends early too. */
  backOnline(): void {
    this.wakeUp?.(true);
  }

  stop(): void {
    this.stopped = true;
    this.wakeUp?.(true);
  }

  /** Sends one batch and says what happened; `run()` decides how long to wait. */
  async step(): Promise<StepResult> {
    const settings = this.options.settings();
    const limit = Math.max(1, Math.min(settings.batchSize, this.splitLimit));
    const batch = await this.options.queue.peek(limit);
    if (batch.events.length === 0 && !batch.drops) return 'empty';
    const events = batch.drops ? [...batch.events, this.options.overflowEvent(batch.drops)] : batch.events;
    if (this.collectorAway && this.options.probe) {
      const there = await this.options.probe().catch(() => false);
      if (!there) {
        this.attempt += 1;
        this.retryDelayMs = backoffDelay(this.attempt, PROBE_BACKOFF, this.options.random);
        return 'retry';
      }
      this.setAway(false);
    }
    let answer: IngestAnswer;
    try {
      answer = await this.options.post(events);
    } catch {
      answer = {};
    }
    const outcome = classifyAnswer(answer, {
      attempt: this.attempt + 1,
      batchSize: events.length,
      now: this.options.now?.() ?? Date.now(),
      random: this.options.random,
    });
    this.options.onOutcome?.(outcome, { events: events.length });
    switch (outcome.kind) {
      case 'sent':
      case 'drop':
        await this.options.queue.remove(batch.keys, batch.drops);
        this.attempt = 0;
        if (outcome.kind === 'sent') this.splitLimit = Infinity;
        break;
      case 'split':
        this.splitLimit = Math.max(1, Math.floor(events.length / 2));
        break;
      case 'retry':
        // An answer saying the collector (not the batch) is the problem: probe before the next post.
        this.setAway(meansCollectorAway(answer.status));
        this.attempt += 1;
        this.retryDelayMs = outcome.delayMs;
        break;
    }
    return outcome.kind;
  }

  /** Drains until stopped: full batches go at once, a partial one waits up to the flush interval. */
  async run(): Promise<void> {
    while (!this.stopped) {
      const result = await this.step().catch(() => 'retry' as const);
      if (this.stopped) break;
      const settings = this.options.settings();
      if (result === 'retry') await this.sleep(Math.max(this.retryDelayMs, 100), false);
      else if (result === 'empty') await this.sleep(settings.flushIntervalMs, true);
      else if (result === 'sent' && (await this.options.queue.size()) < settings.batchSize) await this.sleep(settings.flushIntervalMs, true);
    }
  }

  /** `run()` under the queue's Web Lock (or without one where the browser has none). */
  async runExclusive(locks: LockManager | undefined = globalThis.navigator?.locks): Promise<void> {
    if (!locks) return this.run();
    await locks.request(this.options.lockName ?? DRAIN_LOCK, () => this.run());
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wakeUp?.(true), ms);
      // A backoff is not cut short by new events (that is its point), only by stop() or going online.
      this.wakeUp = (force) => {
        if (!force && !wakeable) return;
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
    });
  }
}
