/**
 * localStorage, per origin: small flags shared by the drainer, the poller and the help button, and
 * the storage the unload stash and the poller's cursor use (injectable, so they run in Node tests).
 */

/** The part of the Web Storage API the extension uses: localStorage in the browser, a Map in Node tests. */
export type KeyValueStorage = Pick<Storage, 'length' | 'key' | 'getItem' | 'setItem' | 'removeItem'>;

/** localStorage, read when called: merely touching it throws where storage is disabled. */
export const browserStorage = (): KeyValueStorage => localStorage;

/** A boolean in localStorage (per origin, like the queue); storage errors read as false. */
export function localFlag(key: string): { get(): boolean; set(value: boolean): void } {
  return {
    get: () => {
      try {
        return localStorage.getItem(key) !== null;
      } catch {
        return false;
      }
    },
    set: (value) => {
      try {
        if (value) localStorage.setItem(key, new Date().toISOString());
        else localStorage.removeItem(key);
      } catch {
        // storage disabled: the flag is not kept
      }
    },
  };
}

let works: boolean | undefined;

/** Whether localStorage can be written here (not in some locked-down or private profiles). */
export function storageWorks(): boolean {
  if (works === undefined) {
    try {
      localStorage.setItem('cell-monitor:probe', '1');
      localStorage.removeItem('cell-monitor:probe');
      works = true;
    } catch {
      works = false;
    }
  }
  return works;
}
