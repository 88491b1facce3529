/**
 * What instructors write into a student's history: a commit (a label on a version, "after office
 * hours") and a branch (a named line starting from one of her versions), optionally with a first
 * version the instructor wrote on it — an annotated fix, which the student sees in her Versions
 * panel. Each in one transaction; the version's cells are stored content-addressed as a snapshot's
 * are (snapshotProjection.ts storeVersionCells). Both engines.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { NOTEBOOK_SNAPSHOT_LIMITS, type HistoryBranch, type HistoryCommit, type SnapshotCellType } from '@cell-monitor/shared';
import { notebookIdOf, notebookPathSql } from '../activity/notebooks.ts';
import { insertedId, isUniqueViolation, iso, now } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import { leftJoinInstructors } from '../instructors/store.ts';
import { commitsOf } from './versions.ts';
import { storeVersionCells } from './snapshotProjection.ts';

export interface BranchCellInput {
  cell_id?: string | null;
  cell_type: SnapshotCellType;
  source: string;
}

/** Labels a version; the version must exist (the caller checked the instructor may see it). */
export async function addCommit(db: Knex, input: { versionId: number; studentId: number; message: string; instructorId: number }): Promise<HistoryCommit> {
  const [row] = await db('history_commits').insert({ version_id: input.versionId, student_id: input.studentId, message: input.message, kind: 'instructor', made_by: input.instructorId, created_at: now() }).returning('id');
  const id = insertedId(row);
  return (await commitsOf(db, [input.versionId])).find((c) => c.id === id)!;
}

/**
 * A branch of the student's notebook from `from` (one of her versions), named `name` (unique per
 * student and notebook: 409 `branch_exists`), with the instructor's version on it when `cells` are given.
 */
export async function createBranch(
  db: Knex,
  input: { from: { id: number; studentId: number; notebookPath: string }; name: string; instructorId: number; cells?: BranchCellInput[] },
): Promise<HistoryBranch> {
  const notebookId = (await notebookIdOf(db, input.from.notebookPath))!;
  let branchId: number;
  try {
    branchId = await db.transaction(async (trx) => {
      const createdAt = now();
      const [row] = await trx('history_branches')
        .insert({ student_id: input.from.studentId, notebook_id: notebookId, name: input.name, from_version_id: input.from.id, created_by: input.instructorId, created_at: createdAt })
        .returning('id');
      const id = insertedId(row);
      if (input.cells) {
        const cells = input.cells.map((c) => ({ id: c.cell_id ?? null, type: c.cell_type, source: c.source, outputs: null }));
        const bytes = cells.reduce((n, c) => n + Buffer.byteLength(c.source, 'utf8'), 0);
        const [version] = await trx('history_versions')
          .insert({ event_id: `instructor:${randomUUID()}`, student_id: input.from.studentId, notebook_id: notebookId, trigger: 'instructor', saved_at: createdAt, cell_count: cells.length, truncated: false, total_cells: cells.length, total_bytes: bytes })
          .returning('id');
        const versionId = insertedId(version);
        await storeVersionCells(trx, [{ versionId, studentId: input.from.studentId, cells }]);
        await trx('history_branch_versions').insert({ version_id: versionId, branch_id: id, student_id: input.from.studentId, author_id: input.instructorId });
      }
      return id;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw errors.conflict('branch_exists', `this notebook of the student already has a branch named "${input.name}"`);
    throw err;
  }
  return (await branchesOf(db, { branchIds: [branchId] }))[0];
}

/** The largest instructor version accepted (the snapshot's caps). */
export const BRANCH_LIMITS = { maxCells: NOTEBOOK_SNAPSHOT_LIMITS.maxCells, maxBytes: NOTEBOOK_SNAPSHOT_LIMITS.maxBytes };

/** Branches of a student's notebook (or by id), oldest first, each with its version count and newest version. */
export async function branchesOf(db: Knex, of: { studentId: number; notebookPath: string } | { branchIds: number[] }): Promise<HistoryBranch[]> {
  const query = db('history_branches as b')
    .modify(leftJoinInstructors, 'i', 'b.created_by')
    .select('b.id', 'b.name', 'b.student_id', 'b.from_version_id', 'b.created_at', 'i.name as created_by', db.raw(`${notebookPathSql('b.notebook_id')} AS path`))
    .select(db.raw('(SELECT COUNT(*) FROM history_branch_versions bv WHERE bv.branch_id = b.id) AS versions'))
    .select(db.raw('(SELECT MAX(bv.version_id) FROM history_branch_versions bv WHERE bv.branch_id = b.id) AS head'))
    .orderBy([{ column: 'b.created_at' }, { column: 'b.id' }]);
  if ('branchIds' in of) query.whereIn('b.id', of.branchIds);
  else {
    const notebookId = await notebookIdOf(db, of.notebookPath);
    if (notebookId === undefined) return [];
    query.where({ 'b.student_id': of.studentId, 'b.notebook_id': notebookId });
  }
  const rows: Array<{ id: number | string; name: string; student_id: number | string; from_version_id: number | string; created_at: string | Date; created_by: string | null; path: string; versions: number | string; head: number | string | null }> = await query;
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    student_id: Number(r.student_id),
    notebook_path: r.path,
    from_version_id: Number(r.from_version_id),
    created_by: r.created_by ?? null,
    created_at: iso(r.created_at)!,
    versions: Number(r.versions),
    head_version_id: r.head === null ? null : Number(r.head),
  }));
}
