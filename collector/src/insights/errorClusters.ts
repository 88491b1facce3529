/**
 * The class's errors grouped by what went wrong: error name + message with the parts that differ
 * from student to student masked (quoted names and strings, numbers, <…> placeholders, paths),
 * per notebook cell, largest first. "NameError: name '…' is not defined — cell 5 — 14 students".
 */
import type { Knex } from 'knex';
import type { ErrorCluster } from '@cell-monitor/shared';
import { iso } from '../db/rows.ts';
import { withinClasses, type ClassesFor } from '../classes/classBoundary.ts';
import { errorSignature } from '../activity/errorSignature.ts';


/** One student's errors of one kind on one cell (what the database groups). */
export interface ErrorGroup {
  signature: string;
  errorName: string;
  notebookPath: string | null;
  cellId: string | null;
  cellIndex: number | null;
  userId: string;
  count: number;
  /** The newest of them (its id and time), for the cluster's example. */
  latestId: number;
  latestAt: string;
}

export interface ErrorExample {
  message: string;
  traceback: string | null;
  userId: string;
  at: string;
}

const clusterKey = (g: Pick<ErrorGroup, 'signature' | 'notebookPath' | 'cellId'>) => `${g.signature}\u0000${g.notebookPath ?? ''}\u0000${g.cellId ?? ''}`;
const newer = (a: { latestId: number; latestAt: string }, b: { id: number; at: string }) => a.latestAt > b.at || (a.latestAt === b.at && a.latestId > b.id);

/** The id of each cluster's newest error (its example). */
export function newestErrorIds(groups: ErrorGroup[]): number[] {
  const newest = new Map<string, { id: number; at: string }>();
  for (const g of groups) {
    const seen = newest.get(clusterKey(g));
    if (!seen || newer(g, seen)) newest.set(clusterKey(g), { id: g.latestId, at: g.latestAt });
  }
  return [...newest.values()].map((n) => n.id);
}

/** Merges the groups into clusters by signature + notebook + cell, most students first; the example is the newest error. */
export function clusterErrors(groups: ErrorGroup[], examples: Map<number, ErrorExample>): ErrorCluster[] {
  const clusters = new Map<string, { cluster: ErrorCluster; users: Set<string>; latest: { id: number; at: string } }>();
  for (const g of groups) {
    const key = clusterKey(g);
    let entry = clusters.get(key);
    if (!entry) {
      entry = {
        cluster: { signature: g.signature, errorName: g.errorName, notebookPath: g.notebookPath, cellId: g.cellId, cellIndex: g.cellIndex, students: 0, occurrences: 0, userIds: [], example: { message: '', traceback: null, userId: g.userId, at: g.latestAt } },
        users: new Set(),
        latest: { id: g.latestId, at: g.latestAt },
      };
      clusters.set(key, entry);
    }
    entry.cluster.occurrences += g.count;
    entry.users.add(g.userId);
    if (g.cellIndex !== null) entry.cluster.cellIndex = g.cellIndex;
    if (newer(g, entry.latest)) entry.latest = { id: g.latestId, at: g.latestAt };
  }
  return [...clusters.values()]
    .map(({ cluster, users, latest }) => ({
      ...cluster,
      students: users.size,
      userIds: [...users].sort(),
      example: examples.get(latest.id) ?? { ...cluster.example, at: latest.at },
    }))
    .sort(
      (a, b) =>
        b.students - a.students ||
        b.occurrences - a.occurrences ||
        a.signature.localeCompare(b.signature) ||
        (a.notebookPath ?? '').localeCompare(b.notebookPath ?? '') ||
        (a.cellIndex ?? Infinity) - (b.cellIndex ?? Infinity) ||
        (a.cellId ?? '').localeCompare(b.cellId ?? ''),
    );
}

/**
 * The class's errors since `since`, grouped in the database by signature, notebook, cell and student
 * (errors stored before signatures were kept are grouped by their message and masked here), then
 * merged into clusters with the newest error of each as its example.
 */
export async function loadErrorClusters(db: Knex, options: { since: Date; reach: ClassesFor | null; notebookPath?: string }): Promise<ErrorCluster[]> {
  // Grouped on the bare error rows (ids, not names); names are joined to the groups afterwards.
  // Only the errors `reach` shows (lms/classBoundary.ts; null: all, for an admin).
  const inner = db('error_logs as e')
    .where('e.occurred_at', '>=', options.since.toISOString())
    .modify((q) => {
      const { reach } = options;
      if (reach) q.leftJoin('notebooks as bn', 'bn.id', 'e.notebook_id').where(withinClasses(db, reach, { student: 'e.student_id', time: 'e.occurred_at', notebookPath: 'bn.path' }));
      if (options.notebookPath) q.whereIn('e.notebook_id', db('notebooks').select('id').where('path', options.notebookPath));
    })
    .groupBy('e.signature', db.raw('CASE WHEN e.signature IS NULL THEN e.error_message END'), 'e.error_name', 'e.student_id', 'e.notebook_id', 'e.cell_id')
    .select('e.signature', db.raw('CASE WHEN e.signature IS NULL THEN e.error_message END AS raw_message'), 'e.error_name', 'e.student_id', 'e.notebook_id', 'e.cell_id')
    .max({ cell_index: 'e.cell_index', latest_id: 'e.id', latest_at: 'e.occurred_at' })
    .count({ n: '*' })
    .as('g');
  const rows: Array<{ signature: string | null; raw_message: string | null; error_name: string; path: string | null; cell_key: string | null; cell_index: number | null; user_id: string; n: number | string; latest_id: number | string; latest_at: string | Date }> = await db
    .from(inner)
    .join('students as s', 's.id', 'g.student_id')
    .leftJoin('notebooks as n', 'n.id', 'g.notebook_id')
    .leftJoin('cells as c', 'c.id', 'g.cell_id')
    .select('g.signature', 'g.raw_message', 'g.error_name', 'g.cell_index', 'g.n', 'g.latest_id', 'g.latest_at', 's.user_id', 'n.path', 'c.cell_id as cell_key')
    .limit(50_000);
  const groups: ErrorGroup[] = rows.map((r) => ({
    signature: r.signature ?? errorSignature(r.error_name, r.raw_message ?? ''),
    errorName: r.error_name,
    notebookPath: r.path,
    cellId: r.cell_key,
    cellIndex: r.cell_index === null ? null : Number(r.cell_index),
    userId: r.user_id,
    count: Number(r.n),
    latestId: Number(r.latest_id),
    latestAt: iso(r.latest_at)!,
  }));
  const examples = new Map<number, ErrorExample>();
  const ids = newestErrorIds(groups);
  for (let i = 0; i < ids.length; i += 500) {
    const found: Array<{ id: number | string; error_message: string; traceback: string | null; user_id: string; occurred_at: string | Date }> = await db('error_logs as e')
      .join('students as s', 's.id', 'e.student_id')
      .whereIn('e.id', ids.slice(i, i + 500))
      .select('e.id', 'e.error_message', 'e.traceback', 's.user_id', 'e.occurred_at');
    for (const r of found) examples.set(Number(r.id), { message: r.error_message ?? '', traceback: r.traceback, userId: r.user_id, at: iso(r.occurred_at)! });
  }
  return clusterErrors(groups, examples);
}
