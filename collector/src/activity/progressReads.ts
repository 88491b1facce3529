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
 * | clusters | on each notebook, her groups that end at or after `since` all start at or after it, and the scope shows the first of their errors | `errorGroups` |
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
    .select('s.user_id', 'p.cell_key', 'p.cell_index', 'p.attempts as runs', 'p.first_success_attempt as first_success', 'p.seconds', 'p.last_run_at as last_at');
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
  const inWindow = (q: Knex.QueryBuilder) => q.where('g.day', '>=', since.slice(0, 10)).where('g.latest_at', '>=', since).modify((w) => (notebookId === undefined ? w : w.where('g.notebook_id', notebookId)));
  // The scope is tested per student and notebook (a few hundred pairs), not per group: at the
  // pair's first error (then it shows all of them) and at its last (then it shows some).
  const pairs = () =>
    db('error_groups as g')
      .modify(inWindow)
      .groupBy('g.student_id', 'g.notebook_id')
      .select('g.student_id', 'g.notebook_id', db.raw('MAX(CASE WHEN g.first_at < ? THEN 1 ELSE 0 END) AS cut', [since]))
      .min({ first_at: 'g.first_at' })
      .max({ last_at: 'g.latest_at' })
      .as('pp');
  const scoped = (time: 'first_at' | 'last_at') =>
    db.from(pairs()).modify((q) => {
      if (!scope) return;
      q.leftJoin('notebooks as bn', 'bn.id', 'pp.notebook_id');
      scope(q, { student: 'pp.student_id', time: `pp.${time}`, notebookPath: 'bn.path' });
    });
  type Pair = { student_id: number | string; notebook_id: number | string };
  const key = (r: Pair) => `${r.student_id}:${r.notebook_id}`;
  const wholePairs: Pair[] = await scoped('first_at').where('pp.cut', 0).select('pp.student_id', 'pp.notebook_id');
  const whole = new Set(wholePairs.map(key));
  // Students with a pair the window or the scope cuts in two: from their errors.
  const cut: Pair[] = (await scoped('last_at').select('pp.student_id', 'pp.notebook_id')).filter((r: Pair) => !whole.has(key(r)));
  const partial = new Set(cut.map((r) => Number(r.student_id)));
  // The groups of the whole pairs: by student id (a list the planner counts right), then by pair here.
  const students = scope ? [...new Set(wholePairs.map((r) => Number(r.student_id)))].filter((id) => !partial.has(id)) : undefined;
  if (students?.length === 0) return partial.size ? errorGroups(db, { ...options, students: [...partial] }) : [];
  type Kept = ErrorGroupRow & Pair & { cell_id: number };
  const rows: Kept[] = await db('error_groups as g')
    .modify(inWindow)
    .modify((q) => void (students ? q.whereIn('g.student_id', students) : partial.size ? q.whereNotIn('g.student_id', [...partial]) : q))
    .modify(joinStudents, 's', 'g.student_id')
    .leftJoin('notebooks as n', 'n.id', 'g.notebook_id')
    .select('g.signature', 'g.raw_message', 'g.error_name', 'g.cell_index', 'g.n', 'g.latest_id', 'g.latest_at', 's.user_id', 'n.path', 'g.cell_key', 'g.student_id', 'g.notebook_id', 'g.cell_id');
  // A group's days merged here (most groups have one): counts added, the extremes kept.
  const merged = new Map<string, ErrorGroupRow>();
  for (const r of rows) {
    if (scope && !whole.has(key(r))) continue;
    const id = `${key(r)}:${r.cell_id}\u0000${r.error_name}\u0000${r.signature}\u0000${r.raw_message}`;
    const seen = merged.get(id);
    if (!seen) {
      merged.set(id, { signature: r.signature || null, raw_message: r.signature ? null : r.raw_message, error_name: r.error_name, path: r.path, cell_key: r.cell_key, cell_index: r.cell_index, user_id: r.user_id, n: Number(r.n), latest_id: r.latest_id, latest_at: r.latest_at });
      continue;
    }
    seen.n = Number(seen.n) + Number(r.n);
    if (Number(r.latest_id) > Number(seen.latest_id)) seen.latest_id = r.latest_id;
    if (new Date(r.latest_at) > new Date(seen.latest_at)) seen.latest_at = r.latest_at;
    if (r.cell_index !== null && (seen.cell_index === null || Number(r.cell_index) > Number(seen.cell_index))) seen.cell_index = r.cell_index;
  }
  const kept = [...merged.values()].slice(0, 50_000);
  return partial.size ? [...kept, ...(await errorGroups(db, { ...options, students: [...partial] }))] : kept;
}
