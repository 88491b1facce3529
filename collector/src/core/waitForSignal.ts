/**
 * Turns an "on something happened" subscription into `wait(ms)`: resolves on the next signal or
 * after `ms`, whichever comes first. `stop()` releases every waiter (used at shutdown).
 */
export function waitForSignal(subscribe: (listener: () => void) => () => void) {
  let waiters: Array<() => void> = [];
  const wake = () => {
    const current = waiters;
    waiters = [];
    for (const w of current) w();
  };
  const unsubscribe = subscribe(wake);
  return {
    wait(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        waiters.push(done);
      });
    },
    stop() {
      unsubscribe();
      wake();
    },
  };
}
