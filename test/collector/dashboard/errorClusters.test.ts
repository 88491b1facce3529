import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterErrors, newestErrorIds, type ErrorGroup } from '../../../collector/src/insights/errorClusters.ts';
import { errorSignature } from '../../../collector/src/activity/errorSignature.ts';

const it = suite('dashboard error clusters');

it('what differs from student to student is masked; what the error says stays', () => {
  const cases: Array<[string, string, string]> = [
    ['NameError', "name 'df' is not defined", "NameError: name '…' is not defined"],
    ['NameError', "name 'dataframe' is not defined", "NameError: name '…' is not defined"],
    ['KeyError', "'price'", "KeyError: '…'"],
    ['TypeError', "unsupported operand type(s) for +: 'int' and 'str'", "TypeError: unsupported operand type(s) for +: '…' and '…'"],
    ['IndexError', 'index 5 is out of bounds for axis 0 with size 3', 'IndexError: index … is out of bounds for axis … with size …'],
    ['ValueError', 'could not convert string to float: "3,5"', 'ValueError: could not convert string to float: "…"'],
    ['ModuleNotFoundError', "No module named 'sklearn'", "ModuleNotFoundError: No module named '…'"],
    ['FileNotFoundError', "[Errno 2] No such file or directory: 'data/train.csv'", "FileNotFoundError: [Errno …] No such file or directory: '…'"],
    ['OSError', 'cannot open /home/kim/data.csv', 'OSError: cannot open …'],
    ['SyntaxError', 'invalid syntax (<ipython-input-3-1c2b>, line 1)', 'SyntaxError: invalid syntax (<…>, line …)'],
    ['TypeError', 'object at 0x7f3a2b1c is not callable', 'TypeError: object at … is not callable'],
    ['ZeroDivisionError', 'division by zero', 'ZeroDivisionError: division by zero'],
    ['KeyboardInterrupt', '', 'KeyboardInterrupt'],
    ['ValueError', 'x1 must be positive\nsecond line', 'ValueError: x1 must be positive'],
  ];
  for (const [name, message, expected] of cases) assert.is(errorSignature(name, message), expected, message);
});

it('a very long message is cut to one readable line', () => {
  const signature = errorSignature('ValueError', 'word '.repeat(200));
  assert.ok(signature.length <= 200);
  assert.ok(signature.endsWith('…'));
});

/** One student's errors on one cell, as the database groups them. */
const group = (userId: string, message: string, cellId: string, count: number, latestId: number, latestAt: string): ErrorGroup => ({
  signature: errorSignature('NameError', message),
  errorName: 'NameError',
  notebookPath: 'lab1.ipynb',
  cellId,
  cellIndex: Number(cellId.slice(1)),
  userIds: [userId],
  count,
  latestId,
  latestAt,
});

it('clusters by signature and cell, most students first, counting each student once, with the newest error as example', () => {
  const groups = [
    group('ann', "name 'x' is not defined", 'c5', 2, 11, '2026-11-24T09:01:00.000Z'),
    group('bob', "name 'df' is not defined", 'c5', 1, 12, '2026-11-24T09:02:00.000Z'),
    group('cat', "name 'y' is not defined", 'c5', 1, 10, '2026-11-24T09:00:30.000Z'),
    group('dan', "name 'x' is not defined", 'c7', 3, 15, '2026-11-24T09:05:00.000Z'),
  ];
  assert.equal(newestErrorIds(groups).sort(), [12, 15], "each cluster's newest error");
  const examples = new Map([
    [12, { message: "name 'df' is not defined", traceback: 'Traceback for bob', userId: 'bob', at: '2026-11-24T09:02:00.000Z' }],
    [15, { message: "name 'x' is not defined", traceback: 'Traceback for dan', userId: 'dan', at: '2026-11-24T09:05:00.000Z' }],
  ]);
  const clusters = clusterErrors(groups, examples);
  assert.equal(
    clusters.map((c) => [c.signature, c.cellId, c.students, c.occurrences, c.userIds]),
    [
      ["NameError: name '…' is not defined", 'c5', 3, 4, ['ann', 'bob', 'cat']],
      ["NameError: name '…' is not defined", 'c7', 1, 3, ['dan']],
    ],
  );
  assert.equal(clusters[0].example, examples.get(12));
  assert.is(clusters[0].cellIndex, 5);
});

it('no errors, no clusters', () => {
  assert.equal(clusterErrors([], new Map()), []);
});

it.run();
