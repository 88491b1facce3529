/**
 * What people read for a notebook: its file name without the folders (`week3/hw1.ipynb` →
 * `hw1.ipynb`). Jupyter's contents paths are always `/`-separated. The one notebook-basename rule
 * of the extension, the dashboard page and the collector (no dependency: bundled by both pages).
 */
export function notebookName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? path;
}
