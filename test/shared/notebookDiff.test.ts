import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compareCells, lineDiff, outputText, type DiffCell } from '../../shared/src/notebookDiff.ts';

const it = suite('notebook comparison (cell level, line diff inside)');
const code = (id: string | null, source: string, outputs: string | null = null): DiffCell => ({ id, type: 'code', source, outputs });
const kinds = (cells: ReturnType<typeof compareCells>) => cells.changes.map((c) => [c.kind, c.from_position, c.to_position]);

it('by cell id: an edited cell is changed with its lines, a new one added, a deleted one removed where it stood', () => {
  const v1 = [code('a', 'import pandas as pd'), code('b', 'df = pd.read_csv("x.csv")\ndf.head()'), code('c', 'print(1)')];
  const v3 = [code('a', 'import pandas as pd'), code('b', 'df = pd.read_csv("data.csv")\ndf.head()'), code('d', 'df.describe()')];
  const result = compareCells(v1, v3);
  assert.equal(kinds(result), [['unchanged', 0, 0], ['changed', 1, 1], ['removed', 2, null], ['added', null, 2]]);
  assert.equal(result.changes[1].lines, [
    { op: 'remove', text: 'df = pd.read_csv("x.csv")' },
    { op: 'add', text: 'df = pd.read_csv("data.csv")' },
    { op: 'same', text: 'df.head()' },
  ]);
  assert.equal(result.statistics, { added: 1, removed: 1, moved: 0, changed: 1, unchanged: 1, outputs_changed: 0 });
});

it('a cell dragged to the top is moved (and says if it was edited too); the others stay in order', () => {
  const v1 = [code('a', 'x = 1'), code('b', 'y = 2'), code('c', 'z = 3')];
  const v2 = [code('c', 'z = 30'), code('a', 'x = 1'), code('b', 'y = 2')];
  const result = compareCells(v1, v2);
  assert.equal(kinds(result), [['moved', 2, 0], ['unchanged', 0, 1], ['unchanged', 1, 2]]);
  assert.is(result.changes[0].source_changed, true);
  assert.equal(result.statistics.moved, 1);
});

it('notebooks without cell ids: equal sources pair up, an in-place edit is changed, not removed and added', () => {
  const v1 = [code(null, 'a = 1'), code(null, 'b = 2'), code(null, 'c = 3')];
  const v2 = [code(null, 'a = 1'), code(null, 'b = 20'), code(null, 'c = 3'), code(null, 'd = 4')];
  assert.equal(kinds(compareCells(v1, v2)), [['unchanged', 0, 0], ['changed', 1, 1], ['unchanged', 2, 2], ['added', null, 3]]);
  assert.equal(kinds(compareCells([], v1)).map(([k]) => k), ['added', 'added', 'added']);
  assert.equal(kinds(compareCells(v1, [])), [['removed', 0, null], ['removed', 1, null], ['removed', 2, null]]);
});

it('outputs are compared only when asked, as the text a reader sees (stream, text/plain, errors without ANSI codes)', () => {
  const out = (text: string) => JSON.stringify([{ output_type: 'stream', name: 'stdout', text: [text] }]);
  const err = JSON.stringify([{ output_type: 'error', ename: 'NameError', evalue: "name 'x' is not defined", traceback: ['\u001b[0;31mNameError\u001b[0m: boom'] }]);
  const v1 = [code('a', 'print(1)', out('1\n')), code('b', 'x', err)];
  const v2 = [code('a', 'print(1)', out('2\n')), code('b', 'x', err)];
  assert.is(compareCells(v1, v2).changes[0].outputs_changed, undefined);
  const result = compareCells(v1, v2, { outputs: true });
  assert.equal([result.changes[0].outputs_changed, result.changes[1].outputs_changed, result.statistics.outputs_changed], [true, false, 1]);
  assert.equal(result.changes[0].output_lines, [{ op: 'remove', text: '1' }, { op: 'add', text: '2' }]);
  assert.is(outputText(err), "NameError: name 'x' is not defined\nNameError: boom\n");
  assert.is(outputText(JSON.stringify([{ output_type: 'display_data', data: { 'image/png': 'iVBOR' } }])), '[image/png]\n');
  assert.is(outputText(null), '');
});

it('line diff keeps a last line without newline and marks every line; a line added after the last one leaves it unchanged', () => {
  assert.equal(lineDiff('a\nb', 'a\nc\n'), [{ op: 'same', text: 'a' }, { op: 'remove', text: 'b' }, { op: 'add', text: 'c' }]);
  assert.equal(lineDiff('x = 1', 'x = 1\ny = 2'), [{ op: 'same', text: 'x = 1' }, { op: 'add', text: 'y = 2' }]);
  assert.equal(lineDiff('', 'a'), [{ op: 'add', text: 'a' }]);
});

it('a 200-cell notebook with a few edits compares to the right counts', () => {
  const v1 = Array.from({ length: 200 }, (_, i) => code(`c${i}`, `value_${i} = compute(${i})\nprint(value_${i})`));
  const v2 = v1.map((c, i) => (i % 50 === 7 ? { ...c, source: `${c.source}\n# checked` } : c)).filter((_, i) => i !== 100);
  v2.splice(10, 0, code('new', 'plot()'));
  const { statistics } = compareCells(v1, v2);
  assert.equal(statistics, { added: 1, removed: 1, moved: 0, changed: 4, unchanged: 195, outputs_changed: 0 });
});

it.run();
