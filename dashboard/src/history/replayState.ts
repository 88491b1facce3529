/**
 * The replay of one student's notebook as pure functions (tested in Node, like boardState.ts): the
 * timeline's versions and runs merged into one time-ordered list of moments, the version shown at
 * each (the latest saved at or before it), the cell a run ran in that version, and where the
 * buttons and a jump (an error cluster, a stuck card) land.
 *
 * | question                         | answer                                                          |
 * |----------------------------------|-----------------------------------------------------------------|
 * | order of moments                 | by time; a save and a run at the same instant: the save first   |
 * | which versions                   | the student's own line of saves (branch versions are not hers)  |
 * | the notebook at a moment         | the latest version at or before it (none before the first save) |
 * | the cell of a run                | by cell id, else by its index when the version has that many    |
 * | previous / next change           | the nearest moment that is a version (the notebook changed)     |
 * | previous / next error            | the nearest failed run                                          |
 * | a jump (cell, error name, time)  | the newest failed run of that cell and error at or before the time; else the last moment at or before the time; else the last moment |
 */
import type { HistoryCell, HistoryVersion, ReplayRun, ReplayTimeline } from '@cell-monitor/shared/notebookHistory';

export type Moment =
  | { kind: 'version'; at: string; version: HistoryVersion; versionIndex: number }
  | { kind: 'run'; at: string; run: ReplayRun; /** The latest version at or before the run; -1: none yet. */ versionIndex: number };

/** Where a jump from the board or the error clusters should land. */
export interface ReplayFocus {
  notebookPath: string | null;
  cellId?: string | null;
  cellIndex?: number | null;
  errorName?: string | null;
  /** When it happened (an error cluster's example); absent: the newest such run. */
  at?: string | null;
}

export interface Replay {
  versions: HistoryVersion[];
  moments: Moment[];
}

const time = (iso: string) => Date.parse(iso);

export function replayOf(timeline: ReplayTimeline): Replay {
  const versions = timeline.versions.filter((v) => v.branch_id === null).sort((a, b) => time(a.saved_at) - time(b.saved_at));
  const runs = [...timeline.runs].sort((a, b) => time(a.at) - time(b.at));
  const moments: Moment[] = [];
  let v = 0;
  for (const run of runs) {
    while (v < versions.length && time(versions[v].saved_at) <= time(run.at)) {
      moments.push({ kind: 'version', at: versions[v].saved_at, version: versions[v], versionIndex: v });
      v += 1;
    }
    moments.push({ kind: 'run', at: run.at, run, versionIndex: v - 1 });
  }
  for (; v < versions.length; v++) moments.push({ kind: 'version', at: versions[v].saved_at, version: versions[v], versionIndex: v });
  return { versions, moments };
}

/** The version shown at moment `index` (null: before the first save, or no moments). */
export function versionAt(replay: Replay, index: number): HistoryVersion | null {
  const moment = replay.moments[index];
  return moment && moment.versionIndex >= 0 ? replay.versions[moment.versionIndex] : null;
}

/** The position in `cells` of the cell `run` ran: by cell id, else by index; null when the version has no such cell. */
export function cellOfRun(run: Pick<ReplayRun, 'cell_id' | 'cell_index'>, cells: readonly HistoryCell[]): number | null {
  if (run.cell_id) {
    const byId = cells.findIndex((c) => c.cell_id === run.cell_id);
    if (byId >= 0) return byId;
    // A version with ids that does not have this one: the cell was not saved yet.
    if (cells.some((c) => c.cell_id)) return null;
  }
  return run.cell_index !== null && run.cell_index >= 0 && run.cell_index < cells.length ? run.cell_index : null;
}

const isVersion = (m: Moment) => m.kind === 'version';
const isError = (m: Moment) => m.kind === 'run' && !m.run.success;

/** The nearest moment after (`step` 1) or before (-1) `index` that `matches`; null: none. */
export function nearest(replay: Replay, index: number, step: 1 | -1, matches: (m: Moment) => boolean): number | null {
  for (let i = index + step; i >= 0 && i < replay.moments.length; i += step) if (matches(replay.moments[i])) return i;
  return null;
}

export const nearestChange = (replay: Replay, index: number, step: 1 | -1) => nearest(replay, index, step, isVersion);
export const nearestError = (replay: Replay, index: number, step: 1 | -1) => nearest(replay, index, step, isError);

/** Where the replay opens: at the focus (see the table), or the last moment. -1: no moments. */
export function focusIndex(replay: Replay, focus: ReplayFocus | null): number {
  const last = replay.moments.length - 1;
  if (!focus) return last;
  const until = focus.at ? time(focus.at) : Infinity;
  const hasCell = Boolean(focus.cellId) || (focus.cellIndex !== undefined && focus.cellIndex !== null);
  const sameCell = (run: ReplayRun) => (focus.cellId && run.cell_id ? run.cell_id === focus.cellId : focus.cellIndex != null && run.cell_index === focus.cellIndex);
  for (let i = last; i >= 0; i--) {
    const m = replay.moments[i];
    if (m.kind !== 'run' || m.run.success || time(m.at) > until) continue;
    if (hasCell && !sameCell(m.run)) continue;
    if (focus.errorName && m.run.error_name !== focus.errorName) continue;
    return i;
  }
  for (let i = last; i >= 0; i--) if (time(replay.moments[i].at) <= until) return i;
  return last;
}
