/**
 * Where capture hands its events. JupyterLab does not wait for the extension's start-up (settings,
 * the companion's answer, the class policy, IndexedDB), so a notebook may open and a cell run before
 * the queue is open. What capture sees then is held here, in order and with the time it happened,
 * and recorded once the recorder exists — through it, so settings, consent and the class policy
 * apply as to any other event. From then on every action goes straight through. Where no queue
 * will open (no IndexedDB) `close()` drops what was held and nothing is held again.
 */
import { makeEvent } from './events.ts';
import type { Recorder } from './recorder.ts';

/** What an action may use of the recorder. */
export type EventSink = Pick<Recorder, 'ctx' | 'settings' | 'record' | 'push'>;

/** Records something with the recorder (now, or once it exists). */
export type RecordAction = (recorder: EventSink) => void;

/** Actions held at most while the page starts; a start-up that never ends must not grow without bound. */
export const MAX_HELD = 1_000;

/** The recorder as it was at `time`: the events it makes carry that time, not the time they are replayed. */
function asOf(recorder: Recorder, time: Date): EventSink {
  const ctx = { ...recorder.ctx, now: () => time };
  return {
    ctx,
    settings: recorder.settings,
    record: (eventType, fields) => recorder.push(makeEvent(ctx, eventType, fields)),
    push: (event) => recorder.push(event),
  };
}

export class RecorderGate {
  private recorder: Recorder | undefined;
  private held: Array<{ at: Date; action: RecordAction }> | undefined = [];
  private dropped = 0;
  private settle!: (recorder: Recorder | undefined) => void;
  /** The recorder once `open()` is called; undefined after `close()`. */
  readonly ready = new Promise<Recorder | undefined>((resolve) => (this.settle = resolve));

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** The recorder once open; undefined while the page starts, and for good after `close()`. */
  get current(): Recorder | undefined {
    return this.recorder;
  }

  use(action: RecordAction): void {
    if (this.recorder) return action(this.recorder);
    if (!this.held) return;
    if (this.held.length >= MAX_HELD) {
      if (this.dropped++ === 0) console.debug(`cell-monitor: more than ${MAX_HELD} events before the queue opened; later ones are not kept`);
      return;
    }
    this.held.push({ at: this.now(), action });
  }

  /** The queue is open: what was held is recorded, oldest first, and every later action goes straight through. */
  open(recorder: Recorder): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.recorder = recorder;
    for (const { at, action } of held) {
      try {
        action(asOf(recorder, at));
      } catch (error) {
        console.debug('cell-monitor: capture failed', error);
      }
    }
    this.settle(recorder);
  }

  /** No queue will open: what was held is dropped and nothing is held again. */
  close(): void {
    this.held = undefined;
    this.settle(undefined);
  }
}
