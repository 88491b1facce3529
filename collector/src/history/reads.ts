/**
 * What history answers (the next slice's routes call these, under the class scope): a student's
 * versions of a notebook, newest first and paginated; one version with its cells resolved; the
 * storage stats — versions, blobs, the bytes stored against the bytes the snapshots refer to (the
 * dedup ratio). Both engines.
 */
import type { Knex } from 'knex';
import { notebookIdOf, notebookPathOf } from '../activity/notebooks.ts';
import { bool, iso, page } from '../db/rows.ts';

export interface VersionSummary {
  id: number;
  eventId: string;
  trigger: string;
  savedAt: string;
  cellCount: number;
  truncated: boolean;
  totalCells: number;
  totalBytes: number;
}

export interface VersionCell {
  position: number;
  cellId: string | null;
  cellType: string;
  source: string;
  /** The nbformat outputs as JSON text (or a truncated preview object's); null: none captured. */
  outputs: string | null;
  sourceHash: string;
  outputHash: string | null;
}

export interface VersionDetail extends VersionSummary {
  studentId: number;
  notebookPath: string;
  cells: VersionCell[];
}

export interface StorageStats {
  versions: number;
  /** Cell entries over all versions. */
  cells: number;
  /** Distinct blobs the versions refer to, and their bytes (each once). */
  blobs: number;
  storedBytes: number;
  /** Bytes the versions refer to, counted per version cell (what storing every snapshot whole would take). */
  referencedBytes: number;
  /** referencedBytes / storedBytes (1: nothing shared; 0 when nothing is stored). */
  dedupRatio: number;
}

/** A history_versions row's columns both readers use (versions.ts adds the student and path). */
export interface VersionColumns {
  id: number | string;
  trigger: string;
  saved_at: string | Date;
  cell_count: number | string;
  truncated: unknown;
  total_cells: number | string;
  total_bytes: number | string;
}

interface VersionRow extends VersionColumns {
  event_id: string;
}

const summary = (r: VersionRow): VersionSummary => ({
  id: Number(r.id),
  eventId: r.event_id,
  trigger: r.trigger,
  savedAt: iso(r.saved_at)!,
  cellCount: Number(r.cell_count),
  truncated: bool(r.truncated),
  totalCells: Number(r.total_cells),
  totalBytes: Number(r.total_bytes),
});

/** The student's versions of the notebook, newest first (then by id); `total` without paging. */
export async function versionsOf(db: Knex, of: { studentId: number; notebookPath: string }, paging: { skip: number; limit: number }): Promise<{ items: VersionSummary[]; total: number }> {
  const notebookId = await notebookIdOf(db, of.notebookPath);
  if (notebookId === undefined) return { items: [], total: 0 };
  const q = db('history_versions').where({ student_id: of.studentId, notebook_id: notebookId }).select('id', 'event_id', 'trigger', 'saved_at', 'cell_count', 'truncated', 'total_cells', 'total_bytes');
  const { items, total } = await page<VersionRow>(q, paging, [{ column: 'saved_at', order: 'desc' }, { column: 'id', order: 'desc' }]);
  return { items: items.map(summary), total };
}

/** One version with its cells in order, their sources and outputs read from the blobs; undefined when there is none. */
export async function versionDetail(db: Knex, versionId: number): Promise<VersionDetail | undefined> {
  const version: (VersionRow & { student_id: number; notebook_id: number }) | undefined = await db('history_versions').where({ id: versionId }).first();
  if (!version) return undefined;
  const cells = await db('history_version_cells as c')
    .join('history_blobs as s', 's.hash', 'c.source_hash')
    .leftJoin('history_blobs as o', 'o.hash', 'c.output_hash')
    .where('c.version_id', versionId)
    .orderBy('c.position')
    .select('c.position', 'c.cell_id', 'c.cell_type', 'c.source_hash', 'c.output_hash', 's.content as source', 'o.content as outputs');
  return {
    ...summary(version),
    studentId: Number(version.student_id),
    notebookPath: (await notebookPathOf(db, Number(version.notebook_id))) ?? '',
    cells: cells.map((c) => ({
      position: Number(c.position),
      cellId: c.cell_id,
      cellType: c.cell_type,
      source: c.source,
      outputs: c.outputs ?? null,
      sourceHash: c.source_hash,
      outputHash: c.output_hash ?? null,
    })),
  };
}

/**
 * Storage of the versions in scope (a student's, a notebook's, both, or all): how many, and the
 * bytes their blobs take once against the bytes their cells refer to.
 */
export async function storageStats(db: Knex, scope: { studentId?: number; notebookPath?: string } = {}): Promise<StorageStats> {
  const notebookId = scope.notebookPath === undefined ? undefined : await notebookIdOf(db, scope.notebookPath);
  if (scope.notebookPath !== undefined && notebookId === undefined) return storageOfVersions(db, db('history_versions').whereRaw('1 = 0').select('id'));
  const versions = db('history_versions as v').select('v.id')
    .modify((q) => void (scope.studentId !== undefined && q.where('v.student_id', scope.studentId)))
    .modify((q) => void (notebookId !== undefined && q.where('v.notebook_id', notebookId)));
  return storageOfVersions(db, versions);
}

/** The storage of the versions whose ids `versions` selects (a one-column subquery). */
export async function storageOfVersions(db: Knex, versions: Knex.QueryBuilder): Promise<StorageStats> {
  const [{ n: versionCount }] = await db.from(versions.clone().as('sv')).count({ n: '*' });
  const cells = () => db('history_version_cells as c').whereIn('c.version_id', versions.clone());
  const [{ n: cellCount }] = await cells().count({ n: '*' });
  let referenced = 0;
  for (const column of ['source_hash', 'output_hash']) {
    const [{ bytes }] = await cells().join('history_blobs as b', 'b.hash', `c.${column}`).sum({ bytes: 'b.bytes' });
    referenced += Number(bytes ?? 0);
  }
  const hashes = cells().select('c.source_hash as h').union((u) => void u.from('history_version_cells as c').whereIn('c.version_id', versions.clone()).whereNotNull('c.output_hash').select('c.output_hash as h'));
  const [{ n: blobCount, bytes: stored }] = await db('history_blobs as b').whereIn('b.hash', hashes).select(db.raw('COUNT(*) AS n'), db.raw('COALESCE(SUM(b.bytes), 0) AS bytes'));
  const storedBytes = Number(stored);
  return {
    versions: Number(versionCount),
    cells: Number(cellCount),
    blobs: Number(blobCount),
    storedBytes,
    referencedBytes: referenced,
    dedupRatio: storedBytes > 0 ? referenced / storedBytes : 0,
  };
}

/** The student a version is of (the class scope guard's question), undefined when there is none. */
export async function studentOfVersion(db: Knex, id: number): Promise<number | undefined> {
  const row: { student_id: number | string } | undefined = await db('history_versions').where({ id }).first('student_id');
  return row ? Number(row.student_id) : undefined;
}

/**
 * The source of cell `cellId` in the student's latest version of the notebook saved at or before
 * `at` (ISO 8601); undefined when history holds none. The research exports' code state of a run
 * whose event carries no code (a capture policy that keeps code out of events).
 */
export async function cellSourceAt(db: Knex, of: { studentId: number; notebookPath: string; cellId: string; at: string }): Promise<string | undefined> {
  const notebookId = await notebookIdOf(db, of.notebookPath);
  if (notebookId === undefined) return undefined;
  const version = await db('history_versions')
    .where({ student_id: of.studentId, notebook_id: notebookId })
    .andWhere('saved_at', '<=', of.at)
    .orderBy([{ column: 'saved_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .first('id');
  if (!version) return undefined;
  const cell = await db('history_version_cells as c')
    .join('history_blobs as s', 's.hash', 'c.source_hash')
    .where({ 'c.version_id': version.id, 'c.cell_id': of.cellId })
    .first('s.content as source');
  return cell?.source;
}
