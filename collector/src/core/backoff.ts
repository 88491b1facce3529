/** Exponential backoff with full jitter, for the pipeline's retry loops. */
export function createBackoff(baseMs = 100, maxMs = 2000) {
  let failures = 0;
  return {
    get failures() {
      return failures;
    },
    next(): number {
      failures += 1;
      const cap = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 10));
      return cap / 2 + Math.random() * (cap / 2);
    },
    reset() {
      failures = 0;
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts (shutdown); never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
