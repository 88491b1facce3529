/**
 * The versions' cells, each fetched once (`GET /api/v1/notebook-version/snapshot/:id`) and kept
 * while the replay is open: scrubbing back and forth, or comparing, asks the collector for a version
 * only the first time. `want(id)` starts a fetch if none was made; a failed one may be asked again.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { HistoryVersionDetail } from '@cell-monitor/shared/notebookHistory';
import { client } from './client.ts';
import { messageOf } from './apiError.ts';

export interface VersionDetails {
  get: (id: number | null | undefined) => HistoryVersionDetail | undefined;
  want: (...ids: Array<number | null | undefined>) => void;
  error: string | null;
}

export function useVersionDetails(): VersionDetails {
  const asked = useRef(new Set<number>());
  const alive = useRef(true);
  const [held, setHeld] = useState<ReadonlyMap<number, HistoryVersionDetail>>(new Map());
  const [error, setError] = useState<string | null>(null);
  useEffect(() => () => void (alive.current = false), []);
  return {
    get: (id) => (id === null || id === undefined ? undefined : held.get(id)),
    want: (...ids) => {
      for (const id of ids) {
        if (id === null || id === undefined || asked.current.has(id)) continue;
        asked.current.add(id);
        client.history
          .version(id)
          .then((detail) => alive.current && setHeld((old) => new Map(old).set(id, detail)))
          .catch((err) => {
            asked.current.delete(id);
            if (alive.current) setError(messageOf(err, String(err)));
          });
      }
    },
    error,
  };
}
