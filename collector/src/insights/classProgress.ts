/**
 * Where the class is in one notebook: per cell (in notebook order) the share of students who ran
 * it and who succeeded, the median attempts to a first success and the median time spent; which
 * cell each student is on now; each student's progress. The database sums per student and cell
 * (one row each, window functions on both engines); the medians are taken here.
 */
import type { Knex } from 'knex';
import type { CellProgress, ClassProgress } from '@cell-monitor/shared';
import { isPostgres } from '../db/createDb.ts';
import { iso } from '../db/rows.ts';
import { visibleSince, withinClasses, type ClassesFor } from '../classes/classBoundary.ts';
import { quantile } from '../help/helpStore.ts';

/** A gap between two runs longer than this (s) is a break, not time spent on the next cell. */
export const MAX_GAP_SECONDS = 600;

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
  for (const r of rows) byCell.set(r.cellId, [...(byCell.get(r.cellId) ?? []), r]);
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
 * `reach` shows (lms/classBoundary.ts: from enrolment on, never another class's assignment; null:
 * every run, for an admin).
 */
export async function loadCellRuns(db: Knex, notebookPath: string, reach: ClassesFor | null): Promise<StudentCellRuns[]> {
  const pg = isPostgres(db);
  // The windows run over the bare executions (one index range: notebook, student, time); names are
  // joined to the 12,000-odd summed rows afterwards, not to the 240,000 runs.
  const gap = pg
    ? 'EXTRACT(EPOCH FROM x.executed_at - LAG(x.executed_at) OVER (PARTITION BY x.student_id ORDER BY x.executed_at, x.id))'
    : '(julianday(x.executed_at) - julianday(LAG(x.executed_at) OVER (PARTITION BY x.student_id ORDER BY x.executed_at, x.id))) * 86400.0';
  const capped = pg ? `LEAST(COALESCE(gap, 0), ${MAX_GAP_SECONDS})` : `MIN(COALESCE(gap, 0), ${MAX_GAP_SECONDS})`;
  const runs = db('cell_executions as x')
    .join('notebooks as n', 'n.id', 'x.notebook_id')
    .where('n.path', notebookPath)
    .whereIn('x.status', ['success', 'error'])
    // One notebook: the boundary per enrolment (visibleSince), not per run.
    .modify((q) => (reach ? q.join(visibleSince(db, reach, notebookPath).as('vs'), 'vs.student_id', 'x.student_id').whereRaw('x.executed_at >= vs.since') : q))
    .select('x.student_id', 'x.cell_id', 'x.cell_index', 'x.status', 'x.executed_at', 'x.id', db.raw(`${gap} AS gap`));
  const result = await db.raw(
    `WITH runs AS ?,
     ranked AS (
       SELECT runs.*, ROW_NUMBER() OVER (PARTITION BY student_id, cell_id ORDER BY executed_at, id) AS attempt FROM runs
     ),
     per AS (
       SELECT student_id, cell_id, MAX(cell_index) AS cell_index, COUNT(*) AS runs,
              MIN(CASE WHEN status = 'success' THEN attempt END) AS first_success,
              SUM(${capped}) AS seconds, MAX(executed_at) AS last_at
         FROM ranked GROUP BY student_id, cell_id
     )
     SELECT s.user_id, c.cell_id AS cell_key, per.cell_index, per.runs, per.first_success, per.seconds, per.last_at
       FROM per JOIN students s ON s.id = per.student_id JOIN cells c ON c.id = per.cell_id`,
    [runs],
  );
  const rows: Array<Record<string, unknown>> = pg ? result.rows : result;
  return rows.map((r) => ({
    userId: String(r.user_id),
    cellId: String(r.cell_key),
    cellIndex: r.cell_index === null ? null : Number(r.cell_index),
    runs: Number(r.runs),
    firstSuccess: r.first_success === null ? null : Number(r.first_success),
    seconds: Math.round(Number(r.seconds) || 0),
    lastAt: iso(r.last_at as string)!,
  }));
}

/** Notebooks the students ran cells of (as far as `reach` shows), most students first. */
export async function loadNotebooks(db: Knex, reach: ClassesFor | null): Promise<Array<{ notebookPath: string; students: number }>> {
  // Per student and notebook first (her latest run there): the boundary is checked on those few
  // rows — a student's notebook shows when her latest run on it does.
  const perStudent = db('cell_executions as x').groupBy('x.student_id', 'x.notebook_id').select('x.student_id', 'x.notebook_id').max({ last_at: 'x.executed_at' }).as('p');
  const rows: Array<{ path: string; students: number | string }> = await db
    .from(perStudent)
    .join('notebooks as n', 'n.id', 'p.notebook_id')
    .modify((q) => (reach ? q.where(withinClasses(db, reach, { student: 'p.student_id', time: 'p.last_at', notebookPath: 'n.path' })) : q))
    .groupBy('n.path')
    .select('n.path')
    .countDistinct({ students: 'p.student_id' })
    .orderBy([{ column: 'students', order: 'desc' }, { column: 'n.path' }])
    .limit(200);
  return rows.map((r) => ({ notebookPath: r.path, students: Number(r.students) }));
}
