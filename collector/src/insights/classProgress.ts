/**
 * Where the class is in one notebook: per cell (in notebook order) the share of students who ran
 * it and who succeeded, the median attempts to a first success and the median time spent; which
 * cell each student is on now; each student's progress. The database keeps a row per student and
 * cell (activity/cellProgress.ts, read by activity/progressReads.ts); the medians are taken here.
 */
import type { Knex } from 'knex';
import type { CellProgress, ClassProgress } from '@cell-monitor/shared';
import { iso } from '../db/rows.ts';
import { cellRunSums, notebooksRun, type CellRunSum, type RowScope } from '../activity/reads.ts';
import { MAX_GAP_SECONDS } from '../activity/cellProgress.ts';
import { cellProgressSums } from '../activity/progressReads.ts';
import type { ClassesFor } from '../classes/classBoundary.ts';
import type { ClassView } from '../board/classViews.ts';
import { rowsOfNotebookIn, studentRowsIn } from '../classes/rowScopes.ts';
import { quantile } from '../help/helpStore.ts';

/** One student's runs of one cell, summed. */
export interface StudentCellRuns {
  userId: string;
  cellId: string;
  cellIndex: number | null;
  runs: number;
  /** The attempt (1-based) that first succeeded; null when none did. */
  firstSuccess: number | null;
  /** Time before each run since the student's previous run (any cell), gaps capped at MAX_GAP_SECONDS. */
  seconds: number;
  lastAt: string;
}

const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5);

/** The pure half: from per-student-and-cell sums to the view. `names` gives display names. */
export function summariseProgress(notebookPath: string, rows: StudentCellRuns[], names: (userId: string) => string): Omit<ClassProgress, 'classId' | 'notebooks'> {
  const students = [...new Set(rows.map((r) => r.userId))].sort();
  const byCell = new Map<string, StudentCellRuns[]>();
  for (const r of rows) {
    const cellRows = byCell.get(r.cellId);
    if (cellRows) cellRows.push(r);
    else byCell.set(r.cellId, [r]);
  }
  const order = (cellRows: StudentCellRuns[]) => {
    const indexes = cellRows.map((r) => r.cellIndex).filter((i): i is number => i !== null);
    return indexes.length ? median(indexes)! : Number.MAX_SAFE_INTEGER;
  };
  const cellIds = [...byCell.keys()].sort((a, b) => order(byCell.get(a)!) - order(byCell.get(b)!) || a.localeCompare(b));
  const cells: CellProgress[] = cellIds.map((cellId) => {
    const cellRows = byCell.get(cellId)!;
    const succeeded = cellRows.filter((r) => r.firstSuccess !== null);
    const index = order(cellRows);
    return {
      cellId,
      cellIndex: index === Number.MAX_SAFE_INTEGER ? null : index,
      ranShare: students.length ? cellRows.length / students.length : 0,
      succeededShare: students.length ? succeeded.length / students.length : 0,
      medianAttemptsToSuccess: median(succeeded.map((r) => r.firstSuccess!)),
      medianSeconds: median(cellRows.map((r) => r.seconds)),
      students: cellRows.length,
    };
  });
  const current = new Map<string, StudentCellRuns>();
  for (const r of rows) if (!current.has(r.userId) || r.lastAt > current.get(r.userId)!.lastAt) current.set(r.userId, r);
  const onCell = new Map<string, number>();
  for (const r of current.values()) onCell.set(r.cellId, (onCell.get(r.cellId) ?? 0) + 1);
  const solved = new Map<string, number>();
  for (const r of rows) if (r.firstSuccess !== null) solved.set(r.userId, (solved.get(r.userId) ?? 0) + 1);
  return {
    notebookPath,
    students: students.length,
    cells,
    currentCell: cells.map((c) => ({ cellId: c.cellId, cellIndex: c.cellIndex, students: onCell.get(c.cellId) ?? 0 })),
    perStudent: students.map((userId) => ({
      userId,
      displayName: names(userId),
      progressPercent: cells.length ? Math.round((100 * (solved.get(userId) ?? 0)) / cells.length) : 0,
    })),
  };
}

/**
 * Per student and cell of one notebook: runs, first successful attempt, time spent — of the runs
 * `reach` shows (classes/classBoundary.ts: from enrolment on, never another class's assignment;
 * null: every run, for an admin). One notebook: the boundary per enrolment, not per run.
 */
export async function loadCellRuns(db: Knex, notebookPath: string, reach: ClassesFor | null): Promise<StudentCellRuns[]> {
  // Kept per student and cell as runs are persisted (activity/cellProgress.ts): ~40 rows a student, whatever the history.
  return (await cellProgressSums(db, notebookPath, { maxGapSeconds: MAX_GAP_SECONDS, scope: rowsOfNotebookIn(db, reach, notebookPath) })).map(studentCellRuns);
}

/**
 * The same per student and cell, of the runs in [from, to) only (a past meeting's, for the
 * after-class report): summed from the runs themselves, the window cutting each student's history
 * — her first run in the window is attempt 1 and spends no time, as her first run ever does.
 */
export async function loadCellRunsBetween(db: Knex, notebookPath: string, reach: ClassesFor | null, window: { from: string; to: string }): Promise<StudentCellRuns[]> {
  const boundary = rowsOfNotebookIn(db, reach, notebookPath);
  const scope: RowScope = (query, columns) => {
    boundary?.(query, columns);
    query.where(columns.time, '>=', window.from).where(columns.time, '<', window.to);
  };
  return (await cellRunSums(db, notebookPath, { maxGapSeconds: MAX_GAP_SECONDS, scope })).map(studentCellRuns);
}

function studentCellRuns(r: CellRunSum): StudentCellRuns {
  return {
    userId: String(r.user_id),
    cellId: String(r.cell_key),
    cellIndex: r.cell_index === null ? null : Number(r.cell_index),
    runs: Number(r.runs),
    firstSuccess: r.first_success === null ? null : Number(r.first_success),
    seconds: Math.round(Number(r.seconds) || 0),
    lastAt: iso(r.last_at)!,
  };
}

/** The progress view of a class view: of `notebookPath`, else of the notebook most students ran. */
export async function loadClassProgress(db: Knex, view: ClassView, notebookPath?: string): Promise<ClassProgress> {
  const notebooks = await loadNotebooks(db, view.reach);
  const path = notebookPath ?? notebooks[0]?.notebookPath ?? '';
  const rows = path ? await loadCellRuns(db, path, view.reach) : [];
  return { classId: view.classId, notebooks, ...summariseProgress(path, rows, (id) => view.names.get(id) ?? id) };
}

/** Notebooks the students ran cells of (as far as `reach` shows), most students first. */
export async function loadNotebooks(db: Knex, reach: ClassesFor | null): Promise<Array<{ notebookPath: string; students: number }>> {
  const rows = await notebooksRun(db, studentRowsIn(db, reach));
  return rows.map((r) => ({ notebookPath: r.path, students: Number(r.students) }));
}
