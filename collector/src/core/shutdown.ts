/**
 * One ordered shutdown list. Each part adds how it is closed as soon as it is open; `run()` —
 * at close, or when a start fails half-way — closes what was opened, phase by phase, and within a
 * phase the last opened first:
 *
 * | phase   | what closes                                                     |
 * |---------|-----------------------------------------------------------------|
 * | intake  | no new work: the HTTP server stops accepting, listeners go      |
 * | live    | what serves or acts live: WebSockets, the board, timed jobs     |
 * | drain   | in-flight work ends: the server's last requests, the pipeline   |
 * | release | connections and files: coordination, buffer, database, workers  |
 *
 * A step that fails is logged and the rest still run; `run()` then rejects with the first failure.
 * Steps run once: a second `run()` finds none.
 */
import type { Logger } from './logger.ts';

export type ShutdownPhase = 'intake' | 'live' | 'drain' | 'release';

const PHASES: readonly ShutdownPhase[] = ['intake', 'live', 'drain', 'release'];

export interface Shutdown {
  add(phase: ShutdownPhase, name: string, step: () => unknown): void;
  run(): Promise<void>;
}

export function createShutdown(log: Logger): Shutdown {
  const steps: Array<{ phase: ShutdownPhase; name: string; step: () => unknown }> = [];
  return {
    add(phase, name, step) {
      steps.push({ phase, name, step });
    },
    async run() {
      const due = steps.splice(0);
      const failures: unknown[] = [];
      for (const phase of PHASES) {
        for (const { name, step } of due.filter((s) => s.phase === phase).reverse()) {
          try {
            await step();
          } catch (err) {
            failures.push(err);
            log.error({ err, step: name }, 'shutdown step failed');
          }
        }
      }
      if (failures.length > 0) throw failures[0];
    },
  };
}
