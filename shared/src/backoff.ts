/**
 * Exponential backoff with full jitter, for every retry loop of cell-monitor: the collector's
 * pipeline (Redis, the database) and the extension's drainer (the companion, the collector).
 * No imports: the extension bundles this file.
 *
 * Retry number `attempt` (1 = the first retry) waits a uniformly random time in
 * `[0, window)`, where the window doubles from `baseMs` and stops growing at `maxMs`:
 *
 * | attempt | window                        | e.g. baseMs 1 000, maxMs 300 000 |
 * |---------|-------------------------------|----------------------------------|
 * | 1       | baseMs                        | 0 – 1 000 ms                     |
 * | 2       | 2 × baseMs                    | 0 – 2 000 ms                     |
 * | 3       | 4 × baseMs                    | 0 – 4 000 ms                     |
 * | n       | min(maxMs, baseMs × 2^(n−1))  | …                                |
 * | 10, 11… | maxMs                         | 0 – 300 000 ms                   |
 *
 * Full jitter (the delay is anywhere in the window, not in its upper half) so that a classroom of
 * browsers, or several collectors, that lost the same service at the same moment do not all come
 * back at the same moment. An attempt below 1, or not a number, counts as 1; a huge one stays at
 * maxMs (the exponent is capped, so it never overflows to Infinity or NaN).
 */

export interface BackoffOptions {
  /** The first window, ms. */
  baseMs: number;
  /** The largest window, ms. */
  maxMs: number;
}

/** 2^52 × baseMs is still a finite number; no sane maxMs is above it. */
const MAX_EXPONENT = 52;

/** The window of retry number `attempt`: min(maxMs, baseMs × 2^(attempt−1)). */
export function backoffWindow(attempt: number, options: BackoffOptions): number {
  const exponent = Math.min(MAX_EXPONENT, Math.max(0, Math.floor(attempt) - 1)) || 0;
  return Math.min(options.maxMs, options.baseMs * 2 ** exponent);
}

/** Delay before retry number `attempt` (1 = the first retry): `random() × window`, see the table above. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  return random() * backoffWindow(attempt, options);
}

/** A retry loop's backoff: counts the failures since the last success. */
export interface Backoff {
  /** Failures since the last reset: the attempt number of the delay `next()` returned last. */
  readonly failures: number;
  /** One more failure: the delay before the next try. */
  next(): number;
  /** A success: the next failure starts again at attempt 1. */
  reset(): void;
}

export function createBackoff(options: BackoffOptions, random: () => number = Math.random): Backoff {
  let failures = 0;
  return {
    get failures() {
      return failures;
    },
    next() {
      failures += 1;
      return backoffDelay(failures, options, random);
    },
    reset() {
      failures = 0;
    },
  };
}
