/**
 * A view's REST snapshot, the one way the page reads one. `key` names what to read (null: nothing
 * yet); when it changes, the old answer is dropped and the new one fetched. The stale rule: each time
 * `stale` changes (the board's `stale` message) the snapshot is fetched again — at most every
 * REFETCH_MIN_MS, however often it is told. `everyMs` re-reads it on a timer as well (the buffer
 * page, the environment analysis). An answer that arrives after a newer request, or for a key no
 * longer wanted, is ignored. `update` changes the held value locally (the board's deltas, a save's
 * answer); `onLoad` sees each fetched value as it is taken (not `update`'s).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from './apiError.ts';

export const REFETCH_MIN_MS = 5_000;

export interface SnapshotOptions<T> {
  stale?: number;
  everyMs?: number;
  onLoad?: (value: T) => void;
}

export interface Snapshot<T> {
  data: T | null;
  error: string | null;
  /** Fetch now (the socket reconnected, the instructor changed something). */
  reload: () => Promise<void>;
  update: (change: (old: T | null) => T | null) => void;
}

interface Held<T> {
  key: string | null;
  data: T | null;
  error: string | null;
}

export function useSnapshot<T>(key: string | null, load: () => Promise<T>, options: SnapshotOptions<T> = {}): Snapshot<T> {
  const [held, setHeld] = useState<Held<T>>({ key, data: null, error: null });
  const latest = useRef({ key, load, onLoad: options.onLoad });
  latest.current = { key, load, onLoad: options.onLoad };
  const request = useRef(0);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const fetchNow = async (): Promise<void> => {
    const { key: wanted, load: read } = latest.current;
    if (wanted === null) return;
    const id = ++request.current;
    last.current = Date.now();
    try {
      const value = await read();
      if (id !== request.current || wanted !== latest.current.key) return;
      latest.current.onLoad?.(value);
      setHeld({ key: wanted, data: value, error: null });
    } catch (err) {
      if (id !== request.current || wanted !== latest.current.key) return;
      setHeld((old) => ({ key: wanted, data: old.key === wanted ? old.data : null, error: messageOf(err, String(err)) }));
    }
  };

  useEffect(() => {
    request.current++;
    void fetchNow();
  }, [key]);
  useEffect(() => {
    if (key === null || !options.stale || timer.current) return;
    const wait = Math.max(0, last.current + REFETCH_MIN_MS - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void fetchNow();
    }, wait);
  }, [options.stale]);
  useEffect(() => {
    if (key === null || !options.everyMs) return;
    const every = setInterval(() => void fetchNow(), options.everyMs);
    return () => clearInterval(every);
  }, [key, options.everyMs]);
  useEffect(
    () => () => {
      request.current++;
      clearTimeout(timer.current);
    },
    [],
  );

  const current = held.key === key;
  return {
    data: current ? held.data : null,
    error: current ? held.error : null,
    reload: fetchNow,
    update: (change) => setHeld((old) => ({ key: latest.current.key, data: change(old.key === latest.current.key ? old.data : null), error: old.key === latest.current.key ? old.error : null })),
  };
}
