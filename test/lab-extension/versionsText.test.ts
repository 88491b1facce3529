import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compareCells } from '@cell-monitor/shared/notebookDiff';
import type { HistoryVersion } from '@cell-monitor/shared/notebookHistory';
import { changeText, NO_VERSIONS_TEXT, statisticsText, triggerText, versionOrdinal, versionsErrorText, versionSummary } from '../../lab-extension/src/versionsText.ts';

const it = suite('lab-extension Versions panel: what the student reads');

const version = (extra: Partial<HistoryVersion> = {}): HistoryVersion => ({
  id: 7,
  student_id: 1,
  notebook_path: 'week1.ipynb',
  saved_at: '2026-12-02T10:04:00.000Z',
  trigger: 'save',
  branch_id: null,
  branch: null,
  author: null,
  cell_count: 4,
  total_cells: 4,
  total_bytes: 120,
  truncated: false,
  commits: [],
  ...extra,
});

it('each way a version is kept reads in plain words; a branch version is from the instructor', () => {
  assert.is(triggerText(version()), 'saved');
  assert.is(triggerText(version({ trigger: 'submission' })), 'handed in');
  assert.match(triggerText(version({ trigger: 'interval' })), /every few minutes/);
  assert.is(triggerText(version({ trigger: 'instructor', branch_id: 3, author: 'Ms Sato' })), 'from your instructor (Ms Sato)');
  assert.is(triggerText(version({ trigger: 'save', branch_id: 3 })), 'from your instructor');
});

it('versions are numbered from the oldest, also on a later page', () => {
  assert.is(versionOrdinal({ total: 5, skip: 0 }, 0), 5);
  assert.is(versionOrdinal({ total: 5, skip: 0 }, 4), 1);
  assert.is(versionOrdinal({ total: 60, skip: 50 }, 0), 10);
});

it('a list entry: number, time, how, cells, labels, and a marker when the version is incomplete', () => {
  const handedIn = versionSummary(version({ trigger: 'submission', commits: [{ id: 1, version_id: 7, message: 'handed in', kind: 'submission', made_by: null, created_at: '' }] }), 3, () => '2 Dec 10:04');
  assert.equal(handedIn, { title: 'Version 3', when: '2 Dec 10:04', how: 'handed in · 4 cells', labels: ['handed in'], truncated: null });
  const big = versionSummary(version({ truncated: true, cell_count: 800, total_cells: 1200 }), 1, () => 't');
  assert.match(big.truncated!, /800 of 1200 cells kept/);
  const fix = versionSummary(version({ trigger: 'instructor', branch_id: 2, branch: 'fix-loop', author: 'Ms Sato', cell_count: 1 }), 4, () => 't');
  assert.is(fix.how, 'from your instructor (Ms Sato) · 1 cell · fix-loop');
});

it('the empty state says what is recorded and when a version appears', () => {
  for (const word of ['save', 'hand the notebook in', 'every few minutes', 'only you and your instructors', 'no versions are kept']) assert.ok(NO_VERSIONS_TEXT.includes(word), word);
});

it('each change says what happened since that version, by the cell number the student sees now', () => {
  const { changes, statistics } = compareCells(
    [{ id: 'a', type: 'code', source: 'x = 1' }, { id: 'b', type: 'markdown', source: '# Old' }, { id: 'c', type: 'code', source: 'y' }],
    [{ id: 'a', type: 'code', source: 'x = 2' }, { id: 'c', type: 'code', source: 'y' }, { id: 'n', type: 'code', source: 'new' }],
  );
  assert.equal(changes.map(changeText), ['Cell 1: edited since this version', 'Was cell 2 (markdown): deleted since this version', 'Cell 2: unchanged', 'Cell 3: new since this version']);
  assert.is(statisticsText(statistics), 'Since this version: 1 edited, 1 deleted, 1 new, 1 unchanged.');
  assert.is(statisticsText(compareCells([{ id: 'a', type: 'code', source: 'x' }], [{ id: 'a', type: 'code', source: 'x' }]).statistics), 'The same as your notebook now.');
});

it('a collector away, a missing version and other failures each have their sentence', () => {
  assert.match(versionsErrorText(Object.assign(new Error(), { status: 502 })), /cannot be reached/);
  assert.match(versionsErrorText(new TypeError('Failed to fetch')), /cannot be reached/);
  assert.is(versionsErrorText(Object.assign(new Error(), { status: 404 })), 'That version is not available any more.');
  assert.is(versionsErrorText(Object.assign(new Error(), { status: 500 })), 'Versions are not available right now; try again later.');
});

it.run();
