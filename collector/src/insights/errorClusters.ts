/**
 * The class's errors grouped by what went wrong: error name + message with the parts that differ
 * from student to student masked (quoted names and strings, numbers, <…> placeholders, paths),
 * per notebook cell, largest first. "NameError: name '…' is not defined — cell 5 — 14 students".
 */
import type { Knex } from 'knex';
import type { ErrorCluster } from '@cell-monitor/shared';
import { iso } from '../db/rows.ts';
import type { ClassesFor } from '../classes/classBoundary.ts';
import { studentRowsIn } from '../classes/rowScopes.ts';
import { errorsById } from '../activity/reads.ts';
import { errorClusterSums, type ErrorClusterRow } from '../activity/progressReads.ts';
import { errorSignature } from '../activity/errorSignature.ts';

/** Errors of one kind on one cell, of one or more students (what the database sums: a cluster, or a part of one). */
export interface ErrorGroup {
  signature: string;
  errorName: string;
  notebookPath: string | null;
  cellId: string | null;
  cellIndex: number | null;
  /** Each once. */
  userIds: string[];
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
        cluster: { signature: g.signature, errorName: g.errorName, notebookPath: g.notebookPath, cellId: g.cellId, cellIndex: g.cellIndex, students: 0, occurrences: 0, userIds: [], example: { message: '', traceback: null, userId: g.userIds[0] ?? '', at: g.latestAt } },
        users: new Set(),
        latest: { id: g.latestId, at: g.latestAt },
      };
      clusters.set(key, entry);
    }
    entry.cluster.occurrences += g.count;
    for (const user of g.userIds) entry.users.add(user);
    // The highest position (a cell moved: its students may have seen it at different places).
    if (g.cellIndex !== null && (entry.cluster.cellIndex === null || g.cellIndex > entry.cluster.cellIndex)) entry.cluster.cellIndex = g.cellIndex;
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

/** The database's rows as groups (errors stored before signatures were kept: their message masked here). */
export function errorGroupsOf(rows: ErrorClusterRow[]): ErrorGroup[] {
  return rows.map((r) => ({
    signature: r.signature ?? errorSignature(r.error_name, r.raw_message ?? ''),
    errorName: r.error_name,
    notebookPath: r.path,
    cellId: r.cell_key,
    cellIndex: r.cell_index === null ? null : Number(r.cell_index),
    userIds: r.user_ids,
    count: Number(r.n),
    latestId: Number(r.latest_id),
    latestAt: iso(r.latest_at)!,
  }));
}

/**
 * The class's errors since `since` (before `until` when given: a past meeting's), summed in the database per cluster (signature, notebook, cell;
 * errors stored before signatures were kept per message, masked and merged here, as are the students
 * the class shows only partly), with the newest error of each as its example.
 */
export async function loadErrorClusters(db: Knex, options: { since: Date; until?: Date; reach: ClassesFor | null; notebookPath?: string }): Promise<ErrorCluster[]> {
  // Only the errors `reach` shows (classes/classBoundary.ts; null: all, for an admin).
  // Kept per student, cell, signature and day as errors are persisted (activity/errorGroups.ts).
  const groups = errorGroupsOf(await errorClusterSums(db, { since: options.since, until: options.until, notebookPath: options.notebookPath, scope: studentRowsIn(db, options.reach) }));
  const examples = new Map<number, ErrorExample>();
  for (const r of await errorsById(db, newestErrorIds(groups))) examples.set(Number(r.id), { message: r.error_message ?? '', traceback: r.traceback, userId: r.user_id, at: iso(r.occurred_at)! });
  return clusterErrors(groups, examples);
}
