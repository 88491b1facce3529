/**
 * The per-cell progress and the error clusters read from the rows the projections keep
 * (cellProgress.ts → `cell_progress`, errorGroups.ts → `error_groups`) instead of from every run and
 * error: the same answers as reads.ts `cellRunSums` and `errorGroups` (merged per cluster), in a time
 * that does not grow with the history; the clusters are summed in the database, one row each. A
 * kept row sums all of a student's runs (errors); where the scope or the window shows only part of
 * them, that student's answer is computed from the raw rows as before:
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
import { isPostgres } from '../db/createDb.ts';
import { joinStudents } from '../students/store.ts';
import { notebookIdOf } from './notebooks.ts';
import { cellRunSums, errorGroups, type CellRunSum, type ErrorGroupRow, type RowScope } from './reads.ts';


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


/**
 * One error cluster — what went wrong (signature), on one notebook cell — as the database sums its
 * kept rows; or, for a student read from her errors, her part of it (`user_ids` of one). A row with
 * signature null was stored before signatures were kept: `raw_message` holds its message, and the
 * caller's masking may merge several such rows into one cluster.
 */
export interface ErrorClusterRow {
  signature: string | null;
  raw_message: string | null;
  error_name: string;
  path: string | null;
  cell_key: string | null;
  cell_index: number | string | null;
  /** Its students' Jupyter user names, each once. */
  user_ids: string[];
  n: number | string;
  /** Its newest error (the latest time, then the highest id). */
  latest_id: number | string;
  latest_at: string | Date;
}

/** A student's group of raw errors as her part of a cluster. */
export const aloneInCluster = ({ user_id, ...group }: ErrorGroupRow): ErrorClusterRow => ({ ...group, user_ids: [user_id] });

/**
 * The errors since `since` (and before `until`, when given: then from the errors themselves) per cluster (see `ErrorClusterRow`), from `error_groups`: one statement
 * sums the kept rows of the students shown whole per signature, notebook and cell; those shown
 * partly are added from their errors (`errorGroups`, a row per student), as are the rows of errors
 * from before signatures: the caller masks and merges them (insights/errorClusters.ts).
 */
export async function errorClusterSums(db: Knex, options: { since: Date; until?: Date; notebookPath?: string; scope?: RowScope }): Promise<ErrorClusterRow[]> {
  const { scope } = options;
  // A window that ends (a past meeting's): its errors are few, and the kept rows (a day each) cannot
  // be cut at `until` — every student's part is read from her errors.
  if (options.until) return (await errorGroups(db, options)).map(aloneInCluster);
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
  const raw = partial.size ? (await errorGroups(db, { ...options, students: [...partial] })).map(aloneInCluster) : [];
  // The kept rows of the others' whole pairs: per notebook, a list of student ids (a list the
  // planner counts right). Without a scope every pair of a student not cut is whole.
  const byNotebook = new Map<number, number[]>();
  for (const r of wholePairs) {
    const [student, notebook] = [Number(r.student_id), Number(r.notebook_id)];
    if (partial.has(student)) continue;
    if (byNotebook.has(notebook)) byNotebook.get(notebook)!.push(student);
    else byNotebook.set(notebook, [student]);
  }
  if (scope && byNotebook.size === 0) return raw;
  const keptOnly = (q: Knex.QueryBuilder) => {
    if (!scope) return void (partial.size ? q.whereNotIn('g.student_id', [...partial]) : q);
    q.where((w) => void [...byNotebook].forEach(([notebook, students]) => w.orWhere((o) => o.where('g.notebook_id', notebook).whereIn('g.student_id', students))));
  };
  // One hash aggregation over the kept rows, no sort (sorting the 12,000 rows cost more than the
  // rest): the students are listed as they come (a student's days are several rows) and counted
  // once here. The newest error is the greatest (time in ms, id): a pair compared as one value.
  // Text is grouped by its bytes on PostgreSQL (equal strings are equal bytes), not by the locale.
  const pg = isPostgres(db);
  const clusterKey = pg ? 'g.signature COLLATE "C" AS signature, g.raw_message COLLATE "C" AS raw_message, g.notebook_id, g.cell_key COLLATE "C" AS cell_key' : 'g.signature, g.raw_message, g.notebook_id, g.cell_key';
  const newest = pg ? `(MAX(ARRAY[FLOOR(date_part('epoch', g.latest_at) * 1000), g.latest_id::float8]))[2]::bigint` : `CAST(substr(MAX(g.latest_at || printf('%020d', g.latest_id)), -20) AS INTEGER)`;
  const perCluster = db('error_groups as g')
    .modify(inWindow)
    .modify(keptOnly)
    .modify(joinStudents, 's', 'g.student_id')
    .select(db.raw(`${clusterKey}, MIN(g.error_name) AS error_name, MAX(g.cell_index) AS cell_index, SUM(g.n) AS n, ${pg ? 'array_agg' : 'json_group_array'}(s.user_id) AS user_ids`))
    .select(db.raw(`MAX(g.latest_at) AS latest_at, ${newest} AS latest_id`))
    .groupByRaw('1, 2, 3, 4')
    .as('c');
  const rows: Array<ErrorClusterRow & { user_ids: string[] | string }> = await db
    .from(perCluster)
    .leftJoin('notebooks as n', 'n.id', 'c.notebook_id')
    .select('c.signature', 'c.raw_message', 'n.path', 'c.cell_key', 'c.error_name', 'c.cell_index', 'c.n', 'c.user_ids', 'c.latest_id', 'c.latest_at');
  const kept = rows.map((r) => ({ ...r, signature: r.signature || null, raw_message: r.signature ? null : r.raw_message, user_ids: [...new Set(typeof r.user_ids === 'string' ? (JSON.parse(r.user_ids) as string[]) : r.user_ids)] }));
  return [...kept, ...raw];
}
