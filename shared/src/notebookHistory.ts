/**
 * The notebook history API's answers (issue 21; the seed's Notebook Version API, seed 000), declared
 * once for the collector (history/historyRoutes.ts), the dashboard's replay and the student's Versions
 * panel in JupyterLab. JSON field names are snake_case, as the seed's and the LMS routes'.
 *
 * | seed route (under /api/v1/notebook-version) | here                                                  |
 * |---------------------------------------------|-------------------------------------------------------|
 * | POST snapshot                               | the companion's `notebook_snapshot` event (student)   |
 * | GET snapshot/{id}                           | `HistoryVersionDetail` (instructor)                   |
 * | POST commit                                 | `HistoryCommit`: a label on a version                 |
 * | GET history                                 | `HistoryPage` of a student's notebook                 |
 * | POST branch / GET branches                  | `HistoryBranch`: a named line from one version        |
 * | POST compare                                | `NotebookComparison` (notebookDiff.ts)                |
 * | GET stats                                   | `HistoryStats`                                        |
 * | GET timeline (beyond the seed)              | `ReplayTimeline`: versions and runs, for the replay   |
 *
 * A version's `id` is the seed's `snapshot_id`; a commit's `id` its `commit_id`.
 */
import type { CellComparison } from './notebookDiff.ts';

/** `save`, `submission`, `interval`: the companion's snapshots; `instructor`: a version an instructor wrote on a branch. */
export type VersionTrigger = 'save' | 'submission' | 'interval' | 'instructor';

export interface HistoryCommit {
  id: number;
  version_id: number;
  message: string;
  /** `submission`: made when the student handed the notebook in; `instructor`: by an instructor. */
  kind: 'submission' | 'instructor';
  /** The instructor's name (null for a submission's). */
  made_by: string | null;
  created_at: string;
}

export interface HistoryVersion {
  /** The version (the seed's snapshot_id). */
  id: number;
  student_id: number;
  notebook_path: string;
  saved_at: string;
  trigger: VersionTrigger;
  /** The branch it is on; null: the student's own line of saves. */
  branch_id: number | null;
  branch: string | null;
  /** The instructor who wrote it (a branch's version); null: the student's. */
  author: string | null;
  cell_count: number;
  total_cells: number;
  total_bytes: number;
  /** The notebook was over the cap: outputs dropped and/or cells past the cap left out. */
  truncated: boolean;
  commits: HistoryCommit[];
}

export interface HistoryCell {
  position: number;
  cell_id: string | null;
  cell_type: string;
  source: string;
  /** nbformat outputs as JSON text; null: none captured (policy `code`, or no output). */
  outputs: string | null;
}

export interface HistoryVersionDetail extends HistoryVersion {
  cells: HistoryCell[];
}

export interface HistoryBranch {
  id: number;
  name: string;
  student_id: number;
  notebook_path: string;
  from_version_id: number;
  created_by: string | null;
  created_at: string;
  /** Versions on it, and the newest one (null: none yet). */
  versions: number;
  head_version_id: number | null;
}

export interface HistoryPage {
  items: HistoryVersion[];
  total: number;
  skip: number;
  limit: number;
  branches: HistoryBranch[];
}

export interface NotebookComparison extends CellComparison {
  from_version_id: number;
  to_version_id: number;
  outputs_compared: boolean;
}

/** A run of a cell in the replay: when, which cell, and its error if it failed. */
export interface ReplayRun {
  event_id: string;
  at: string;
  cell_id: string | null;
  cell_index: number | null;
  success: boolean;
  error_name: string | null;
  error_message: string | null;
  /** The code that ran (as captured under the policy; may be absent). */
  code: string | null;
}

export interface ReplayTimeline {
  student_id: number;
  notebook_path: string;
  /** Oldest first. */
  versions: HistoryVersion[];
  /** Oldest first; the runs of the notebook the caller's classes show. */
  runs: ReplayRun[];
}

export interface HistoryStats {
  total_snapshots: number;
  total_commits: number;
  active_branches: number;
  cells: number;
  blobs: number;
  stored_bytes: number;
  referenced_bytes: number;
  /** referenced_bytes / stored_bytes: how many times over the shared cells would be stored without deduplication. */
  dedup_ratio: number;
}
