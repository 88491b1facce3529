/**
 * Where captured events go: into the IndexedDB queue, in one transaction per tick (a "Run All" of
 * 50 cells is a few writes, not 100), then the drainer is woken when a full batch is waiting.
 * Never throws into JupyterLab: a failed write (quota, a private window without IndexedDB) loses
 * those events with a line in the developer console; the student sees nothing.
 */
import type { CellEvent } from '@cell-monitor/shared';
import type { Drainer } from './drainer.ts';
import { makeEvent, type EventContext, type EventFields } from './events.ts';
import type { EventQueue } from './queue.ts';
import type { MonitorSettings } from './settings.ts';

export class Recorder {
  private pending: CellEvent[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    readonly ctx: EventContext,
    private readonly queue: EventQueue,
    private readonly drainer: Drainer,
    readonly settings: () => MonitorSettings,
    /** The last step before the queue: the class policy's cap and secret masking (privacy.ts). */
    private readonly prepare: (event: CellEvent) => CellEvent = (event) => event,
  ) {}

  record(eventType: string, fields: EventFields = {}): void {
    if (!this.settings().enabled) return;
    this.push(makeEvent(this.ctx, eventType, fields));
  }

  push(event: CellEvent): void {
    if (!this.settings().enabled) return;
    this.pending.push(this.prepare(event));
    if (this.pending.length === 1) queueMicrotask(() => void this.flush());
  }

  /** Writes what is pending now; resolves when it is in IndexedDB. */
  flush(): Promise<void> {
    const previous = this.flushing ?? Promise.resolve();
    const run = previous.then(async () => {
      const events = this.pending;
      if (events.length === 0) return;
      this.pending = [];
      const settings = this.settings();
      try {
        const { size } = await this.queue.add(events, settings.maxQueueSize);
        if (size >= settings.batchSize) this.drainer.wake();
      } catch (error) {
        console.debug(`cell-monitor: ${events.length} events could not be queued`, error);
      }
    });
    this.flushing = run;
    return run;
  }
}
