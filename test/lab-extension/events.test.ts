import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { normaliseEvent } from '@cell-monitor/shared';
import { captureOutput, executionEndEvent, executionStartEvent, makeEvent, outputText, overflowEvent, type EventContext, type ExecutionFacts } from '@cell-monitor/lab-extension/events';
import { DEFAULT_SETTINGS, readSettings } from '@cell-monitor/lab-extension/settings';

const it = suite('lab-extension event mapping');

let ids = 0;
const ctx: EventContext = {
  userId: 'student-7',
  sessionId: 'session-a',
  newId: () => `id-${++ids}`,
  now: () => new Date(Date.UTC(2026, 10, 23, 9, 30, 0)),
};

const cell = { notebookPath: 'week1/intro.ipynb', cellId: 'c-1', cellIndex: 3, code: 'print("hi")' };
const ok: ExecutionFacts = {
  ...cell,
  executionCount: 5,
  durationMs: 12.34567,
  success: true,
  outputs: [{ output_type: 'stream', name: 'stdout', text: ['hi\n'] }],
};
const ansiTraceback = ['\u001b[0;31mNameError\u001b[0m  Traceback (most recent call last)', "\u001b[0;31mNameError\u001b[0m: name 'x' is not defined"];
const failed: ExecutionFacts = {
  ...cell,
  code: 'x + 1',
  executionCount: 6,
  durationMs: 3,
  success: false,
  outputs: [{ output_type: 'error', ename: 'NameError', evalue: "name 'x' is not defined", traceback: ansiTraceback }],
};

it('a successful run becomes cell_execution_complete with the cell, count, duration and output — and the collector accepts it', () => {
  const event = executionEndEvent(ctx, ok, DEFAULT_SETTINGS);
  assert.is(event.eventType, 'cell_execution_complete');
  assert.is(event.schemaVersion, 1);
  assert.is(event.eventTime, '2026-11-23T09:30:00.000Z');
  assert.is(event.userId, 'student-7');
  assert.is(event.sessionId, 'session-a');
  assert.is(event.notebookPath, 'week1/intro.ipynb');
  assert.is(event.cellId, 'c-1');
  assert.is(event.cellIndex, 3);
  assert.is(event.code, 'print("hi")');
  assert.is(event.executionCount, 5);
  assert.is(event.durationMs, 12.346);
  assert.is(event.success, true);
  assert.is(event.output, 'hi\n');
  assert.is(event.error, undefined);
  const normalised = normaliseEvent(event);
  assert.ok(normalised.ok, JSON.stringify(normalised));
});

it('an error becomes cell_execution_error with name, message and a traceback without terminal colours', () => {
  const event = executionEndEvent(ctx, failed, DEFAULT_SETTINGS);
  assert.is(event.eventType, 'cell_execution_error');
  assert.is(event.success, false);
  assert.equal(event.error?.name, 'NameError');
  assert.equal(event.error?.message, "name 'x' is not defined");
  assert.is(event.error?.traceback, "NameError  Traceback (most recent call last)\nNameError: name 'x' is not defined");
  assert.ok(normaliseEvent(event).ok);
  // The kernel's reply (executed signal) wins over the output when both are there.
  const fromSignal = executionEndEvent(ctx, { ...failed, error: { name: 'ZeroDivisionError', message: 'division by zero', traceback: [] } }, DEFAULT_SETTINGS);
  assert.is(fromSignal.error?.name, 'ZeroDivisionError');
  assert.is(fromSignal.error?.traceback, undefined);
});

it('a run that failed without a kernel error (cancelled) is a complete event with success false', () => {
  const event = executionEndEvent(ctx, { ...ok, success: false, outputs: [], executionCount: null }, DEFAULT_SETTINGS);
  assert.is(event.eventType, 'cell_execution_complete');
  assert.is(event.success, false);
  assert.is(event.executionCount, undefined);
  assert.is(event.output, undefined);
});

it('capture code off leaves the source out; start events carry the cell but no result', () => {
  const settings = { ...DEFAULT_SETTINGS, captureCode: false };
  assert.is(executionEndEvent(ctx, ok, settings).code, undefined);
  const start = executionStartEvent(ctx, cell, settings);
  assert.is(start.eventType, 'cell_execution_start');
  assert.is(start.code, undefined);
  assert.is(start.cellId, 'c-1');
  assert.is(start.success, undefined);
  assert.is(executionStartEvent(ctx, cell, DEFAULT_SETTINGS).code, 'print("hi")');
});

it('output capture: off, truncated at the cap (flagged), full as nbformat outputs, and text when full is too large', () => {
  const outputs = [
    { output_type: 'stream', name: 'stdout', text: 'abcdefghij' },
    { output_type: 'execute_result', data: { 'text/plain': '42', 'text/html': '<b>42</b>' } },
    { output_type: 'display_data', data: { 'image/png': 'iVBOR...' } },
    { output_type: 'error', ename: 'ValueError', evalue: 'bad', traceback: ['\u001b[31mValueError\u001b[0m'] },
  ];
  assert.is(outputText(outputs), 'abcdefghij42\n[image/png]\nValueError: bad\n');
  assert.equal(captureOutput(outputs, { captureOutput: 'off', outputMaxChars: 100 }), {});
  assert.equal(captureOutput(outputs, { captureOutput: 'truncated', outputMaxChars: 4 }), { output: 'abcd', truncated: true });
  assert.equal(captureOutput(outputs, { captureOutput: 'truncated', outputMaxChars: 1000 }), { output: 'abcdefghij42\n[image/png]\nValueError: bad\n' });
  const full = captureOutput(outputs, { captureOutput: 'full', outputMaxChars: 4 });
  assert.is((full.output as unknown[]).length, 4);
  assert.equal((full.output as Array<{ traceback?: string[] }>)[3].traceback, ['ValueError']);
  const huge = [{ output_type: 'display_data', data: { 'text/plain': 'x'.repeat(70_000) } }];
  const fallback = captureOutput(huge, { captureOutput: 'full', outputMaxChars: 4 });
  assert.is(typeof fallback.output, 'string');
  assert.is((fallback.output as string).length, 64 * 1024);
  assert.is(fallback.truncated, true);
  const event = executionEndEvent(ctx, { ...ok, outputs: [{ output_type: 'stream', text: 'y'.repeat(5000) }] }, DEFAULT_SETTINGS);
  assert.is((event.output as string).length, DEFAULT_SETTINGS.outputMaxChars);
  assert.equal(event.metadata, { outputTruncated: true });
});

it('the overflow report reuses its report id as eventId, so a resent report is counted once', () => {
  const event = overflowEvent(ctx, { count: 17, reportId: 'report-1', since: '2026-11-23T09:00:00.000Z' });
  assert.is(event.eventId, 'report-1');
  assert.is(event.eventType, 'client_queue_overflow');
  assert.equal(event.metadata, { droppedEvents: 17, droppedSince: '2026-11-23T09:00:00.000Z' });
  assert.ok(normaliseEvent(event).ok);
  assert.is(makeEvent(ctx, 'help_request').eventType, 'help_request');
});

it('settings: defaults for missing or wrong values, numbers kept inside what the collector takes', () => {
  assert.equal(readSettings(undefined), DEFAULT_SETTINGS);
  const read = readSettings({ enabled: false, captureOutput: 'everything', batchSize: 5000, flushIntervalMs: 1, maxQueueSize: 'lots', outputMaxChars: 12.6 });
  assert.is(read.enabled, false);
  assert.is(read.captureOutput, DEFAULT_SETTINGS.captureOutput);
  assert.is(read.batchSize, 100);
  assert.is(read.flushIntervalMs, 100);
  assert.is(read.maxQueueSize, DEFAULT_SETTINGS.maxQueueSize);
  assert.is(read.outputMaxChars, 13);
});

it.run();
