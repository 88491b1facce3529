/**
 * A cell-level comparison of two versions of a notebook (issue 21): which cells were added, removed,
 * moved or changed, with a line diff inside each changed cell (the `diff` library's, jsdiff), and
 * optionally whether their outputs changed. Pure: the collector's `compare` route, the dashboard's
 * replay and the student's Versions panel in JupyterLab all call this one function.
 *
 * How cells are paired, in this order:
 * 1. by nbformat cell id (≥ 4.5), when both sides have it — an edited cell keeps its id;
 * 2. by identical type and source (a cell copied, or a notebook without ids);
 * 3. a cell without id that follows a paired cell in both versions, of the same type, is the same
 *    cell edited in place (old notebooks).
 * What stays unpaired was added (newer side) or removed (older side). Of the pairs, those outside
 * the longest run kept in order are `moved`; the others are `changed` when their source differs,
 * else `unchanged`. Removed cells are listed where they stood, after the cell that preceded them.
 */
import { diffLines } from 'diff';

export interface DiffCell {
  id: string | null;
  type: string;
  source: string;
  /** The cell's nbformat outputs as JSON text; null or absent: none captured. */
  outputs?: string | null;
}

export const CELL_CHANGE_KINDS = ['added', 'removed', 'moved', 'changed', 'unchanged'] as const;
export type CellChangeKind = (typeof CELL_CHANGE_KINDS)[number];

export interface LineChange {
  op: 'add' | 'remove' | 'same';
  text: string;
}

export interface CellChange {
  kind: CellChangeKind;
  /** 0-based position in the older version (null: added). */
  from_position: number | null;
  /** 0-based position in the newer version (null: removed). */
  to_position: number | null;
  cell_id: string | null;
  cell_type: string;
  /** The newer version's source (the older one's for a removed cell). */
  source: string;
  /** Whether the source differs (a moved cell may be edited too). */
  source_changed: boolean;
  /** When the source differs: line by line, removed, added and kept lines in order. */
  lines?: LineChange[];
  /** With outputs compared: whether they differ, and their text line by line when they do. */
  outputs_changed?: boolean;
  output_lines?: LineChange[];
}

export interface ComparisonStatistics {
  added: number;
  removed: number;
  moved: number;
  changed: number;
  unchanged: number;
  /** Cells (paired) whose outputs differ; 0 when outputs were not compared. */
  outputs_changed: number;
}

export interface CellComparison {
  changes: CellChange[];
  statistics: ComparisonStatistics;
}

/** Text split into lines by jsdiff: each change's value into its lines (a final newline ends the last). */
export function lineDiff(older: string, newer: string): LineChange[] {
  const out: LineChange[] = [];
  // A cell's last line has no newline: end both with one, so an unchanged last line stays unchanged
  // when a line is added after it.
  const ended = (text: string) => (text === '' || text.endsWith('\n') ? text : `${text}\n`);
  for (const part of diffLines(ended(older), ended(newer))) {
    const op = part.added ? 'add' : part.removed ? 'remove' : 'same';
    const lines = part.value.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    for (const text of lines) out.push({ op, text });
  }
  return out;
}

/**
 * A cell's outputs as the text a reader sees: stream text, the `text/plain` of results and display
 * data (a placeholder for other MIME types), an error's name, value and traceback (ANSI codes
 * removed). Never HTML: callers render it as text.
 */
export function outputText(outputs: string | null | undefined): string {
  if (!outputs) return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(outputs);
  } catch {
    return outputs;
  }
  if (!Array.isArray(parsed)) return typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
  const joined = (v: unknown) => (Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : '');
  // eslint-disable-next-line no-control-regex
  const plain = (s: string) => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  return parsed
    .map((o: Record<string, unknown>) => {
      if (!o || typeof o !== 'object') return '';
      if (o.output_type === 'stream') return joined(o.text);
      if (o.output_type === 'error') return plain([`${o.ename}: ${o.evalue}`, ...(Array.isArray(o.traceback) ? o.traceback.map(String) : [])].join('\n'));
      const data = (o.data ?? {}) as Record<string, unknown>;
      if ('text/plain' in data) return joined(data['text/plain']);
      const types = Object.keys(data);
      return types.length > 0 ? `[${types.join(', ')}]` : '';
    })
    .filter((t) => t !== '')
    .map((t) => (t.endsWith('\n') ? t : `${t}\n`))
    .join('');
}

/** Indices of a longest strictly increasing subsequence of `values` (patience sorting, O(n log n)). */
function longestIncreasing(values: number[]): Set<number> {
  const tails: number[] = [];
  const previous = new Array<number>(values.length).fill(-1);
  for (let i = 0; i < values.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[tails[mid]] < values[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const kept = new Set<number>();
  for (let i = tails.length > 0 ? tails[tails.length - 1] : -1; i >= 0; i = previous[i]) kept.add(i);
  return kept;
}

export function compareCells(from: readonly DiffCell[], to: readonly DiffCell[], options: { outputs?: boolean } = {}): CellComparison {
  const pairOfTo = new Array<number>(to.length).fill(-1);
  const pairedFrom = new Array<boolean>(from.length).fill(false);
  const pair = (i: number, j: number) => {
    pairOfTo[j] = i;
    pairedFrom[i] = true;
  };

  // 1. By cell id (the first cell of an id, if a notebook repeats one).
  const byId = new Map<string, number>();
  from.forEach((c, i) => c.id && !byId.has(c.id) && byId.set(c.id, i));
  to.forEach((c, j) => {
    const i = c.id ? byId.get(c.id) : undefined;
    if (i !== undefined && !pairedFrom[i]) pair(i, j);
  });
  // 2. By identical type and source, in order.
  const bySource = new Map<string, number[]>();
  from.forEach((c, i) => {
    if (pairedFrom[i]) return;
    const key = `${c.type}\u0000${c.source}`;
    bySource.set(key, [...(bySource.get(key) ?? []), i]);
  });
  to.forEach((c, j) => {
    if (pairOfTo[j] >= 0) return;
    const queue = bySource.get(`${c.type}\u0000${c.source}`);
    const i = queue?.find((k) => !pairedFrom[k] && !(c.id && from[k].id && from[k].id !== c.id));
    if (i !== undefined) pair(i, j);
  });
  // 3. Id-less cells edited in place: the cell after the previous pair, on both sides.
  to.forEach((c, j) => {
    if (pairOfTo[j] >= 0) return;
    const i = j === 0 ? 0 : pairOfTo[j - 1] >= 0 ? pairOfTo[j - 1] + 1 : -1;
    if (i < 0 || i >= from.length || pairedFrom[i]) return;
    if (from[i].type === c.type && !from[i].id && !c.id) pair(i, j);
  });

  // Pairs in newer order; those outside the longest in-order run moved.
  const pairs = to.map((_, j) => j).filter((j) => pairOfTo[j] >= 0);
  const inOrder = longestIncreasing(pairs.map((j) => pairOfTo[j]));
  const moved = new Set(pairs.filter((_, k) => !inOrder.has(k)));

  const statistics: ComparisonStatistics = { added: 0, removed: 0, moved: 0, changed: 0, unchanged: 0, outputs_changed: 0 };
  const entryOfTo: CellChange[] = to.map((c, j) => {
    const i = pairOfTo[j];
    if (i < 0) {
      statistics.added += 1;
      return { kind: 'added', from_position: null, to_position: j, cell_id: c.id, cell_type: c.type, source: c.source, source_changed: true, lines: lineDiff('', c.source) };
    }
    const old = from[i];
    const sourceChanged = old.source !== c.source;
    const kind: CellChangeKind = moved.has(j) ? 'moved' : sourceChanged ? 'changed' : 'unchanged';
    statistics[kind] += 1;
    const change: CellChange = { kind, from_position: i, to_position: j, cell_id: c.id ?? old.id, cell_type: c.type, source: c.source, source_changed: sourceChanged };
    if (sourceChanged) change.lines = lineDiff(old.source, c.source);
    if (options.outputs) {
      const before = outputText(old.outputs);
      const after = outputText(c.outputs);
      change.outputs_changed = before !== after;
      if (change.outputs_changed) {
        statistics.outputs_changed += 1;
        change.output_lines = lineDiff(before, after);
      }
    }
    return change;
  });

  // Removed cells where they stood: after the entry of the nearest earlier older cell kept in order.
  const anchorOfFrom = new Map<number, number>();
  pairs.forEach((j, k) => inOrder.has(k) && anchorOfFrom.set(pairOfTo[j], j));
  const removedAfter = new Map<number, CellChange[]>();
  from.forEach((c, i) => {
    if (pairedFrom[i]) return;
    statistics.removed += 1;
    let anchor = -1;
    for (let k = i - 1; k >= 0; k--) {
      const j = anchorOfFrom.get(k);
      if (j !== undefined) {
        anchor = j;
        break;
      }
    }
    const entry: CellChange = { kind: 'removed', from_position: i, to_position: null, cell_id: c.id, cell_type: c.type, source: c.source, source_changed: true, lines: lineDiff(c.source, '') };
    removedAfter.set(anchor, [...(removedAfter.get(anchor) ?? []), entry]);
  });
  const changes: CellChange[] = [...(removedAfter.get(-1) ?? [])];
  entryOfTo.forEach((entry, j) => changes.push(entry, ...(removedAfter.get(j) ?? [])));
  return { changes, statistics };
}
