/**
 * The tables history owns (issue 21, notebook snapshots; db/ownedTables.ts says what each field means):
 *
 * | table                 | holds                                            | a row goes when …                       |
 * |-----------------------|--------------------------------------------------|-----------------------------------------|
 * | history_versions      | one row per snapshot of a student's notebook     | saved_at < cutoff, or she is erased     |
 * | history_version_cells | a version's cells in order (id, type, hashes)    | its version's saved_at < cutoff (its version goes at the same time) |
 * | history_blobs         | each distinct source / outputs text, once, shared between students | no version cell refers to it any more |
 * | history_branches      | a named line of a student's notebook from one of her versions | created_at < cutoff, its first version goes, or she is erased |
 * | history_branch_versions | which versions are on a branch, and their instructor author | its version goes |
 * | history_commits       | a label on a version ("handed in", an instructor's) | its version goes |
 */
import { notebookPathSql } from '../activity/notebooks.ts';
import type { OwnedTable } from '../db/ownedTables.ts';

/** A row's time and notebook path are its version's (it goes with the version). */
const VERSION_TIME = (table: string) => `(SELECT hv_t.saved_at FROM history_versions hv_t WHERE hv_t.id = ${table}.version_id)`;
const VERSION_PATH = (table: string) => notebookPathSql(`(SELECT hv_n.notebook_id FROM history_versions hv_n WHERE hv_n.id = ${table}.version_id)`);

export const TABLES: readonly OwnedTable[] = [
  {
    table: 'history_versions', owner: 'history', refersTo: ['students', 'notebooks'],
    personal: { key: 'student_id', pk: 'id', time: 'history_versions.saved_at', notebookPath: notebookPathSql('history_versions.notebook_id'), notebookId: true },
  },
  {
    table: 'history_version_cells', owner: 'history', refersTo: ['history_versions', 'students', 'history_blobs'],
    personal: { key: 'student_id', pk: 'id', time: VERSION_TIME('history_version_cells'), notebookPath: VERSION_PATH('history_version_cells') },
  },
  {
    table: 'history_branches', owner: 'history', refersTo: ['students', 'notebooks', 'history_versions', 'instructors'],
    personal: { key: 'student_id', pk: 'id', time: 'history_branches.created_at', notebookPath: notebookPathSql('history_branches.notebook_id'), notebookId: true },
  },
  {
    table: 'history_branch_versions', owner: 'history', refersTo: ['history_versions', 'history_branches', 'students', 'instructors'],
    personal: { key: 'student_id', pk: 'version_id', time: VERSION_TIME('history_branch_versions'), notebookPath: VERSION_PATH('history_branch_versions') },
  },
  {
    table: 'history_commits', owner: 'history', refersTo: ['history_versions', 'students', 'instructors'],
    personal: { key: 'student_id', pk: 'id', time: VERSION_TIME('history_commits'), notebookPath: VERSION_PATH('history_commits') },
  },
  {
    table: 'history_blobs', owner: 'history',
    sharedContent: { pk: 'hash', referencedBy: [{ table: 'history_version_cells', column: 'source_hash' }, { table: 'history_version_cells', column: 'output_hash' }] },
  },
];
