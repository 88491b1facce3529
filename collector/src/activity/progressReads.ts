/**
 * The per-cell progress and the error groups read from the rows the projections keep
 * (cellProgress.ts → `cell_progress`, errorGroups.ts → `error_groups`) instead of from every run and
 * error: the same answers as reads.ts `cellRunSums` and `errorGroups`, in a time that does not grow
 * with the history. A kept row sums all of a student's runs (errors); where the scope or the window
 * shows only part of them, that student's answer is computed from the raw rows as before:
 *
 * | read     | a student's kept rows are used when …                                   | else (raw, just her)   |
 * |----------|--------------------------------------------------------------------------|------------------------|
 * | progress | the scope shows her first run in the notebook (so it shows every run)     | `cellRunSums`          |
 * | clusters | each group of hers that ends at or after `since` starts at or after it, and the scope shows its first error | `errorGroups` |
 *
 * Only a student enrolled after her first runs (or a window starting in the middle of her day's
 * errors on a cell) takes the second path; the dashboard's default window starts at midnight UTC…
 * the day bucket's own boundary.
 */
import type { Knex } from 'knex';
import { joinStudents } from '../students/store.ts';
import { cellRunSums, errorGroups, type CellRunSum, type ErrorGroupRow, type RowScope } from './reads.ts';

const notebookIdOf = async (db: Knex, path: string): Promise<number | undefined> => (await db('notebooks').where({ path }).first('id'))?.id;

/** Per student and cell of one notebook (as `cellRunSums`), from `cell_progress`. */
export async function cellProgressSums(db: Knex, notebookPath: string, options: { maxGapSeconds: number; scope?: RowScope }): Promise<CellRunSum[]> {
  const { scope } = options;
  const notebookId = await notebookIdOf(db, notebookPath);
  if (notebookId === undefined) return [];
  const perStudent = () =>
    db('cell_progress as p').where('p.notebook_id', notebookId).groupBy('p.student_id').select('p.student_id').min({ first_at: 'p.first_run_at' }).max({ last_at: 'p.last_run_at' }).as('ps');
  // The students the scope shows from their first run on: all of their runs.
  const whole = db.from(perStudent()).modify((q) => scope?.(q, { student: 'ps.student_id', time: 'ps.first_at' })).select('ps.student_id');
  const kept: CellRunSum[] = await db('cell_progress as p')
    .where('p.notebook_id', notebookId)
    .modify((q) => (scope ? q.whereIn('p.student_id', whole) : q))
    .modify(joinStudents, 's', 'p.student_id')
    .join('cells as c', 'c.id', 'p.cell_id')
    .select('s.user_id', 'c.cell_id as cell_key', 'p.cell_index', 'p.attempts as runs', 'p.first_success_attempt as first_success', 'p.seconds', 'p.last_run_at as last_at');
  if (!scope) return kept;
  // The students it shows only the later runs of (enrolled after they began): from their runs.
  const partial: number[] = (await db.from(perStudent()).modify((q) => scope(q, { student: 'ps.student_id', time: 'ps.last_at' })).whereNotIn('ps.student_id', whole).select('ps.student_id')).map(
    (r: { student_id: number | string }) => Number(r.student_id),
  );
  return partial.length ? [...kept, ...(await cellRunSums(db, notebookPath, { ...options, students: partial }))] : kept;
}

/** The error groups since `since` (as `errorGroups`), from `error_groups`. */
export async function errorGroupSums(db: Knex, options: { since: Date; notebookPath?: string; scope?: RowScope }): Promise<ErrorGroupRow[]> {
  const { scope } = options;
  const notebookId = options.notebookPath === undefined ? undefined : await notebookIdOf(db, options.notebookPath);
  if (options.notebookPath !== undefined && notebookId === undefined) return [];
  const since = options.since.toISOString();
  const groups = (time: 'first_at' | 'latest_at') =>
    db('error_groups as g')
      .where('g.day', '>=', since.slice(0, 10))
      .where(`g.${time}`, '>=', since)
      .modify((q) => {
        if (notebookId !== undefined) q.where('g.notebook_id', notebookId);
        if (!scope) return;
        q.leftJoin('notebooks as bn', 'bn.id', 'g.notebook_id');
        scope(q, { student: 'g.student_id', time: `g.${time}`, notebookPath: 'bn.path' });
      });
  // Students with a group the window or the scope cuts in two: from their errors.
  const partial: number[] = (await groups('latest_at').whereNotIn('g.id', groups('first_at').select('g.id')).distinct('g.student_id')).map((r: { student_id: number | string }) => Number(r.student_id));
  const inner = groups('first_at')
    .modify((q) => (partial.length ? q.whereNotIn('g.student_id', partial) : q))
    .groupBy('g.signature', 'g.raw_message', 'g.error_name', 'g.student_id', 'g.notebook_id', 'g.cell_id')
    .select('g.signature', 'g.raw_message', 'g.error_name', 'g.student_id', 'g.notebook_id', 'g.cell_id')
    .sum({ n: 'g.n' })
    .max({ cell_index: 'g.cell_index', latest_id: 'g.latest_id', latest_at: 'g.latest_at' })
    .as('gg');
  const kept: ErrorGroupRow[] = (
    await db
      .from(inner)
      .modify(joinStudents, 's', 'gg.student_id')
      .leftJoin('notebooks as n', 'n.id', 'gg.notebook_id')
      .leftJoin('cells as c', 'c.id', 'gg.cell_id')
      .select('gg.signature', 'gg.raw_message', 'gg.error_name', 'gg.cell_index', 'gg.n', 'gg.latest_id', 'gg.latest_at', 's.user_id', 'n.path', 'c.cell_id as cell_key')
      .limit(50_000)
  ).map((r: ErrorGroupRow) => ({ ...r, signature: r.signature || null, raw_message: r.signature ? null : r.raw_message }));
  return partial.length ? [...kept, ...(await errorGroups(db, { ...options, students: partial }))] : kept;
}
