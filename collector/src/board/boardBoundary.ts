/**
 * The class boundary (lms/classBoundary.ts) for the live board: which scopes of the board
 * (boardState.ts) an event or a help request belongs to, from an in-memory copy of the enrolments
 * and assignment paths, so the board fed per persisted batch asks the database nothing per event.
 * The copy is re-read when a cheap fingerprint of the two tables changes (`refresh`, called every
 * few seconds and before every board snapshot); the students whose classes or assignments changed
 * are returned, for the board to fold their day again from the store (an assignment added to a
 * class takes that notebook's runs out of the student's other classes, enrolling her adds a class).
 */
import type { Knex } from 'knex';
import { assignmentsFingerprint } from '../assignments/store.ts';
import { enrolmentsFingerprint } from '../classes/enrolments.ts';
import { classesShowing, loadBoundarySnapshot, type BoundarySnapshot } from '../classes/classBoundary.ts';
import { ALL_SCOPE, classScope, type Scope } from './boardState.ts';

export interface BoardBoundary {
  /** ALL_SCOPE and the scope of every class that shows a row of the student at `time` (epoch ms) on `notebookPath`. */
  scopesOf(userId: string, time: number, notebookPath: string | null | undefined): Scope[];
  /** The classes the student is enrolled in now. */
  classesOf(userId: string): number[];
  /** Re-reads the copy when the tables changed; resolves to the students whose scopes may have changed. */
  refresh(): Promise<string[]>;
}

/** A cheap fingerprint of the enrolments and the assignment paths: it changes when either does. */
async function fingerprint(db: Knex): Promise<string> {
  return JSON.stringify([await enrolmentsFingerprint(db), await assignmentsFingerprint(db)]);
}

export function createBoardBoundary(db: Knex): BoardBoundary {
  let snapshot: BoundarySnapshot = { enrolments: new Map(), assignments: new Map() };
  let seen = '';
  let running: Promise<string[]> | undefined;

  async function reread(): Promise<string[]> {
    const print = await fingerprint(db);
    if (print === seen) return [];
    const next = await loadBoundarySnapshot(db);
    const changed = new Set<string>();
    const classesChanged = new Set<number>();
    for (const id of new Set([...snapshot.assignments.keys(), ...next.assignments.keys()])) {
      const a = [...(snapshot.assignments.get(id) ?? [])].sort().join('\u0000');
      const b = [...(next.assignments.get(id) ?? [])].sort().join('\u0000');
      if (a !== b) classesChanged.add(id);
    }
    for (const userId of new Set([...snapshot.enrolments.keys(), ...next.enrolments.keys()])) {
      const before = snapshot.enrolments.get(userId) ?? [];
      const after = next.enrolments.get(userId) ?? [];
      const key = (list: typeof before) => JSON.stringify([...list].sort((x, y) => x.classId - y.classId));
      if (key(before) !== key(after) || [...before, ...after].some((e) => classesChanged.has(e.classId))) changed.add(userId);
    }
    snapshot = next;
    seen = print;
    return [...changed];
  }

  return {
    scopesOf(userId, time, notebookPath) {
      return [ALL_SCOPE, ...classesShowing(snapshot, userId, time, notebookPath).map(classScope)];
    },
    classesOf(userId) {
      return (snapshot.enrolments.get(userId) ?? []).map((e) => e.classId);
    },
    async refresh() {
      // One re-read at a time; a caller arriving during one waits for it and then looks again.
      while (running) await running.catch(() => undefined);
      running = reread();
      try {
        return await running;
      } finally {
        running = undefined;
      }
    },
  };
}
