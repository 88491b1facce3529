/**
 * What the insights read of the activity rows (cellFacts.ts and errorLogs.ts write them): per
 * student and cell of one notebook the runs summed, the notebooks run, the errors grouped, and the
 * run and error of each event for a timeline. The database sums and groups; the callers compute.
 *
 * A read the caller restricts (to what a class shows, classes/classBoundary.ts) takes a `RowScope`:
 * it is given the query and the row's student, time and notebook columns, and adds its joins and
 * conditions. Activity imports no feature: the scope comes from the caller.
 */
import type { Knex } from 'knex';
import { joinStudents } from '../students/store.ts';
import { runSums } from './runSums.ts';

/** The columns of a student's row a scope may test. */
export interface RowColumns {
  student: string;
  time: string;
  notebookPath?: string;
}

/** Restricts a read: joins and conditions over `columns`, added by the caller. */
export type RowScope = (query: Knex.QueryBuilder, columns: RowColumns) => void;

/** Per student and cell of one notebook, as the database sums them. */
export interface CellRunSum {
  user_id: string;
  cell_key: string;
  cell_index: number | string | null;
  runs: number | string;
  first_success: number | string | null;
  seconds: number | string | null;
  last_at: string | Date;
}

/**
 * Per student and cell of one notebook: runs, the first successful attempt, and the time spent
 * (the time before each run since the student's previous run, gaps capped at `maxGapSeconds`) —
 * of the runs `scope` keeps (none: every run) of `students` (none: everyone). The definition
 * (runSums.ts), computed over the runs; progressReads.ts reads the same from `cell_progress`.
 */
export async function cellRunSums(db: Knex, notebookPath: string, options: { maxGapSeconds: number; scope?: RowScope; students?: number[] }): Promise<CellRunSum[]> {
  // The windows run over the bare executions (one index range: notebook, student, time); names are
  // joined to the 12,000-odd summed rows afterwards, not to the 240,000 runs.
  const per = runSums(db, {
    maxGapSeconds: options.maxGapSeconds,
    narrow: (q) =>
      void q
        .join('notebooks as n', 'n.id', 'x.notebook_id')
        .where('n.path', notebookPath)
        .modify((w) => (options.students ? w.whereIn('x.student_id', options.students) : w))
        .modify((w) => options.scope?.(w, { student: 'x.student_id', time: 'x.executed_at' })),
  });
  return per
    .modify(joinStudents, 's', 'per.student_id')
    .join('cells as c', 'c.id', 'per.cell_id')
    .select('s.user_id', 'c.cell_id as cell_key', 'per.cell_index', 'per.runs', 'per.first_success', 'per.seconds', 'per.last_at');
}

/** Notebooks the students ran cells of (a run with a cell and an outcome), most students first (at most 200); `scope` sees each student's latest run per notebook. */
export async function notebooksRun(db: Knex, scope?: RowScope): Promise<Array<{ path: string; students: number | string }>> {
  // Per student and notebook first (her latest run there, from the rows cellProgress.ts keeps: not
  // every run): the boundary is checked on those few rows — a student's notebook shows when her
  // latest run on it does.
  const perStudent = db('cell_progress as x').groupBy('x.student_id', 'x.notebook_id').select('x.student_id', 'x.notebook_id').max({ last_at: 'x.last_run_at' }).as('p');
  return db
    .from(perStudent)
    .join('notebooks as n', 'n.id', 'p.notebook_id')
    .modify((q) => scope?.(q, { student: 'p.student_id', time: 'p.last_at', notebookPath: 'n.path' }))
    .groupBy('n.path')
    .select('n.path')
    .countDistinct({ students: 'p.student_id' })
    .orderBy([{ column: 'students', order: 'desc' }, { column: 'n.path' }])
    .limit(200);
}

/** One student's errors of one kind on one cell, as the database groups them (`raw_message`: only where no signature was kept). */
export interface ErrorGroupRow {
  signature: string | null;
  raw_message: string | null;
  error_name: string;
  path: string | null;
  cell_key: string | null;
  cell_index: number | null;
  user_id: string;
  n: number | string;
  latest_id: number | string;
  latest_at: string | Date;
}

/** The errors since `since` (before `until` when given; of one notebook, of `students`, and those `scope` keeps), grouped by signature, notebook, cell and student (at most 50,000 groups). */
export function errorGroups(db: Knex, options: { since: Date; until?: Date; notebookPath?: string; scope?: RowScope; students?: number[] }): Promise<ErrorGroupRow[]> {
  // Grouped on the bare error rows (ids, not names); names are joined to the groups afterwards.
  const inner = db('error_logs as e')
    .where('e.occurred_at', '>=', options.since.toISOString())
    .modify((q) => (options.until ? q.where('e.occurred_at', '<', options.until.toISOString()) : q))
    .modify((q) => {
      if (options.students) q.whereIn('e.student_id', options.students);
      if (options.scope) {
        q.leftJoin('notebooks as bn', 'bn.id', 'e.notebook_id');
        options.scope(q, { student: 'e.student_id', time: 'e.occurred_at', notebookPath: 'bn.path' });
      }
      if (options.notebookPath) q.whereIn('e.notebook_id', db('notebooks').select('id').where('path', options.notebookPath));
    })
    .groupBy('e.signature', db.raw('CASE WHEN e.signature IS NULL THEN e.error_message END'), 'e.error_name', 'e.student_id', 'e.notebook_id', 'e.cell_id')
    .select('e.signature', db.raw('CASE WHEN e.signature IS NULL THEN e.error_message END AS raw_message'), 'e.error_name', 'e.student_id', 'e.notebook_id', 'e.cell_id')
    .max({ cell_index: 'e.cell_index', latest_id: 'e.id', latest_at: 'e.occurred_at' })
    .count({ n: '*' })
    .as('g');
  return db
    .from(inner)
    .modify(joinStudents, 's', 'g.student_id')
    .leftJoin('notebooks as n', 'n.id', 'g.notebook_id')
    .leftJoin('cells as c', 'c.id', 'g.cell_id')
    .select('g.signature', 'g.raw_message', 'g.error_name', 'g.cell_index', 'g.n', 'g.latest_id', 'g.latest_at', 's.user_id', 'n.path', 'c.cell_id as cell_key')
    .limit(50_000);
}

/** One run (a cell, an outcome) in a window, with its student's user name and its notebook's path. */
export interface WindowRun {
  user_id: string;
  path: string;
  cell_key: string;
  cell_index: number | string | null;
  status: 'success' | 'error';
  executed_at: string | Date;
}

/** The runs in [from, to) of the students `scope` keeps, oldest first (time, then id): what a meeting's report folds. */
export function runsBetween(db: Knex, window: { from: string; to: string; notebookPath?: string }, scope?: RowScope): Promise<WindowRun[]> {
  return db('cell_executions as x')
    .join('notebooks as n', 'n.id', 'x.notebook_id')
    .join('cells as c', 'c.id', 'x.cell_id')
    .modify(joinStudents, 's', 'x.student_id')
    .whereIn('x.status', ['success', 'error'])
    .where('x.executed_at', '>=', window.from)
    .where('x.executed_at', '<', window.to)
    .modify((q) => (window.notebookPath === undefined ? q : q.where('n.path', window.notebookPath)))
    .modify((q) => scope?.(q, { student: 'x.student_id', time: 'x.executed_at', notebookPath: 'n.path' }))
    .select('s.user_id', 'n.path', 'c.cell_id as cell_key', 'x.cell_index', 'x.status', 'x.executed_at')
    .orderBy([{ column: 'x.executed_at' }, { column: 'x.id' }]);
}

/** Whether any run of `notebookPath` in [from, to) is one `scope` keeps. */
export async function notebookRanBetween(db: Knex, window: { from: string; to: string; notebookPath: string }, scope?: RowScope): Promise<boolean> {
  const row = await db('cell_executions as x')
    .join('notebooks as n', 'n.id', 'x.notebook_id')
    .where('n.path', window.notebookPath)
    .whereIn('x.status', ['success', 'error'])
    .whereNotNull('x.cell_id')
    .where('x.executed_at', '>=', window.from)
    .where('x.executed_at', '<', window.to)
    .modify((q) => scope?.(q, { student: 'x.student_id', time: 'x.executed_at', notebookPath: 'n.path' }))
    .first('x.id');
  return row !== undefined;
}

/** Errors by id (read 500 a query): message, traceback, the student's user name, when. */
export async function errorsById(db: Knex, ids: number[]): Promise<Array<{ id: number | string; error_message: string; traceback: string | null; user_id: string; occurred_at: string | Date }>> {
  const found = [];
  for (let i = 0; i < ids.length; i += 500) {
    found.push(...(await db('error_logs as e').modify(joinStudents, 's', 'e.student_id').whereIn('e.id', ids.slice(i, i + 500)).select('e.id', 'e.error_message', 'e.traceback', 's.user_id', 'e.occurred_at')));
  }
  return found;
}

/**
 * Joins to events (`eventIdColumn`) the run each one recorded as `runs` (cell_executions) and the
 * error as `errors` (error_logs), both left joins: `query.modify(joinRunAndError, 'ev.event_id', 'x', 'el')`.
 */
export function joinRunAndError(query: Knex.QueryBuilder, eventIdColumn: string, runs: string, errors: string): Knex.QueryBuilder {
  return query.leftJoin(`cell_executions as ${runs}`, `${runs}.event_id`, eventIdColumn).leftJoin(`error_logs as ${errors}`, `${errors}.event_id`, eventIdColumn);
}

/** One run of a student's notebook, for the history replay: when, which cell, how it ended, its error. */
export interface NotebookRunRow {
  event_id: string;
  executed_at: string | Date;
  cell_key: string | null;
  status: string;
  code: string | null;
  error_name: string | null;
  error_message: string | null;
}

/** A student's finished runs of one notebook, oldest first (the newest `limit`), as `scope` shows them. */
export async function runsOfStudentNotebook(db: Knex, options: { studentId: number; notebookId: number; scope?: (query: Knex.QueryBuilder, columns: RowColumns) => void; limit: number }): Promise<NotebookRunRow[]> {
  const query = db('cell_executions as ce')
    .join('notebooks as n', 'n.id', 'ce.notebook_id')
    .leftJoin('cells as c', 'c.id', 'ce.cell_id')
    .leftJoin('error_logs as el', 'el.event_id', 'ce.event_id')
    .where('ce.student_id', options.studentId)
    .where('ce.notebook_id', options.notebookId)
    .whereNot('ce.status', 'running')
    .select('ce.event_id', 'ce.executed_at', 'c.cell_id as cell_key', 'ce.status', 'ce.code', 'el.error_name', 'el.error_message')
    .orderBy([{ column: 'ce.executed_at', order: 'desc' }, { column: 'ce.id', order: 'desc' }])
    .limit(options.limit);
  options.scope?.(query, { student: 'ce.student_id', time: 'ce.executed_at', notebookPath: 'n.path' });
  return ((await query) as NotebookRunRow[]).reverse();
}
