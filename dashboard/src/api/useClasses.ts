/**
 * The classes the instructor may pick and the one shown (kept for the tab in sessionStorage, so a
 * reload stays on it). `null` classes: not read yet (the board waits); a failed read is no classes.
 * `drop` forgets a class the instructor lost (removed as its teacher, the class deleted) and shows
 * the first of the rest.
 */
import { useEffect, useState } from 'preact/hooks';
import { client, type ClassOption } from './client.ts';
import { useSnapshot } from './useSnapshot.ts';

const CLASS_KEY = 'cell-monitor:dashboard-class';

export interface ClassChoice {
  classes: ClassOption[] | null;
  classId: number | null;
  choose: (classId: number | null) => void;
  /** Forgets the class; answers the one it was (for the notice), if it was known. */
  drop: (classId: number | null) => ClassOption | undefined;
}

export function useClasses(): ClassChoice {
  const [classId, setClassId] = useState<number | null>(null);
  const list = useSnapshot('classes', client.classes, {
    onLoad: (found) => {
      const kept = Number(sessionStorage.getItem(CLASS_KEY));
      setClassId(found.some((c) => c.id === kept) ? kept : (found[0]?.id ?? null));
    },
  });
  const classes = list.data ?? (list.error === null ? null : []);
  useEffect(() => {
    if (classes !== null) sessionStorage.setItem(CLASS_KEY, String(classId ?? ''));
  }, [classes, classId]);

  const drop = (id: number | null) => {
    const gone = classes?.find((c) => c.id === id);
    const rest = (classes ?? []).filter((c) => c.id !== id);
    list.update(() => rest);
    setClassId(rest[0]?.id ?? null);
    return gone;
  };
  return { classes, classId, choose: setClassId, drop };
}
