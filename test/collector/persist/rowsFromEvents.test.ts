import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CellEvent } from '@cell-monitor/shared';
import { accessAction, executionStatus, notebookName } from '../../../collector/src/activity/rowsFromEvents.ts';
import { latestBy, withoutNul } from '../../../collector/src/persist/eventRows.ts';

const event = (o: Partial<CellEvent>): CellEvent => ({ schemaVersion: 1, eventId: 'e', eventType: 'cell_execution_complete', eventTime: '2026-01-01T00:00:00.000Z', userId: 'u', ...o });

test('execution status follows the event type and the success flag', () => {
  assert.is(executionStatus(event({ eventType: 'cell_execution_start' })), 'running');
  assert.is(executionStatus(event({ success: true })), 'success');
  assert.is(executionStatus(event({ success: false })), 'error');
  assert.is(executionStatus(event({ eventType: 'cell_execution_error' })), 'error');
});

test('notebook accesses need a path', () => {
  assert.is(accessAction(event({ eventType: 'notebook_saved', notebookPath: '/a.ipynb' })), 'saved');
  assert.is(accessAction(event({ eventType: 'notebook_saved' })), undefined);
  assert.is(accessAction(event({ eventType: 'cell_execution_complete', notebookPath: '/a.ipynb' })), undefined);
  assert.is(notebookName('/course/week 1/intro.ipynb'), 'intro.ipynb');
});

test('latestBy keeps the newest value per key, so one upsert never touches a row twice', () => {
  const rows = latestBy(
    [event({ userId: 'b', eventTime: '2026-01-01T00:00:02Z' }), event({ userId: 'a', eventTime: '2026-01-01T00:00:05Z' }), event({ userId: 'b', eventTime: '2026-01-01T00:00:09Z' }), event({ userId: 'b', eventTime: '2026-01-01T00:00:01Z' })],
    (e) => e.userId,
    (e) => e.eventTime,
  );
  assert.equal([...rows], [['a', '2026-01-01T00:00:05Z'], ['b', '2026-01-01T00:00:09Z']]);
});

test('withoutNul replaces U+0000 in every string and leaves clean events untouched', () => {
  const clean = event({ code: 'x' });
  assert.is(withoutNul(clean), clean);
  assert.equal(withoutNul(event({ code: 'a\u0000b', output: ['\u0000'] })).output, ['\ufffd']);
});

test.run();
