import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EVENT_TYPES, type LiveEvent } from '@cell-monitor/shared';
import { studentStatus, stuckCell } from '../../../collector/src/board/statusRules.ts';
import { applyEvent, createActivity, errorLine, sparkline, type StudentActivity } from '../../../collector/src/board/studentActivity.ts';
import { DEFAULT_THRESHOLDS } from '../../../collector/src/board/thresholds.ts';

const it = suite('dashboard status rules');
const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);
const MIN = 60_000;
let seq = 0;

/** A builder: one event of `type` at `at` (epoch ms) for student kim. */
function event(type: string, at: number, fields: Partial<LiveEvent> = {}): LiveEvent {
  return { schemaVersion: 1, eventId: `e${++seq}`, eventType: type, eventTime: new Date(at).toISOString(), userId: 'kim', sessionId: 's1', notebookPath: 'lab1.ipynb', ...fields };
}
const run = (at: number, cellId: string, ok = true) =>
  event(ok ? EVENT_TYPES.cellExecutionComplete : EVENT_TYPES.cellExecutionError, at, {
    cellId,
    cellIndex: Number(cellId.slice(1)),
    success: ok,
    ...(ok ? {} : { error: { name: 'NameError', message: "name 'x' is not defined" } }),
  });

/** Folds events, each arriving when it happened unless `arrivedAt` says otherwise. */
function fold(events: Array<LiveEvent | [LiveEvent, number]>): StudentActivity {
  const activity = createActivity('kim');
  for (const item of events) {
    const [e, arrivedAt] = Array.isArray(item) ? item : [item, Date.parse(item.eventTime)];
    applyEvent(activity, e, arrivedAt);
  }
  return activity;
}

it('nothing heard: offline', () => {
  assert.is(studentStatus(createActivity('kim'), T0), 'offline');
});

it('a session open with a run in the last 5 min is active; without one, idle; ended or silent for an hour, offline', () => {
  const a = fold([event(EVENT_TYPES.sessionStart, T0), run(T0 + MIN, 'c1')]);
  assert.is(studentStatus(a, T0 + 2 * MIN), 'active');
  assert.is(studentStatus(a, T0 + MIN + 5 * MIN - 1), 'active');
  assert.is(studentStatus(a, T0 + MIN + 5 * MIN), 'idle', 'exactly 5 min after the run');
  assert.is(studentStatus(a, T0 + MIN + 60 * MIN), 'offline', 'nothing heard for an hour: the tab was closed without goodbye');
  applyEvent(a, event(EVENT_TYPES.sessionEnd, T0 + 2 * MIN), T0 + 2 * MIN);
  assert.is(studentStatus(a, T0 + 3 * MIN), 'offline', 'a recent run does not make an ended session active');
});

it('three error runs in a row on one cell: stuck on that cell with the error name; a success there clears it', () => {
  const a = fold([event(EVENT_TYPES.sessionStart, T0), run(T0 + 1000, 'c5', false), run(T0 + 2000, 'c5', false)]);
  assert.is(studentStatus(a, T0 + 3000), 'active', 'two errors are not yet stuck');
  applyEvent(a, run(T0 + 2500, 'c2'), T0 + 2500);
  applyEvent(a, run(T0 + 3000, 'c5', false), T0 + 3000);
  assert.is(studentStatus(a, T0 + 4000), 'stuck', 'a success on another cell does not break the streak on c5');
  assert.equal(stuckCell(a, DEFAULT_THRESHOLDS), { cellId: 'c5', cellIndex: 5, notebookPath: 'lab1.ipynb', count: 3, errorName: 'NameError', lastAt: T0 + 3000 });
  assert.is(studentStatus(a, T0 + 30 * MIN), 'stuck', 'stuck does not wear off with time');
  applyEvent(a, run(T0 + 5000, 'c5'), T0 + 5000);
  assert.is(studentStatus(a, T0 + 6000), 'active');
  assert.is(stuckCell(a, DEFAULT_THRESHOLDS), undefined);
});

it('the stuck threshold is per class', () => {
  const a = fold([event(EVENT_TYPES.sessionStart, T0), run(T0 + 1000, 'c1', false), run(T0 + 2000, 'c1', false)]);
  assert.is(studentStatus(a, T0 + 3000, { ...DEFAULT_THRESHOLDS, stuckErrors: 2 }), 'stuck');
  assert.is(studentStatus(a, T0 + 3000, { ...DEFAULT_THRESHOLDS, stuckErrors: 5 }), 'active');
});

it('an open help request wins over everything; a cancel closes it', () => {
  const a = fold([event(EVENT_TYPES.sessionStart, T0), run(T0 + 1, 'c1', false), run(T0 + 2, 'c1', false), run(T0 + 3, 'c1', false)]);
  applyEvent(a, event(EVENT_TYPES.helpRequest, T0 + 10, { cellId: 'c1' }), T0 + 10);
  assert.is(studentStatus(a, T0 + 20), 'help');
  assert.equal(a.help, { requestedAt: T0 + 10, notebookPath: 'lab1.ipynb', cellId: 'c1' });
  assert.equal([a.cellId, a.cellIndex], ['c1', 1], 'the help request names the cell without its index: the index stays');
  applyEvent(a, event(EVENT_TYPES.helpCancel, T0 + 30), T0 + 30);
  assert.is(studentStatus(a, T0 + 40), 'stuck');
});

it('events arriving more than 2 min after they happened: catching up while they keep coming, then the real picture', () => {
  const late = (at: number, arrived: number, cell: string) => [run(at, cell), arrived] as [LiveEvent, number];
  const a = fold([[event(EVENT_TYPES.sessionStart, T0), T0 + 20 * MIN], late(T0 + MIN, T0 + 20 * MIN, 'c1'), late(T0 + 2 * MIN, T0 + 20 * MIN + 500, 'c2')]);
  assert.is(studentStatus(a, T0 + 20 * MIN + 1000), 'catching_up', 'the runs are 18 min old: not active, but the picture is incomplete');
  assert.is(a.lagMs, 18 * MIN + 500);
  assert.is(studentStatus(a, T0 + 20 * MIN + 31_000), 'idle', 'the queue drained: what the events say');
  const b = fold([[run(T0, 'c1'), T0 + 90_000]]);
  assert.is(studentStatus(b, T0 + 91_000), 'active', '90 s late is ordinary network and queue delay');
});

it('a new session resets the run and error counts; an older event does not move the current cell back', () => {
  const a = fold([event(EVENT_TYPES.sessionStart, T0), run(T0 + 1, 'c1', false), run(T0 + 2, 'c2')]);
  assert.equal([a.runs, a.errors, a.cellId], [2, 1, 'c2']);
  applyEvent(a, run(T0 + 1, 'c9'), T0 + 3);
  assert.is(a.cellId, 'c2', 'a late event from before does not move the student back');
  applyEvent(a, event(EVENT_TYPES.sessionStart, T0 + 10, { sessionId: 's2' }), T0 + 10);
  assert.equal([a.runs, a.errors], [0, 0]);
});

it('the sparkline counts runs per minute over the last 30 minutes, oldest first', () => {
  const a = fold([event(EVENT_TYPES.sessionStart, T0), run(T0, 'c1'), run(T0 + 1000, 'c1'), run(T0 + 5 * MIN, 'c2')]);
  const line = sparkline(a, T0 + 5 * MIN);
  assert.is(line.length, 30);
  assert.equal(line.slice(-6), [2, 0, 0, 0, 0, 1]);
  assert.equal(sparkline(a, T0 + 40 * MIN), new Array(30).fill(0), 'older runs fall off');
});

it('the last error reads as one line, cut with an ellipsis', () => {
  assert.is(errorLine({ name: 'NameError', message: "name 'x' is not defined" }), "NameError: name 'x' is not defined");
  assert.is(errorLine({ name: 'ValueError', message: 'first line\nsecond line' }), 'ValueError: first line');
  assert.is(errorLine({ name: 'KeyboardInterrupt', message: '' }), 'KeyboardInterrupt');
  assert.is(errorLine({ name: 'E', message: 'x'.repeat(500) }, 20), `E: ${'x'.repeat(16)}…`);
});

it.run();
