/**
 * The after-class report's figures, as pure functions of what a meeting's window holds (the loader,
 * sessionReport.ts, reads it; the test reads this table):
 *
 * | figure            | is                                                                                     |
 * |-------------------|----------------------------------------------------------------------------------------|
 * | attendance        | per enrolled student: absent (no stored event in the window), late (first event `lateAfterMinutes` or more after the start), else on_time; runs = her runs in the window |
 * | active            | the students not absent                                                                 |
 * | runs / errors     | runs (cell executions that succeeded or failed) in the window / those that failed      |
 * | cells             | insights/classProgress.ts summariseProgress over the window's runs of the notebook (order, medians); ran / succeeded counted per cell, shares of the active students |
 * | stuck             | per cell, the students with ≥ the class's stuckErrors failed runs of it in a row in the window (a success there resets; board/statusRules.ts) |
 * | help              | requests asked in the window; a resolved one waited until it was resolved, an open one until the window's end (or now, if sooner); cancelled ones are counted but wait no time; median / p90 (nearest rank, help/helpStore.ts quantile) over the resolved |
 * | unfinished        | active students without a success on the notebook's last cell (notebook order), with the furthest cell they succeeded on and their last run of the notebook |
 */
import type { AttendanceRow, CellProgress, ReportCell, ReportHelp, ReportWait, SessionHeadline, UnfinishedStudent } from '@cell-monitor/shared';
import type { WindowRun } from '../activity/reads.ts';
import type { WindowHelpRequest } from '../help/helpStore.ts';
import { quantile } from '../help/helpStore.ts';
import type { StudentCellRuns } from '../insights/classProgress.ts';

export const DEFAULT_LATE_AFTER_MINUTES = 10;

export type Names = (userId: string) => string;

const byName = (names: Names) => (a: string, b: string) => names(a).localeCompare(names(b), 'ja', { numeric: true }) || a.localeCompare(b);

export function attendanceOf(enrolled: string[], spans: Map<string, { first_at: string; last_at: string }>, runs: WindowRun[], options: { start: number; lateAfterMinutes: number; names: Names }): AttendanceRow[] {
  const runCount = new Map<string, number>();
  for (const r of runs) runCount.set(r.user_id, (runCount.get(r.user_id) ?? 0) + 1);
  return [...enrolled].sort(byName(options.names)).map((userId) => {
    const span = spans.get(userId);
    const late = span !== undefined && Date.parse(span.first_at) - options.start >= options.lateAfterMinutes * 60_000;
    return {
      userId,
      displayName: options.names(userId),
      status: span === undefined ? 'absent' : late ? 'late' : 'on_time',
      firstAt: span?.first_at ?? null,
      lastAt: span?.last_at ?? null,
      runs: runCount.get(userId) ?? 0,
    };
  });
}

export function helpOf(requests: WindowHelpRequest[], options: { end: number; now: number; names: Names }): ReportHelp {
  const until = Math.min(options.end, options.now);
  const waits: ReportWait[] = requests
    .filter((r) => r.resolvedAt !== null || r.cancelledAt === null)
    .map((r) => ({
      helpRequestId: r.id,
      userId: r.userId,
      displayName: options.names(r.userId),
      cellId: r.cellId,
      requestedAt: r.requestedAt,
      waitSeconds: Math.max(0, ((r.resolvedAt ? Date.parse(r.resolvedAt) : until) - Date.parse(r.requestedAt)) / 1000),
      resolved: r.resolvedAt !== null,
      resolvedBy: r.resolverName,
    }));
  const resolvedSeconds = waits.filter((w) => w.resolved).map((w) => w.waitSeconds).sort((a, b) => a - b);
  const resolvers = new Map<string, number>();
  for (const w of waits) if (w.resolvedBy !== null) resolvers.set(w.resolvedBy, (resolvers.get(w.resolvedBy) ?? 0) + 1);
  return {
    count: requests.length,
    resolved: resolvedSeconds.length,
    medianWaitSeconds: quantile(resolvedSeconds, 0.5),
    p90WaitSeconds: quantile(resolvedSeconds, 0.9),
    longestWaits: [...waits].sort((a, b) => b.waitSeconds - a.waitSeconds || a.requestedAt.localeCompare(b.requestedAt) || a.helpRequestId - b.helpRequestId).slice(0, 5),
    resolvers: [...resolvers].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
    waits,
  };
}

export function headlineOf(attendance: AttendanceRow[], runs: WindowRun[], help: ReportHelp): SessionHeadline {
  return {
    activeStudents: attendance.filter((a) => a.status !== 'absent').length,
    enrolled: attendance.length,
    runs: runs.length,
    errors: runs.filter((r) => r.status === 'error').length,
    helpRequests: help.count,
    medianWaitSeconds: help.medianWaitSeconds,
  };
}

/** The notebooks run in the window, most students first (then most runs, then path). */
export function notebooksOf(runs: WindowRun[]): Array<{ notebookPath: string; students: number; runs: number }> {
  const per = new Map<string, { users: Set<string>; runs: number }>();
  for (const r of runs) {
    const entry = per.get(r.path) ?? { users: new Set<string>(), runs: 0 };
    entry.users.add(r.user_id);
    entry.runs++;
    per.set(r.path, entry);
  }
  return [...per]
    .map(([notebookPath, e]) => ({ notebookPath, students: e.users.size, runs: e.runs }))
    .sort((a, b) => b.students - a.students || b.runs - a.runs || a.notebookPath.localeCompare(b.notebookPath));
}

/** The notebook most of the window's runs were in (ties: the lower path), or null. */
export function mainNotebook(runs: WindowRun[]): string | null {
  const [top] = notebooksOf(runs).sort((a, b) => b.runs - a.runs || a.notebookPath.localeCompare(b.notebookPath));
  return top?.notebookPath ?? null;
}

/** Per cell, the students stuck on it in the window: `threshold` failed runs of it in a row (the runs of one notebook, oldest first). */
export function stuckByCell(runs: WindowRun[], threshold: number): Map<string, Set<string>> {
  const streak = new Map<string, number>();
  const stuck = new Map<string, Set<string>>();
  for (const r of runs) {
    const key = `${r.user_id}\u0000${r.cell_key}`;
    if (r.status === 'success') {
      streak.delete(key);
      continue;
    }
    const count = (streak.get(key) ?? 0) + 1;
    streak.set(key, count);
    if (count >= threshold) {
      if (!stuck.has(r.cell_key)) stuck.set(r.cell_key, new Set());
      stuck.get(r.cell_key)!.add(r.user_id);
    }
  }
  return stuck;
}

/** The report's cells: the progress view's cells (its order and medians), counted over `rows`, shares of `active`. */
export function reportCells(cells: CellProgress[], rows: StudentCellRuns[], active: number, stuck: Map<string, Set<string>>): ReportCell[] {
  return cells.map((c) => {
    const cellRows = rows.filter((r) => r.cellId === c.cellId);
    const succeeded = cellRows.filter((r) => r.firstSuccess !== null).length;
    return {
      cellId: c.cellId,
      cellIndex: c.cellIndex,
      ran: cellRows.length,
      succeeded,
      ranShare: active ? cellRows.length / active : 0,
      succeededShare: active ? succeeded / active : 0,
      medianAttemptsToSuccess: c.medianAttemptsToSuccess,
      medianSeconds: c.medianSeconds,
      stuck: stuck.get(c.cellId)?.size ?? 0,
    };
  });
}

/** Up to three cells where most students got stuck, most first (ties: notebook order). */
export function stuckCellsOf(cells: ReportCell[]): string[] {
  return cells
    .map((c, position) => ({ c, position }))
    .filter(({ c }) => c.stuck > 0)
    .sort((a, b) => b.c.stuck - a.c.stuck || a.position - b.position)
    .slice(0, 3)
    .map(({ c }) => c.cellId);
}

/** Active students who did not succeed on the notebook's last cell (`cells` in notebook order): who got least far first, then by name. */
export function unfinishedOf(cells: ReportCell[], rows: StudentCellRuns[], notebookRuns: WindowRun[], active: string[], names: Names): UnfinishedStudent[] {
  if (cells.length === 0) return [];
  const position = new Map(cells.map((c, i) => [c.cellId, i]));
  const last = cells[cells.length - 1].cellId;
  const lastRun = new Map<string, WindowRun>();
  for (const r of notebookRuns) lastRun.set(r.user_id, r);
  const furthest = new Map<string, number>();
  for (const r of rows) {
    if (r.firstSuccess === null) continue;
    const p = position.get(r.cellId) ?? -1;
    if (p > (furthest.get(r.userId) ?? -1)) furthest.set(r.userId, p);
  }
  const finished = new Set(rows.filter((r) => r.cellId === last && r.firstSuccess !== null).map((r) => r.userId));
  return active
    .filter((userId) => !finished.has(userId))
    .map((userId) => {
      const f = furthest.get(userId);
      const run = lastRun.get(userId);
      const runCell = run ? cells[position.get(run.cell_key) ?? -1] : undefined;
      return {
        userId,
        displayName: names(userId),
        furthestCellId: f === undefined ? null : cells[f].cellId,
        furthestCellIndex: f === undefined ? null : cells[f].cellIndex,
        lastCellId: run?.cell_key ?? null,
        lastCellIndex: run ? (runCell?.cellIndex ?? (run.cell_index === null ? null : Number(run.cell_index))) : null,
        lastSucceeded: run ? run.status === 'success' : null,
      };
    })
    .sort((a, b) => (position.get(a.furthestCellId ?? '') ?? -1) - (position.get(b.furthestCellId ?? '') ?? -1) || byName(names)(a.userId, b.userId));
}
