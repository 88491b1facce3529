/** The replay's state as pure functions (dashboard/src/history/replayState.ts): its docblock table, case by case. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HistoryCell, HistoryVersion, ReplayRun, ReplayTimeline } from '@cell-monitor/shared/notebookHistory';
import { cellOfRun, focusIndex, nearestChange, nearestError, replayOf, versionAt } from '../../dashboard/src/history/replayState.ts';

const it = suite('dashboard page: replay state (pure)');
const at = (minute: number) => new Date(Date.UTC(2026, 11, 2, 9, minute)).toISOString();

function version(id: number, minute: number, fields: Partial<HistoryVersion> = {}): HistoryVersion {
  return { id, student_id: 1, notebook_path: 'lab1.ipynb', saved_at: at(minute), trigger: 'save', branch_id: null, branch: null, author: null, cell_count: 2, total_cells: 2, total_bytes: 10, truncated: false, commits: [], ...fields };
}
function run(id: string, minute: number, fields: Partial<ReplayRun> = {}): ReplayRun {
  return { event_id: id, at: at(minute), cell_id: 'c2', cell_index: null, success: true, error_name: null, error_message: null, code: null, ...fields };
}
const failed = (id: string, minute: number, fields: Partial<ReplayRun> = {}) => run(id, minute, { success: false, error_name: 'NameError', error_message: "name 'z' is not defined", ...fields });
const cell = (position: number, cell_id: string | null): HistoryCell => ({ position, cell_id, cell_type: 'code', source: `cell ${position}`, outputs: null });

const timeline: ReplayTimeline = {
  student_id: 1,
  notebook_path: 'lab1.ipynb',
  // Out of order on purpose, and one version on an instructor's branch.
  versions: [version(2, 10), version(1, 0), version(3, 20), version(9, 15, { branch_id: 4, branch: 'fix', author: 'Ms Sato', trigger: 'instructor' })],
  runs: [run('r0', -1), run('r1', 5), failed('e1', 12), failed('e2', 14, { cell_id: 'c3' }), run('r2', 10), run('r3', 25)],
};

it("moments are ordered by time, a save before a run at the same instant; only the student's own versions", () => {
  const replay = replayOf(timeline);
  assert.equal(replay.versions.map((v) => v.id), [1, 2, 3]);
  assert.equal(
    replay.moments.map((m) => (m.kind === 'version' ? `v${m.version.id}` : m.run.event_id)),
    ['r0', 'v1', 'r1', 'v2', 'r2', 'e1', 'e2', 'v3', 'r3'],
  );
});

it('each moment shows the latest version at or before it; none before the first save', () => {
  const replay = replayOf(timeline);
  assert.equal(replay.moments.map((_, i) => versionAt(replay, i)?.id ?? null), [null, 1, 1, 2, 2, 2, 2, 3, 3]);
  assert.is(versionAt(replay, 99), null);
});

it("a run's cell: by cell id, else by index; a version with ids that lacks the id has no such cell", () => {
  const withIds = [cell(0, 'c1'), cell(1, 'c2'), cell(2, 'c3')];
  assert.is(cellOfRun({ cell_id: 'c3', cell_index: 0 }, withIds), 2);
  assert.is(cellOfRun({ cell_id: 'c9', cell_index: 1 }, withIds), null, 'not saved yet');
  const withoutIds = [cell(0, null), cell(1, null)];
  assert.is(cellOfRun({ cell_id: 'c9', cell_index: 1 }, withoutIds), 1);
  assert.is(cellOfRun({ cell_id: null, cell_index: 5 }, withoutIds), null);
  assert.is(cellOfRun({ cell_id: null, cell_index: null }, withIds), null);
});

it('previous / next change land on versions; previous / next error on failed runs; none past the ends', () => {
  const replay = replayOf(timeline);
  assert.is(nearestChange(replay, 0, 1), 1);
  assert.is(nearestChange(replay, 3, 1), 7);
  assert.is(nearestChange(replay, 3, -1), 1);
  assert.is(nearestChange(replay, 7, 1), null);
  assert.is(nearestError(replay, 0, 1), 5);
  assert.is(nearestError(replay, 5, 1), 6);
  assert.is(nearestError(replay, 6, 1), null);
  assert.is(nearestError(replay, 8, -1), 6);
});

it('a jump opens at the newest failed run of its cell and error, at or before its time; else the last moment before it; else the end', () => {
  const replay = replayOf(timeline);
  assert.is(focusIndex(replay, null), 8);
  assert.is(focusIndex(replay, { notebookPath: 'lab1.ipynb', cellId: 'c2', errorName: 'NameError' }), 5);
  assert.is(focusIndex(replay, { notebookPath: 'lab1.ipynb', cellId: 'c3', errorName: 'NameError' }), 6);
  assert.is(focusIndex(replay, { notebookPath: 'lab1.ipynb', cellId: 'c3', errorName: 'NameError', at: at(13) }), 5, 'that cell had not failed by then: the last moment before the time');
  assert.is(focusIndex(replay, { notebookPath: 'lab1.ipynb', cellId: null, cellIndex: null, errorName: 'NameError' }), 6, 'no cell named: any failed run');
  assert.is(focusIndex(replay, { notebookPath: 'lab1.ipynb', cellId: 'c2', errorName: 'TypeError' }), 8, 'no such error: the end');
  assert.is(focusIndex(replayOf({ ...timeline, versions: [], runs: [] }), null), -1);
});

it.run();
