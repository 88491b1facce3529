/**
 * The tables activity owns: what the cell-fact and error projections derive from events. Every
 * row but a notebook's names its student by id; retention ages each by its own time and applies
 * the class rule through the notebook it is about (db/ownedTables.ts says what each field means).
 *
 * | table             | a row is old when …                                |
 * |-------------------|----------------------------------------------------|
 * | sessions          | last seen (else ended, else started) < cutoff      |
 * | cells             | updated_at < cutoff                                |
 * | cell_executions   | executed_at < cutoff                               |
 * | error_logs        | occurred_at < cutoff                               |
 * | notebook_accesses | accessed_at < cutoff                               |
 * | cell_progress     | last_run_at < cutoff (every run summed is); then `rederive` computes again the rows of runs partly swept |
 * | error_groups      | latest_at < cutoff (likewise); then `rederive` counts again the days partly swept |
 * | notebooks         | no row or event names it any more (a path can name a person) |
 */
import type { OwnedTable } from '../db/ownedTables.ts';
import { rederiveProgress } from './cellProgress.ts';
import { rederiveErrorGroups } from './errorGroups.ts';
import { notebookPathSql } from './notebooks.ts';

const pathOfNotebookId = (table: string) => notebookPathSql(`${table}.notebook_id`);

export const TABLES: readonly OwnedTable[] = [
  { table: 'notebooks', owner: 'activity', role: 'notebook' },
  { table: 'sessions', owner: 'activity', refersTo: ['students'], personal: { key: 'student_id', pk: 'id', time: 'COALESCE(sessions.last_seen_at, sessions.ended_at, sessions.started_at)', notebookPath: 'sessions.notebook_path' } },
  { table: 'cells', owner: 'activity', refersTo: ['notebooks', 'students'], personal: { key: 'student_id', pk: 'id', time: 'cells.updated_at', notebookPath: pathOfNotebookId('cells'), notebookId: true } },
  {
    table: 'cell_executions', owner: 'activity', refersTo: ['students', 'sessions', 'notebooks', 'cells'],
    // No foreign keys on PostgreSQL (migrations/20261202130000_cell_executions_refs_kept_by_writer.ts).
    refsKeptByWriter: { student_id: 'students', session_id: 'sessions', notebook_id: 'notebooks', cell_id: 'cells' },
    personal: { key: 'student_id', pk: 'id', time: 'cell_executions.executed_at', notebookPath: pathOfNotebookId('cell_executions'), notebookId: true, json: ['output'] },
  },
  { table: 'error_logs', owner: 'activity', refersTo: ['students', 'notebooks', 'cells'], personal: { key: 'student_id', pk: 'id', time: 'error_logs.occurred_at', notebookPath: pathOfNotebookId('error_logs'), notebookId: true } },
  {
    table: 'notebook_accesses', owner: 'activity', refersTo: ['students', 'notebooks', 'sessions'],
    personal: { key: 'student_id', pk: 'id', time: 'notebook_accesses.accessed_at', notebookPath: pathOfNotebookId('notebook_accesses'), notebookId: true },
  },
  {
    table: 'cell_progress', owner: 'activity', refersTo: ['students', 'notebooks', 'cells'], rederive: rederiveProgress,
    personal: { key: 'student_id', pk: 'id', time: 'cell_progress.last_run_at', notebookPath: pathOfNotebookId('cell_progress'), notebookId: true },
  },
  {
    table: 'error_groups', owner: 'activity', refersTo: ['students'], rederive: rederiveErrorGroups,
    personal: { key: 'student_id', pk: 'id', time: 'error_groups.latest_at', notebookPath: pathOfNotebookId('error_groups'), notebookId: true },
  },
];
