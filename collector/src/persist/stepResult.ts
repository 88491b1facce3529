/** What one pipeline step reports instead of throwing across a stage boundary. */
export type StepResult<T = void> =
  | { kind: 'ok'; value: T }
  | { kind: 'retry'; reason: string; error?: unknown }
  | { kind: 'dead'; reason: string; error?: unknown };

export const ok = <T>(value: T): StepResult<T> => ({ kind: 'ok', value });
export const retry = (reason: string, error?: unknown): StepResult<never> => ({ kind: 'retry', reason, error });
export const dead = (reason: string, error?: unknown): StepResult<never> => ({ kind: 'dead', reason, error });
