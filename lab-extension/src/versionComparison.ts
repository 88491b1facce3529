/**
 * One version compared with the notebook now, as DOM: a line over it, then each cell that differs
 * with its line diff (old lines `-`, current lines `+`) and "Restore this cell" where there is
 * something to restore (versionRestore.ts). Everything from the data goes into text nodes
 * (textContent), never markup. Unchanged cells are counted, not shown.
 */
import type { CellChange, CellComparison, LineChange } from '@cell-monitor/shared/notebookDiff';
import { canRestore } from './versionRestore.ts';
import { changeText, DIFF_LEGEND, statisticsText } from './versionsText.ts';

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const MARK: Record<LineChange['op'], string> = { add: '+', remove: '−', same: ' ' };
/** Unchanged lines kept around each edit in a changed cell; longer runs fold to "… n unchanged lines". */
const CONTEXT = 2;

function lineNode(line: LineChange): HTMLElement {
  const node = el('div', `cm-Versions-line cm-mod-${line.op}`);
  node.dataset.op = line.op;
  node.appendChild(el('span', 'cm-Versions-mark', MARK[line.op]));
  node.appendChild(el('span', 'cm-Versions-text', line.text));
  return node;
}

/** The line diff, with long runs of unchanged lines folded (a deleted or new cell shows whole). */
export function linesNode(lines: readonly LineChange[]): HTMLElement {
  const pre = el('pre', 'cm-Versions-diff');
  const near = (i: number) => lines.slice(Math.max(0, i - CONTEXT), i + CONTEXT + 1).some((l) => l.op !== 'same');
  let folded = 0;
  const flush = () => {
    if (folded > 0) pre.appendChild(el('div', 'cm-Versions-fold', `… ${folded} unchanged line${folded === 1 ? '' : 's'}`));
    folded = 0;
  };
  lines.forEach((line, i) => {
    if (line.op === 'same' && !near(i)) {
      folded += 1;
      return;
    }
    flush();
    pre.appendChild(lineNode(line));
  });
  flush();
  return pre;
}

export interface ComparisonViewOptions {
  comparison: CellComparison;
  /** "Version 3 (saved, 2 Dec 10:04)". */
  heading: string;
  onRestoreCell: (change: CellChange) => void;
  onRestoreFile: () => void;
}

export function comparisonNode({ comparison, heading, onRestoreCell, onRestoreFile }: ComparisonViewOptions): HTMLElement {
  const root = el('div', 'cm-Versions-comparison');
  const head = el('div', 'cm-Versions-comparisonHeader');
  head.appendChild(el('div', 'cm-Versions-comparisonTitle', `${heading} compared with your notebook now`));
  head.appendChild(el('div', 'cm-Versions-statistics', statisticsText(comparison.statistics)));
  if (comparison.changes.some((c) => c.kind !== 'unchanged')) head.appendChild(el('div', 'cm-Versions-legend', DIFF_LEGEND));
  const asFile = el('button', 'jp-Button jp-mod-styled jp-mod-reject cm-Versions-restoreFile', 'Restore as new file');
  asFile.title = 'Write this whole version as a new notebook next to this one and open it (this notebook is not changed)';
  asFile.addEventListener('click', onRestoreFile);
  head.appendChild(asFile);
  root.appendChild(head);
  for (const change of comparison.changes) {
    if (change.kind === 'unchanged') continue;
    const item = el('div', 'cm-Versions-change');
    item.dataset.kind = change.kind;
    const top = el('div', 'cm-Versions-changeHeader');
    top.appendChild(el('span', 'cm-Versions-changeText', changeText(change)));
    if (canRestore(change)) {
      const restore = el('button', 'jp-Button jp-mod-styled jp-mod-accept cm-Versions-restoreCell', 'Restore this cell');
      restore.title = change.kind === 'removed' ? 'Put this cell back into your notebook where it was' : "Put this version's text back into this cell (Ctrl+Z in the cell undoes it)";
      restore.addEventListener('click', () => onRestoreCell(change));
      top.appendChild(restore);
    }
    item.appendChild(top);
    if (change.lines?.length) item.appendChild(linesNode(change.lines));
    root.appendChild(item);
  }
  return root;
}
