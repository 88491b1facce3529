/**
 * A notebook snapshot between the companion's answer and the queue (snapshotEvent.ts): what the
 * settings and the class policy let it carry, its secrets masked with the same rules as every
 * event (and the admin's patterns), the page given back the main thread between slices, and when a
 * timed snapshot is due.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { NotebookSnapshot } from '@cell-monitor/shared';
import { DEFAULT_SETTINGS } from '@cell-monitor/lab-extension/settings';
import { Privacy } from '../../lab-extension/src/privacy.ts';
import { createRedactor } from '../../lab-extension/src/redaction/index.ts';
import { maskSnapshot, NotebookActivity, SLICE_MS, snapshotScope, withinScope } from '../../lab-extension/src/snapshotEvent.ts';
import { memoryStorage } from '../helpers/memoryStorage.ts';

const it = suite('lab-extension notebook snapshots');

// Built at run time: the file holds no literal that looks like a live key.
const FAKE_KEY = ['sk', 'live', '1234567890abcdef'].join('-');
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

function buildSnapshot(): NotebookSnapshot {
  const outputs = [
    { output_type: 'stream', name: 'stdout', text: `api_key = "${FAKE_KEY}"\npassword = "hunter2-hunter2"\n` },
    { output_type: 'display_data', data: { 'image/png': PNG, 'text/plain': ['<Figure>'] }, metadata: {} },
  ];
  return {
    trigger: 'save',
    cells: [
      { id: 'c0', type: 'markdown', source: '# Week 1' },
      { id: 'c1', type: 'code', source: `api_key = "${FAKE_KEY}"\nprint(api_key)`, outputs: JSON.stringify(outputs) },
      { id: 'c2', type: 'code', source: 'x = 1', outputs: '[]' },
    ],
    truncated: false,
    totalCells: 3,
    totalBytes: 400,
  };
}

it('recording off, no consent, no code or the metadata policy: nothing; no output or the code policy: sources only', () => {
  assert.is(snapshotScope(DEFAULT_SETTINGS), 'sources_and_outputs');
  assert.is(snapshotScope({ ...DEFAULT_SETTINGS, enabled: false }), 'none');
  assert.is(snapshotScope({ ...DEFAULT_SETTINGS, captureCode: false }), 'none');
  assert.is(snapshotScope({ ...DEFAULT_SETTINGS, captureOutput: 'off' }), 'sources');
  assert.is(snapshotScope({ ...DEFAULT_SETTINGS, captureOutput: 'full' }), 'sources_and_outputs');
});

it("a notebook's class policy decides its scope (privacy.effective per notebook, over the local settings)", async () => {
  const privacy = new Privacy({
    storage: memoryStorage(),
    user: 'alice',
    fetchConfig: async () => ({ notice: 'n', consentRequired: false, version: 'v' }),
    fetchPolicy: async () => ({ policy: 'metadata', notebooks: { 'hw/a.ipynb': 'code', 'hw/b.ipynb': 'code_and_output' } }),
  });
  await privacy.load();
  assert.is(snapshotScope(privacy.effective(DEFAULT_SETTINGS, 'scratch.ipynb')), 'none');
  assert.is(snapshotScope(privacy.effective(DEFAULT_SETTINGS, 'hw/a.ipynb')), 'sources');
  assert.is(snapshotScope(privacy.effective(DEFAULT_SETTINGS, 'hw/b.ipynb')), 'sources_and_outputs');
  assert.is(snapshotScope(privacy.effective({ ...DEFAULT_SETTINGS, captureOutput: 'off' }, 'hw/b.ipynb')), 'sources', 'the class never widens the settings');
});

it('withinScope drops the outputs for sources only, and everything for none', () => {
  const snap = buildSnapshot();
  assert.is(withinScope(snap, 'sources_and_outputs'), snap);
  assert.is(withinScope(snap, 'none'), null);
  const sources = withinScope(snap, 'sources')!;
  assert.equal(sources.cells.map((c) => Object.keys(c).sort()), [['id', 'source', 'type'], ['id', 'source', 'type'], ['id', 'source', 'type']]);
  assert.equal(sources.cells.map((c) => c.source), snap.cells.map((c) => c.source));
  assert.is(sources.totalCells, 3);
});

it('secrets in sources and outputs are masked; images and clean cells are left as they are', async () => {
  const snap = buildSnapshot();
  const { snapshot, redactions } = await maskSnapshot(snap, createRedactor());
  const [md, code, clean] = snapshot.cells;
  assert.is(md, snap.cells[0]);
  assert.is(clean, snap.cells[2]);
  assert.not.match(code.source, FAKE_KEY);
  assert.match(code.source, /^api_key = "\[REDACTED:[a-z_-]+\]"\nprint\(api_key\)$/);
  assert.not.match(code.outputs!, FAKE_KEY);
  assert.not.match(code.outputs!, 'hunter2');
  const outputs = JSON.parse(code.outputs!);
  assert.is(outputs[1].data['image/png'], PNG);
  assert.equal(outputs[1].data['text/plain'], ['<Figure>']);
  assert.ok(redactions >= 3, `${redactions} secrets masked`);
  assert.equal({ ...snapshot, cells: [] }, { ...snap, cells: [] }, 'trigger, truncated and totals kept');
});

it("the admin's extra patterns apply to snapshots as to every event", async () => {
  const snap: NotebookSnapshot = { trigger: 'interval', cells: [{ type: 'code', source: 'student_id = "S-2026-0042"', outputs: '[{"output_type":"stream","name":"stdout","text":"S-2026-0042\\n"}]' }] };
  const { snapshot, redactions } = await maskSnapshot(snap, createRedactor(['S-\\d{4}-\\d{4}']));
  assert.is(snapshot.cells[0].source, 'student_id = "[REDACTED:custom]"');
  assert.is(JSON.parse(snapshot.cells[0].outputs!)[0].text, '[REDACTED:custom]\n');
  assert.is(redactions, 2);
});

it('masking a large notebook gives the main thread back between slices', async () => {
  const snap: NotebookSnapshot = { trigger: 'save', cells: Array.from({ length: 40 }, (_, i) => ({ type: 'code' as const, source: `x${i} = 1` })) };
  const slow = (text: string) => {
    const until = performance.now() + 1;
    while (performance.now() < until) {
      // a redactor that takes 1 ms a cell
    }
    return { text, count: 0 };
  };
  let pauses = 0;
  const { busyMs } = await maskSnapshot(snap, slow, async () => void (pauses += 1));
  // Bounds that hold however loaded the machine is (a busy box stretches each 1 ms cell, never shortens it):
  // a slice holds at most 9 cells (9 × ≥ 1 ms > SLICE_MS), so 40 cells give the page back at least 4 times;
  // and every pause follows a slice of more than SLICE_MS, so the page is not given back after every fast cell.
  assert.ok(pauses >= 4, `${pauses} pauses for 40 cells of ≥ 1 ms in slices of ${SLICE_MS} ms`);
  assert.ok(pauses * SLICE_MS < busyMs, `${pauses} pauses in ${busyMs.toFixed(1)} ms of masking: a pause came before its slice ran ${SLICE_MS} ms`);
  assert.ok(busyMs >= 40, `busy ${busyMs} ms`);
});

it('a timed snapshot is due N minutes after the last one, only if cells ran since; 0 is off', () => {
  const activity = new NotebookActivity();
  const min = 60_000;
  assert.equal(activity.due(100 * min, 10 * min), []);
  activity.ran('a.ipynb', 0);
  activity.ran('a.ipynb', 5 * min);
  assert.equal(activity.due(9 * min, 10 * min), []);
  assert.equal(activity.due(10 * min, 10 * min), ['a.ipynb']);
  assert.equal(activity.due(10 * min, 0), [], '0: no timed snapshots');
  activity.taken('a.ipynb', 10 * min, 'digest-1');
  assert.equal(activity.due(30 * min, 10 * min), [], 'nothing ran since');
  activity.taken('a.ipynb', 30 * min);
  activity.ran('a.ipynb', 31 * min);
  assert.equal(activity.due(39 * min, 10 * min), []);
  assert.equal(activity.due(40 * min, 10 * min), ['a.ipynb'], 'ten minutes after the last snapshot');
  activity.taken('a.ipynb', 40 * min, 'digest-1');
  activity.forget('a.ipynb');
  assert.equal(activity.due(100 * min, 10 * min), []);
});

it('a save of unchanged content is recognised by its digest; a snapshot not taken keeps the last digest', () => {
  const activity = new NotebookActivity();
  assert.is(activity.unchanged('a.ipynb', 'd1'), false);
  activity.taken('a.ipynb', 0, 'd1');
  assert.is(activity.unchanged('a.ipynb', 'd1'), true);
  assert.is(activity.unchanged('a.ipynb', 'd2'), false);
  assert.is(activity.unchanged('a.ipynb', undefined), false);
  activity.taken('a.ipynb', 1);
  assert.is(activity.unchanged('a.ipynb', 'd1'), true);
  assert.is(activity.unchanged('b.ipynb', 'd1'), false);
});

it.run();
