/**
 * Where the markers sit while the instructor edits the seat map: the placements, an undo stack (50
 * steps), whether they differ from what was saved, the item picked from the palette, and the moves —
 * place the picked item where the image was clicked, drag a marker (one undo step per drag), nudge
 * it with the arrow keys (Shift: larger steps), remove it. Positions are fractions (0–1) of the
 * image's width and height, measured against `area`.
 */
import { useRef, useState } from 'preact/hooks';
import type { SeatPlacement } from '@cell-monitor/shared/roster';

/** A team or a student, placed or not. */
export type SeatItem = Pick<SeatPlacement, 'kind' | 'key'>;
export const sameItem = (a: SeatItem, b: SeatItem) => a.kind === b.kind && a.key === b.key;
const clamp = (v: number) => Math.min(1, Math.max(0, v));
const UNDO_STEPS = 50;
const NUDGE: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

export function useSeatPlacement() {
  const [placements, setPlacements] = useState<SeatPlacement[]>([]);
  const [undoStack, setUndoStack] = useState<SeatPlacement[][]>([]);
  const [dirty, setDirty] = useState(false);
  const [picked, setPicked] = useState<SeatItem | null>(null);
  const area = useRef<HTMLDivElement>(null);
  const drag = useRef<{ item: SeatItem; before: SeatPlacement[]; moved: boolean } | null>(null);

  const remember = (before: SeatPlacement[]) => {
    setUndoStack((stack) => [...stack.slice(-(UNDO_STEPS - 1)), before]);
    setDirty(true);
  };
  const change = (next: SeatPlacement[]) => {
    remember(placements);
    setPlacements(next);
  };
  const fraction = (event: { clientX: number; clientY: number }) => {
    const box = area.current!.getBoundingClientRect();
    return { x: clamp((event.clientX - box.left) / box.width), y: clamp((event.clientY - box.top) / box.height) };
  };

  return {
    placements,
    dirty,
    picked,
    area,
    canUndo: undoStack.length > 0,
    /** The map as read from the collector: nothing to undo, nothing unsaved. */
    reset: (saved: SeatPlacement[]) => {
      setPlacements(saved);
      setUndoStack([]);
      setDirty(false);
    },
    /** Saved: these are the collector's placements now (what was done can still be undone). */
    saved: (saved: SeatPlacement[]) => {
      setPlacements(saved);
      setDirty(false);
    },
    undo: () => {
      setPlacements(undoStack[undoStack.length - 1]);
      setUndoStack(undoStack.slice(0, -1));
      setDirty(true);
    },
    pick: (item: SeatItem | null) => setPicked(item),
    isPlaced: (item: SeatItem) => placements.some((p) => sameItem(p, item)),
    /** A click on the image: the picked item goes there. */
    placeAt: (event: MouseEvent) => {
      if (!picked) return;
      change([...placements, { ...picked, ...fraction(event) }]);
      setPicked(null);
    },
    remove: (item: SeatItem) => change(placements.filter((q) => !sameItem(q, item))),
    nudge: (item: SeatItem, key: string, large: boolean): boolean => {
      const step = large ? 0.05 : 0.01;
      const move = NUDGE[key];
      if (!move) return false;
      change(placements.map((q) => (sameItem(q, item) ? { ...q, x: clamp(q.x + move[0] * step), y: clamp(q.y + move[1] * step) } : q)));
      return true;
    },
    dragStart: (item: SeatItem) => {
      drag.current = { item, before: placements, moved: false };
    },
    dragMove: (item: SeatItem, event: PointerEvent) => {
      if (!drag.current || !sameItem(drag.current.item, item)) return;
      const { x, y } = fraction(event);
      drag.current.moved = true;
      setPlacements((list) => list.map((q) => (sameItem(q, item) ? { ...q, x, y } : q)));
    },
    dragEnd: () => {
      const done = drag.current;
      drag.current = null;
      if (done?.moved) remember(done.before);
    },
  };
}

export type SeatPlacementState = ReturnType<typeof useSeatPlacement>;
