import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { summariseProgress, type StudentCellRuns } from '../../../collector/src/insights/classProgress.ts';

const it = suite('dashboard class progress (the pure half)');

const row = (userId: string, cellId: string, cellIndex: number | null, runs: number, firstSuccess: number | null, seconds: number, lastAt: string): StudentCellRuns => ({
  userId,
  cellId,
  cellIndex,
  runs,
  firstSuccess,
  seconds,
  lastAt,
});

it('cells in notebook order with shares, median attempts and time; the cell each student is on; progress per student', () => {
  const rows = [
    row('ann', 'c2', 2, 1, 1, 30, '2026-11-24T09:01:00Z'),
    row('ann', 'c1', 1, 3, 3, 90, '2026-11-24T09:00:00Z'),
    row('bob', 'c1', 1, 1, 1, 10, '2026-11-24T09:00:00Z'),
    row('bob', 'c2', 2, 4, null, 200, '2026-11-24T09:05:00Z'),
    row('cat', 'c1', 1, 2, 2, 50, '2026-11-24T09:02:00Z'),
    row('cat', 'x9', null, 1, 1, 5, '2026-11-24T08:00:00Z'),
  ];
  const view = summariseProgress('lab1.ipynb', rows, (id) => id.toUpperCase());
  assert.is(view.students, 3);
  assert.equal(view.cells.map((c) => c.cellId), ['c1', 'c2', 'x9'], 'notebook order; a cell without index last');
  const [c1, c2] = view.cells;
  assert.equal([c1.ranShare, c1.succeededShare, c1.medianAttemptsToSuccess, c1.medianSeconds, c1.students], [1, 1, 2, 50, 3]);
  assert.equal([c2.ranShare, c2.succeededShare, c2.medianAttemptsToSuccess, c2.students], [2 / 3, 1 / 3, 1, 2]);
  assert.equal(view.currentCell, [
    { cellId: 'c1', cellIndex: 1, students: 1 },
    { cellId: 'c2', cellIndex: 2, students: 2 },
    { cellId: 'x9', cellIndex: null, students: 0 },
  ]);
  assert.equal(view.perStudent, [
    { userId: 'ann', displayName: 'ANN', progressPercent: 67 },
    { userId: 'bob', displayName: 'BOB', progressPercent: 33 },
    { userId: 'cat', displayName: 'CAT', progressPercent: 67 },
  ]);
});

it('a notebook nobody ran', () => {
  const view = summariseProgress('empty.ipynb', [], (id) => id);
  assert.equal([view.students, view.cells, view.currentCell, view.perStudent], [0, [], [], []]);
});

it.run();
