/**
 * The words of the Versions panel, in one place and without JupyterLab (tests read them). The
 * extension has no translations yet (every panel is in English); a translator starts here.
 */
import type { CellChange, ComparisonStatistics } from '@cell-monitor/shared/notebookDiff';
import type { HistoryPage, HistoryVersion } from '@cell-monitor/shared/notebookHistory';

/** Shown when the notebook has no versions: what is recorded, and when a version appears. */
export const NO_VERSIONS_TEXT =
  'No versions of this notebook yet. When your class keeps notebook history, a copy of your cells is kept each time you save, ' +
  'when you hand the notebook in, and every few minutes while you work; they appear here, newest first, and only you and your ' +
  'instructors can see them. If your class records activity only (no code), no versions are kept.';

/** Under the comparison's heading: how to read the line diffs. */
export const DIFF_LEGEND = 'Lines marked − are as they were in that version, + as they are in your notebook now.';

export const NO_NOTEBOOK_TEXT = 'Open a notebook to see its versions.';

/** How the version came to be, in the student's words. */
export function triggerText(version: Pick<HistoryVersion, 'trigger' | 'branch_id' | 'author'>): string {
  if (version.trigger === 'instructor' || version.branch_id !== null) return version.author ? `from your instructor (${version.author})` : 'from your instructor';
  switch (version.trigger) {
    case 'save':
      return 'saved';
    case 'submission':
      return 'handed in';
    case 'interval':
      return 'kept automatically (every few minutes)';
    default:
      return String(version.trigger);
  }
}

/** "Version 3": counted from the oldest (1) in the whole history, so a page further down keeps its numbers. */
export function versionOrdinal(page: Pick<HistoryPage, 'total' | 'skip'>, index: number): number {
  return Math.max(1, page.total - page.skip - index);
}

export interface VersionSummary {
  title: string;
  when: string;
  how: string;
  /** Commit messages ("handed in", an instructor's label). */
  labels: string[];
  /** Set when the version is incomplete. */
  truncated: string | null;
}

export function versionSummary(version: HistoryVersion, ordinal: number, formatTime: (iso: string) => string = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })): VersionSummary {
  const cells = `${version.cell_count} cell${version.cell_count === 1 ? '' : 's'}`;
  return {
    title: `Version ${ordinal}`,
    when: formatTime(version.saved_at),
    how: `${triggerText(version)} · ${cells}${version.branch ? ` · ${version.branch}` : ''}`,
    labels: version.commits.map((c) => c.message).filter((m) => m.trim() !== ''),
    truncated: version.truncated ? `Incomplete: the notebook was too large to keep whole (${version.cell_count} of ${version.total_cells} cells kept, outputs may be missing).` : null,
  };
}

/** What happened to one cell between that version and now. */
export function changeText(change: CellChange): string {
  const where = change.to_position !== null ? `Cell ${change.to_position + 1}` : `Was cell ${change.from_position! + 1}`;
  const type = change.cell_type === 'code' ? '' : ` (${change.cell_type})`;
  switch (change.kind) {
    case 'added':
      return `${where}${type}: new since this version`;
    case 'removed':
      return `${where}${type}: deleted since this version`;
    case 'moved':
      return `${where}${type}: moved${change.source_changed ? ' and edited' : ''} since this version`;
    case 'changed':
      return `${where}${type}: edited since this version`;
    default:
      return `${where}${type}: unchanged`;
  }
}

/** One line over the comparison: "2 edited, 1 deleted, 3 unchanged" or "The same as your notebook now." */
export function statisticsText(s: ComparisonStatistics): string {
  const parts = [
    [s.changed, 'edited'],
    [s.removed, 'deleted'],
    [s.added, 'new'],
    [s.moved, 'moved'],
    [s.unchanged, 'unchanged'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, w]) => `${n} ${w}`);
  return s.changed + s.removed + s.added + s.moved === 0 ? 'The same as your notebook now.' : `Since this version: ${parts.join(', ')}.`;
}

/** A failed request, for the student: the collector away is not their fault and nothing is lost. */
export function versionsErrorText(error: unknown): string {
  const status = (error as { status?: number } | null | undefined)?.status;
  if (status === 404) return 'That version is not available any more.';
  if (status === undefined || status === 502 || status === 503 || status === 504) {
    return 'Versions are not available right now: the class server cannot be reached. Your notebook is not affected; try again later.';
  }
  return 'Versions are not available right now; try again later.';
}
