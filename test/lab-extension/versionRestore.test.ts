import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compareCells, type DiffCell } from '@cell-monitor/shared/notebookDiff';
import type { HistoryCell } from '@cell-monitor/shared/notebookHistory';
import { canRestore, notebookFromVersion, restorePlan, versionCells, versionFilePath } from '../../lab-extension/src/versionRestore.ts';

const it = suite('lab-extension Versions panel: what a restore does');

const cell = (id: string | null, source: string, type = 'code'): DiffCell => ({ id, type, source });
const stored = (position: number, cell_id: string | null, source: string, extra: Partial<HistoryCell> = {}): HistoryCell => ({ position, cell_id, cell_type: 'code', source, outputs: null, ...extra });

/** The panel's comparison: from the version to the notebook now. */
function planFor(from: DiffCell[], current: DiffCell[], kind: string) {
  const comparison = compareCells(from, current);
  const change = comparison.changes.find((c) => c.kind === kind);
  assert.ok(change, `a ${kind} cell`);
  return restorePlan(comparison, change!, from, current);
}

it('a cell deleted since the version is inserted again where it stood, with its old id', () => {
  const version = [cell('a', 'import math'), cell('b', 'x = 1'), cell('c', 'print(x)')];
  const now = [cell('a', 'import math'), cell('c', 'print(x)')];
  assert.equal(planFor(version, now, 'removed'), { action: 'insert', index: 1, cell: { id: 'b', cell_type: 'code', source: 'x = 1' } });
});

it('a deleted first cell goes back to the top; a deleted markdown cell stays markdown', () => {
  const version = [cell('t', '# Title', 'markdown'), cell('a', 'x = 1')];
  const now = [cell('a', 'x = 1')];
  assert.equal(planFor(version, now, 'removed'), { action: 'insert', index: 0, cell: { id: 't', cell_type: 'markdown', source: '# Title' } });
});

it('a deleted cell after an edited one lands after the edited one', () => {
  const version = [cell('a', 'x = 1'), cell('b', 'y = 2'), cell('c', 'z = 3')];
  const now = [cell('a', 'x = 10'), cell('c', 'z = 3')];
  assert.equal(planFor(version, now, 'removed'), { action: 'insert', index: 1, cell: { id: 'b', cell_type: 'code', source: 'y = 2' } });
});

it('an id another cell now has is not reused (JupyterLab gives the restored cell a new one)', () => {
  const version = [cell('a', 'x = 1'), cell('dup', 'y = 2')];
  // Step 1 of the pairing takes the first cell of an id; a notebook repeating an id leaves one unpaired.
  const now = [cell('a', 'x = 1')];
  const comparison = compareCells(version, now);
  const removed = comparison.changes.find((c) => c.kind === 'removed')!;
  assert.equal(restorePlan(comparison, removed, version, [...now, cell('dup', 'something else')]), { action: 'insert', index: 1, cell: { cell_type: 'code', source: 'y = 2' } });
});

it('an edited cell gets the old source back, in place, named by its id', () => {
  const version = [cell('a', 'x = 1'), cell('b', 'def f():\n    return 1')];
  const now = [cell('a', 'x = 1'), cell('b', 'def f():\n    return 2  # broken')];
  assert.equal(planFor(version, now, 'changed'), { action: 'replace', index: 1, cellId: 'b', source: 'def f():\n    return 1' });
});

it('cells without ids (an old notebook) are restored by position', () => {
  const version = [cell(null, 'x = 1'), cell(null, 'y = 2')];
  const now = [cell(null, 'x = 1'), cell(null, 'y = 3')];
  assert.equal(planFor(version, now, 'changed'), { action: 'replace', index: 1, cellId: null, source: 'y = 2' });
});

it('new, unchanged and merely moved cells have nothing to restore', () => {
  const version = [cell('a', 'x = 1'), cell('b', 'y = 2'), cell('c', 'z = 3')];
  const now = [cell('c', 'z = 3'), cell('a', 'x = 1'), cell('b', 'y = 2'), cell('n', 'new')];
  const comparison = compareCells(version, now);
  for (const change of comparison.changes) {
    assert.is(canRestore(change), false, change.kind);
    assert.is(restorePlan(comparison, change, version, now), null);
  }
  assert.ok(comparison.changes.some((c) => c.kind === 'moved'));
  assert.ok(comparison.changes.some((c) => c.kind === 'added'));
});

it('a moved and edited cell can have its old source back', () => {
  const version = [cell('a', 'x = 1'), cell('b', 'y = 2'), cell('c', 'z = 3')];
  const now = [cell('c', 'z = 30'), cell('a', 'x = 1'), cell('b', 'y = 2')];
  const comparison = compareCells(version, now);
  const moved = comparison.changes.find((c) => c.source_changed && c.kind !== 'removed' && c.kind !== 'added')!;
  assert.equal(restorePlan(comparison, moved, version, now), { action: 'replace', index: 0, cellId: 'c', source: 'z = 3' });
});

it("the version's cells are compared in their stored order", () => {
  const cells = versionCells({ cells: [stored(1, 'b', 'two'), stored(0, 'a', 'one', { cell_type: 'markdown', outputs: '[]' })] });
  assert.equal(cells, [
    { id: 'a', type: 'markdown', source: 'one', outputs: '[]' },
    { id: 'b', type: 'code', source: 'two', outputs: null },
  ]);
});

it('a version is written next to the notebook as "name (version N).ipynb", never over a file', async () => {
  const taken = new Set(['week 1/課題 (version 3).ipynb', 'week 1/課題 (version 3, 2).ipynb']);
  const exists = async (p: string) => taken.has(p);
  assert.is(await versionFilePath('week 1/課題.ipynb', 3, exists), 'week 1/課題 (version 3, 3).ipynb');
  assert.is(await versionFilePath('lab.ipynb', 12, exists), 'lab (version 12).ipynb');
});

it('the new file is an nbformat 4.5 notebook: cells in order, whole outputs kept, bad or repeated ids replaced, the notebook metadata carried', () => {
  const outputs = JSON.stringify([{ output_type: 'stream', name: 'stdout', text: ['hi\n'] }]);
  const preview = JSON.stringify({ truncated: true, originalChars: 90000, preview: '[{"output_type"' });
  const nb = notebookFromVersion(
    {
      cells: [
        stored(2, 'x', 'print(2)', { outputs: preview }),
        stored(0, 'x', 'print("hi")', { outputs }),
        stored(1, 'has space', '# Notes', { cell_type: 'markdown' }),
        stored(3, null, 'raw text', { cell_type: 'raw' }),
      ],
    },
    { kernelspec: { name: 'python3', display_name: 'Python 3' } },
  );
  assert.is(nb.nbformat, 4);
  assert.is(nb.nbformat_minor, 5);
  assert.equal(nb.metadata, { kernelspec: { name: 'python3', display_name: 'Python 3' } });
  assert.equal(nb.cells, [
    { id: 'x', cell_type: 'code', metadata: {}, source: 'print("hi")', outputs: JSON.parse(outputs), execution_count: null },
    { id: 'restored-1', cell_type: 'markdown', metadata: {}, source: '# Notes' },
    { id: 'restored-2', cell_type: 'code', metadata: {}, source: 'print(2)', outputs: [], execution_count: null },
    { id: 'restored-3', cell_type: 'raw', metadata: {}, source: 'raw text' },
  ]);
});

it.run();
