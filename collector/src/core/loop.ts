/**
 * A background loop (STYLE 3: stages return `{ start, close }`): `start()` runs `step` again and
 * again until `stop()`. Each step handles its own errors and waits (backoff, "nothing to do");
 * waits given `signal` end at once on stop, and `onStop` wakes one the signal cannot reach.
 * `stop()` resolves when the step under way has returned. The forwarder, the persister and the
 * InfluxDB sink run on it.
 */
export interface Loop {
  /** True from start() until stop(): a long step checks it to give up early. */
  readonly running: boolean;
  /** Aborted by stop(). */
  readonly signal: AbortSignal;
  start(): void;
  stop(): Promise<void>;
}

export function createLoop(step: () => Promise<void>, options: { onStop?: () => void } = {}): Loop {
  const stopper = new AbortController();
  let running = false;
  let loop: Promise<void> | undefined;

  async function run(): Promise<void> {
    while (running) await step();
  }

  return {
    get running() {
      return running;
    },
    signal: stopper.signal,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      stopper.abort();
      options.onStop?.();
      await loop;
    },
  };
}
