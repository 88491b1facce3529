/**
 * The class's errors grouped by what went wrong: error name + message with the parts that differ
 * from student to student masked (quoted names and strings, numbers, <…> placeholders, paths),
 * per notebook cell, largest first. "NameError: name '…' is not defined — cell 5 — 14 students".
 */
import type { Knex } from 'knex';
import type { ErrorCluster } from '@cell-monitor/shared';
import { iso } from '../db/rows.ts';

const MASK = '…';
const MAX_SIGNATURE_CHARS = 200;

/** The message's first line with its literals and identifiers masked. */
export function errorSignature(name: string, message: string): string {
  const first = (message.split('\n').find((line) => line.trim() !== '') ?? '').trim();
  const masked = first
    .replace(/'(?:[^'\\]|\\.)*'/g, `'${MASK}'`)
    .replace(/"(?:[^"\\]|\\.)*"/g, `"${MASK}"`)
    .replace(/<[^<>]*>/g, `<${MASK}>`)
    .replace(/(?:^|(?<=[\s(=:]))(?:\/|[A-Za-z]:\\)[^\s,)'"]+/g, MASK)
    .replace(/\b0x[0-9a-fA-F]+\b/g, MASK)
    .replace(/(?<![A-Za-z_])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/g, MASK);
  const signature = masked ? `${name}: ${masked}` : name;
  return signature.length > MAX_SIGNATURE_CHARS ? `${signature.slice(0, MAX_SIGNATURE_CHARS - 1)}…` : signature;
}

export interface ErrorOccurrence {
  userId: string;
  errorName: string;
  message: string;
  traceback: string | null;
  notebookPath: string | null;
  cellId: string | null;
  cellIndex: number | null;
  at: string;
}

/** Groups occurrences by signature + notebook + cell, largest (most students) first. */
export function clusterErrors(occurrences: ErrorOccurrence[]): ErrorCluster[] {
  const clusters = new Map<string, ErrorCluster & { users: Set<string> }>();
  for (const o of occurrences) {
    const signature = errorSignature(o.errorName, o.message);
    const key = `${signature}\u0000${o.notebookPath ?? ''}\u0000${o.cellId ?? ''}`;
    let cluster = clusters.get(key);
    if (!cluster) {
      cluster = {
        signature,
        errorName: o.errorName,
        notebookPath: o.notebookPath,
        cellId: o.cellId,
        cellIndex: o.cellIndex,
        students: 0,
        occurrences: 0,
        userIds: [],
        example: { message: o.message, traceback: o.traceback, userId: o.userId, at: o.at },
        users: new Set(),
      };
      clusters.set(key, cluster);
    }
    cluster.occurrences += 1;
    cluster.users.add(o.userId);
    if (o.cellIndex !== null) cluster.cellIndex = o.cellIndex;
    // The latest occurrence is the example: it is what the class sees now.
    if (o.at >= cluster.example.at) cluster.example = { message: o.message, traceback: o.traceback, userId: o.userId, at: o.at };
  }
  return [...clusters.values()]
    .map(({ users, ...cluster }) => ({ ...cluster, students: users.size, userIds: [...users].sort() }))
    .sort((a, b) => b.students - a.students || b.occurrences - a.occurrences || a.signature.localeCompare(b.signature));
}

/** Errors of the given students (all when undefined) since `since`, optionally of one notebook. */
export async function loadErrorOccurrences(db: Knex, options: { since: Date; userIds?: string[]; notebookPath?: string }): Promise<ErrorOccurrence[]> {
  const rows: Array<{
    user_id: string;
    error_name: string;
    error_message: string;
    traceback: string | null;
    path: string | null;
    cell_key: string | null;
    cell_index: number | null;
    occurred_at: string | Date;
  }> = await db('error_logs as e')
    .join('students as s', 's.id', 'e.student_id')
    .leftJoin('notebooks as n', 'n.id', 'e.notebook_id')
    .leftJoin('cells as c', 'c.id', 'e.cell_id')
    .leftJoin('cell_executions as x', 'x.event_id', 'e.event_id')
    .where('e.occurred_at', '>=', options.since.toISOString())
    .modify((q) => {
      if (options.userIds) q.whereIn('s.user_id', options.userIds);
      if (options.notebookPath) q.where('n.path', options.notebookPath);
    })
    .orderBy('e.occurred_at')
    .limit(50_000)
    .select('s.user_id', 'e.error_name', 'e.error_message', 'e.traceback', 'n.path', 'c.cell_id as cell_key', 'x.cell_index', 'e.occurred_at');
  return rows.map((r) => ({
    userId: r.user_id,
    errorName: r.error_name,
    message: r.error_message ?? '',
    traceback: r.traceback,
    notebookPath: r.path,
    cellId: r.cell_key,
    cellIndex: r.cell_index,
    at: iso(r.occurred_at)!,
  }));
}
