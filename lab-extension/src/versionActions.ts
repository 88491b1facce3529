/**
 * The Versions panel's two actions against JupyterLab: a restore plan (versionRestore.ts) applied to
 * the open notebook's shared model, and a version written as a new notebook through the contents
 * manager. Undo: an inserted cell is one step of the notebook's cell undo (Edit › Undo Cell
 * Operation, `z` in command mode); a replaced source is one step of that cell's own undo (Ctrl+Z in
 * the cell), as typing would be.
 */
import type { DiffCell } from '@cell-monitor/shared/notebookDiff';
import type { HistoryVersionDetail } from '@cell-monitor/shared/notebookHistory';
import type { Contents } from '@jupyterlab/services';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { notebookFromVersion, versionFilePath, type RestorePlan } from './versionRestore.ts';

/** The open notebook's cells as the comparison takes them (id, type, source; outputs are not compared). */
export function currentCells(panel: NotebookPanel): DiffCell[] {
  const model = panel.content.model;
  if (!model) return [];
  return model.sharedModel.cells.map((c) => ({ id: c.id ?? null, type: c.cell_type, source: c.getSource() }));
}

/** Applies the plan; returns the index of the restored cell, or null when the notebook changed under it. */
export function applyRestorePlan(panel: NotebookPanel, plan: RestorePlan): number | null {
  const shared = panel.content.model?.sharedModel;
  if (!shared) return null;
  let index = plan.index;
  if (plan.action === 'insert') {
    index = Math.min(index, shared.cells.length);
    shared.insertCell(index, plan.cell as Parameters<typeof shared.insertCell>[1]);
  } else {
    // The cell the plan was made for: by id when it has one (cells may have moved since), else by position.
    if (plan.cellId !== null) index = shared.cells.findIndex((c) => c.id === plan.cellId);
    const cell = shared.cells[index];
    if (!cell) return null;
    cell.setSource(plan.source);
  }
  panel.content.activeCellIndex = index;
  const widget = panel.content.widgets[index];
  if (widget) void panel.content.scrollToCell(widget).catch(() => undefined);
  return index;
}

/**
 * Writes the version next to the notebook as `name (version N).ipynb` (never over an existing file)
 * with the notebook's metadata, and returns its path.
 */
export async function writeVersionFile(options: { contents: Contents.IManager; panel: NotebookPanel; version: HistoryVersionDetail; ordinal: number }): Promise<string> {
  const { contents, panel, version, ordinal } = options;
  // Only a 404 means the name is free: any other failure stops here rather than risk writing over a file.
  const exists = (path: string) =>
    contents.get(path, { content: false }).then(
      () => true,
      (error: { response?: { status?: number } }) => {
        if (error?.response?.status === 404) return false;
        throw error;
      },
    );
  const path = await versionFilePath(panel.context.path, ordinal, exists);
  const metadata = (panel.content.model?.sharedModel.getMetadata() ?? {}) as Record<string, unknown>;
  await contents.save(path, { type: 'notebook', format: 'json', content: notebookFromVersion(version, metadata) });
  return path;
}
