/**
 * What a student reads for a notebook: its file name, without the folders (`week3/hw1.ipynb` →
 * `hw1.ipynb`). Paths are Jupyter's contents paths, always `/`-separated. The one place the
 * extension shortens a notebook path; a path ending in `/` stays whole.
 */
export function notebookName(path: string): string {
  return path.split('/').pop() || path;
}
