/**
 * The tables history owns (issue 21, notebook snapshots; db/ownedTables.ts says what each field means):
 *
 * | table                 | holds                                            | a row goes when …                       |
 * |-----------------------|--------------------------------------------------|-----------------------------------------|
 * | history_versions      | one row per snapshot of a student's notebook     | saved_at < cutoff, or she is erased     |
 * | history_version_cells | a version's cells in order (id, type, hashes)    | its version's saved_at < cutoff (its version goes at the same time) |
 * | history_blobs         | each distinct source / outputs text, once, shared between students | no version cell refers to it any more |
 */
import { notebookPathSql } from '../activity/notebooks.ts';
import type { OwnedTable } from '../db/ownedTables.ts';

export const TABLES: readonly OwnedTable[] = [
  {
    table: 'history_versions', owner: 'history', refersTo: ['students', 'notebooks'],
    personal: { key: 'student_id', pk: 'id', time: 'history_versions.saved_at', notebookPath: notebookPathSql('history_versions.notebook_id'), notebookId: true },
  },
  {
    table: 'history_version_cells', owner: 'history', refersTo: ['history_versions', 'students', 'history_blobs'],
    personal: { key: 'student_id', pk: 'id', time: '(SELECT hv_t.saved_at FROM history_versions hv_t WHERE hv_t.id = history_version_cells.version_id)', notebookPath: notebookPathSql('(SELECT hv_n.notebook_id FROM history_versions hv_n WHERE hv_n.id = history_version_cells.version_id)') },
  },
  {
    table: 'history_blobs', owner: 'history',
    sharedContent: { pk: 'hash', referencedBy: [{ table: 'history_version_cells', column: 'source_hash' }, { table: 'history_version_cells', column: 'output_hash' }] },
  },
];
