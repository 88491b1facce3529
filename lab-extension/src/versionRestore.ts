/**
 * What "Restore this cell" and "Restore as new file" do to the student's notebook, decided without
 * JupyterLab (the panel applies it; tests read it). The comparison runs from the old version to the
 * notebook now (`compareCells(version, current)`), so:
 *
 * | change in the comparison | meaning for the student       | "Restore this cell"                                |
 * |--------------------------|-------------------------------|----------------------------------------------------|
 * | removed                  | deleted since that version    | inserts it again as a new cell where it stood       |
 * | changed (or moved+edited)| edited since that version     | puts the old source back into that cell             |
 * | added / unchanged / moved | new since, or as it was      | nothing to restore                                  |
 *
 * "Where it stood": after the current cell that precedes it in the comparison (the comparison lists
 * a removed cell after the cell that preceded it), or at the top.
 */
import type { CellChange, CellComparison, DiffCell } from '@cell-monitor/shared/notebookDiff';
import type { HistoryCell, HistoryVersionDetail } from '@cell-monitor/shared/notebookHistory';

export type RestorePlan =
  | { action: 'insert'; index: number; cell: { id?: string; cell_type: string; source: string } }
  | { action: 'replace'; index: number; cellId: string | null; source: string };

/** The notebook's cells as the comparison takes them. */
export function versionCells(version: Pick<HistoryVersionDetail, 'cells'>): DiffCell[] {
  return [...version.cells].sort((a, b) => a.position - b.position).map((c) => ({ id: c.cell_id, type: c.cell_type, source: c.source, outputs: c.outputs }));
}

/** Whether "Restore this cell" is offered for this change. */
export function canRestore(change: CellChange): boolean {
  return change.kind === 'removed' || (change.source_changed && change.to_position !== null && change.from_position !== null);
}

/**
 * The plan for one change of `comparison` (`from` = the version's cells, `current` = the notebook's
 * now); null when there is nothing to restore. A removed cell keeps its old id unless a cell of the
 * notebook has it now (then JupyterLab gives it a new one).
 */
export function restorePlan(comparison: CellComparison, change: CellChange, from: readonly DiffCell[], current: readonly DiffCell[]): RestorePlan | null {
  if (!canRestore(change) || change.from_position === null) return null;
  const old = from[change.from_position];
  if (!old) return null;
  if (change.kind !== 'removed') return { action: 'replace', index: change.to_position!, cellId: current[change.to_position!]?.id ?? null, source: old.source };
  const at = comparison.changes.indexOf(change);
  let index = 0;
  for (let k = at - 1; k >= 0; k--) {
    const before = comparison.changes[k].to_position;
    if (before !== null) {
      index = before + 1;
      break;
    }
  }
  const taken = old.id !== null && current.some((c) => c.id === old.id);
  const type = old.type === 'markdown' || old.type === 'raw' ? old.type : 'code';
  return { action: 'insert', index, cell: { ...(old.id && !taken ? { id: old.id } : {}), cell_type: type, source: old.source } };
}

/**
 * Where a version is written as a new file: next to the original, `name (version 3).ipynb`; while
 * `exists` says that name is taken, `name (version 3, 2).ipynb` and so on.
 */
export async function versionFilePath(notebookPath: string, ordinal: number, exists: (path: string) => Promise<boolean>): Promise<string> {
  const slash = notebookPath.lastIndexOf('/');
  const dir = slash >= 0 ? notebookPath.slice(0, slash + 1) : '';
  const base = notebookPath.slice(slash + 1).replace(/\.ipynb$/i, '');
  for (let n = 1; ; n++) {
    const path = `${dir}${base} (version ${ordinal}${n > 1 ? `, ${n}` : ''}).ipynb`;
    if (!(await exists(path))) return path;
  }
}

const NBFORMAT_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/** The cell's outputs when they are nbformat outputs (an array of objects with an output_type); else none. */
function outputsOf(cell: HistoryCell): object[] {
  if (!cell.outputs) return [];
  try {
    const parsed: unknown = JSON.parse(cell.outputs);
    return Array.isArray(parsed) && parsed.every((o) => o && typeof o === 'object' && typeof (o as { output_type?: unknown }).output_type === 'string') ? parsed : [];
  } catch {
    return [];
  }
}

/**
 * The version as an nbformat 4.5 notebook: its cells in order (outputs when they were captured and
 * are whole), with the current notebook's metadata (kernel, language: a version keeps only cells).
 * Ids nbformat would refuse, or repeated, are replaced by `cell-<position>`-based ones.
 */
export function notebookFromVersion(version: Pick<HistoryVersionDetail, 'cells'>, metadata: Record<string, unknown>): { nbformat: 4; nbformat_minor: 5; metadata: Record<string, unknown>; cells: object[] } {
  const used = new Set<string>();
  const cells = [...version.cells]
    .sort((a, b) => a.position - b.position)
    .map((c, i) => {
      let id = c.cell_id && NBFORMAT_ID.test(c.cell_id) && !used.has(c.cell_id) ? c.cell_id : `restored-${i}`;
      while (used.has(id)) id = `${id}-x`;
      used.add(id);
      const type = c.cell_type === 'markdown' || c.cell_type === 'raw' ? c.cell_type : 'code';
      if (type !== 'code') return { id, cell_type: type, metadata: {}, source: c.source };
      return { id, cell_type: 'code', metadata: {}, source: c.source, outputs: outputsOf(c), execution_count: null };
    });
  return { nbformat: 4, nbformat_minor: 5, metadata, cells };
}
