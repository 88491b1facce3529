/**
 * A view's REST snapshot: fetched when its URL changes, and again when the board says the view is
 * stale — at most every 5 s, however often it says so.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api.ts';

export const REFETCH_MIN_MS = 5_000;

export function useSnapshot<T>(url: string | null, stale: number): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const load = (target: string) => {
    last.current = Date.now();
    api<T>('GET', target).then(
      (value) => (setData(value), setError(null)),
      (err) => setError(err instanceof ApiError ? err.message : String(err)),
    );
  };
  useEffect(() => {
    setData(null);
    if (url) load(url);
  }, [url]);
  useEffect(() => {
    if (!url || stale === 0 || timer.current) return;
    const wait = Math.max(0, last.current + REFETCH_MIN_MS - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      load(url);
    }, wait);
  }, [stale]);
  useEffect(() => () => clearTimeout(timer.current), []);
  return { data, error };
}
