/**
 * History as the API answers it (shared/src/notebookHistory.ts): versions with their branch, author
 * and labels; a student's notebooks with versions; a notebook's page of versions; one version with
 * its cells. Every read takes a `scope`: what an instructor's classes show (classes/rowScopes.ts
 * studentRowsIn — from her enrolment on, the class's notebooks), or undefined (an admin, or the
 * student herself, whose reads are narrowed to her own id by the caller). Both engines.
 */
import type { Knex } from 'knex';
import type { HistoryCommit, HistoryStats, HistoryVersion, HistoryVersionDetail, VersionTrigger } from '@cell-monitor/shared';
import { notebookIdOf, notebookPathSql } from '../activity/notebooks.ts';
import type { StudentRowScope } from '../classes/rowScopes.ts';
import { bool, iso, page } from '../db/rows.ts';
import { leftJoinInstructors } from '../instructors/store.ts';
import { storageOfVersions, versionDetail, type VersionColumns } from './reads.ts';

interface VersionRow extends VersionColumns {
  student_id: number | string;
  path: string;
}

const COLUMNS = ['v.id', 'v.student_id', 'v.notebook_id', 'v.trigger', 'v.saved_at', 'v.cell_count', 'v.truncated', 'v.total_cells', 'v.total_bytes', 'v.path'];

/** The versions an instructor's scope shows (or all), as `v`, with the notebook path as `v.path`. */
export function scopedVersions(db: Knex, scope: StudentRowScope | undefined): Knex.QueryBuilder {
  const withPath = db('history_versions as hv').select('hv.*', db.raw(`${notebookPathSql('hv.notebook_id')} AS path`));
  const query = db.from(withPath.as('v')).select(...COLUMNS);
  scope?.(query, { student: 'v.student_id', time: 'v.saved_at', notebookPath: 'v.path' });
  return query;
}

/** Branch, author and labels of these versions, as the API shows them. */
async function decorate(db: Knex, rows: VersionRow[]): Promise<HistoryVersion[]> {
  const ids = rows.map((r) => Number(r.id));
  if (ids.length === 0) return [];
  const onBranch: Array<{ version_id: number | string; branch_id: number | string; name: string; author: string | null }> = await db('history_branch_versions as bv')
    .join('history_branches as b', 'b.id', 'bv.branch_id')
    .modify(leftJoinInstructors, 'i', 'bv.author_id')
    .whereIn('bv.version_id', ids)
    .select('bv.version_id', 'bv.branch_id', 'b.name', 'i.name as author');
  const labels = await commitsOf(db, ids);
  const branchOf = new Map(onBranch.map((b) => [Number(b.version_id), b]));
  return rows.map((r) => {
    const b = branchOf.get(Number(r.id));
    return {
      id: Number(r.id),
      student_id: Number(r.student_id),
      notebook_path: r.path,
      saved_at: iso(r.saved_at)!,
      trigger: r.trigger as VersionTrigger,
      branch_id: b ? Number(b.branch_id) : null,
      branch: b?.name ?? null,
      author: b ? (b.author ?? 'an instructor') : null,
      cell_count: Number(r.cell_count),
      total_cells: Number(r.total_cells),
      total_bytes: Number(r.total_bytes),
      truncated: bool(r.truncated),
      commits: labels.filter((c) => c.version_id === Number(r.id)),
    };
  });
}

/** The labels of these versions, oldest first. */
export async function commitsOf(db: Knex, versionIds: number[]): Promise<HistoryCommit[]> {
  if (versionIds.length === 0) return [];
  const rows: Array<{ id: number | string; version_id: number | string; message: string; kind: string; made_by: string | null; created_at: string | Date }> = await db('history_commits as hc')
    .modify(leftJoinInstructors, 'i', 'hc.made_by')
    .whereIn('hc.version_id', versionIds)
    .orderBy([{ column: 'hc.created_at' }, { column: 'hc.id' }])
    .select('hc.id', 'hc.version_id', 'hc.message', 'hc.kind', 'i.name as made_by', 'hc.created_at');
  return rows.map((c) => ({ id: Number(c.id), version_id: Number(c.version_id), message: c.message, kind: c.kind as HistoryCommit['kind'], made_by: c.made_by ?? null, created_at: iso(c.created_at)! }));
}

/** One version as the scope shows it (undefined: none, or not shown). */
export async function visibleVersion(db: Knex, id: number, scope: StudentRowScope | undefined): Promise<HistoryVersion | undefined> {
  const rows: VersionRow[] = await scopedVersions(db, scope).where('v.id', id);
  return (await decorate(db, rows))[0];
}

/** One version with its cells, as the scope shows it. */
export async function visibleDetail(db: Knex, id: number, scope: StudentRowScope | undefined): Promise<HistoryVersionDetail | undefined> {
  const version = await visibleVersion(db, id, scope);
  if (!version) return undefined;
  const detail = (await versionDetail(db, id))!;
  return { ...version, cells: detail.cells.map((c) => ({ position: c.position, cell_id: c.cellId, cell_type: c.cellType, source: c.source, outputs: c.outputs })) };
}

/** A student's versions of a notebook (a branch's only, when given), newest first, paginated. */
export async function historyOf(
  db: Knex,
  of: { studentId: number; notebookPath: string; branchId?: number },
  scope: StudentRowScope | undefined,
  paging: { skip: number; limit: number },
): Promise<{ items: HistoryVersion[]; total: number }> {
  const notebookId = await notebookIdOf(db, of.notebookPath);
  if (notebookId === undefined) return { items: [], total: 0 };
  const query = scopedVersions(db, scope).where('v.student_id', of.studentId).where('v.notebook_id', notebookId);
  if (of.branchId !== undefined) query.whereIn('v.id', db('history_branch_versions').where({ branch_id: of.branchId }).select('version_id'));
  const { items, total } = await page<VersionRow>(query, paging, [{ column: 'v.saved_at', order: 'desc' }, { column: 'v.id', order: 'desc' }]);
  return { items: await decorate(db, items), total };
}

/** A student's versions of a notebook, oldest first (the replay; the newest `limit`). */
export async function allVersionsOf(db: Knex, of: { studentId: number; notebookPath: string }, scope: StudentRowScope | undefined, limit: number): Promise<HistoryVersion[]> {
  const notebookId = await notebookIdOf(db, of.notebookPath);
  if (notebookId === undefined) return [];
  const rows: VersionRow[] = await scopedVersions(db, scope).where('v.student_id', of.studentId).where('v.notebook_id', notebookId).orderBy([{ column: 'v.saved_at', order: 'desc' }, { column: 'v.id', order: 'desc' }]).limit(limit);
  return decorate(db, rows.reverse());
}

/** A student's notebooks with versions in the scope: how many and the newest, most recent first. */
export async function notebooksWithVersions(db: Knex, studentId: number, scope: StudentRowScope | undefined): Promise<Array<{ notebook_path: string; versions: number; last_saved_at: string }>> {
  const inner = scopedVersions(db, scope).where('v.student_id', studentId);
  const rows: Array<{ path: string; n: number | string; last: string | Date }> = await db
    .from(inner.as('sv'))
    .groupBy('sv.path')
    .select('sv.path', db.raw('COUNT(*) AS n'), db.raw('MAX(sv.saved_at) AS last'))
    .orderBy('last', 'desc');
  return rows.map((r) => ({ notebook_path: r.path, versions: Number(r.n), last_saved_at: iso(r.last)! }));
}

/** The seed's stats over the versions the scope shows (narrowed to a student and/or a notebook). */
export async function historyStats(db: Knex, scope: StudentRowScope | undefined, filter: { studentId?: number; notebookPath?: string }): Promise<HistoryStats> {
  const ids = scopedVersions(db, scope).clearSelect().select('v.id');
  if (filter.studentId !== undefined) ids.where('v.student_id', filter.studentId);
  if (filter.notebookPath !== undefined) ids.where('v.path', filter.notebookPath);
  const storage = await storageOfVersions(db, ids);
  const [{ n: commits }] = await db('history_commits').whereIn('version_id', ids.clone()).count({ n: '*' });
  const [{ n: branches }] = await db('history_branches').whereIn('from_version_id', ids.clone()).count({ n: '*' });
  return {
    total_snapshots: storage.versions,
    total_commits: Number(commits),
    active_branches: Number(branches),
    cells: storage.cells,
    blobs: storage.blobs,
    stored_bytes: storage.storedBytes,
    referenced_bytes: storage.referencedBytes,
    dedup_ratio: Math.round(storage.dedupRatio * 100) / 100,
  };
}
