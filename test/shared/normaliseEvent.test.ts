import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cellEventSchema, normaliseEvent, passesFastCheck, SCHEMA_VERSION, utf8Length } from '@cell-monitor/shared';
import { SEED_001_CURL_BODY, SEED_003_COMPLETE, SEED_003_ERROR, SEED_003_START } from '../helpers/seedBodies.ts';

const derive = () => 'derived-id';

test('seed 001 curl body becomes a canonical cell_execution_complete event', () => {
  const result = normaliseEvent(SEED_001_CURL_BODY[0]);
  assert.ok(result.ok);
  if (!result.ok) return;
  assert.equal(result.event, {
    schemaVersion: SCHEMA_VERSION,
    eventId: 'test',
    eventType: 'cell_execution_complete',
    eventTime: '2024-01-01T00:00:00.000Z',
    userId: 'test-user',
  });
});

test('seed 003 snake_case bodies map onto the camelCase fields', () => {
  const start = normaliseEvent(SEED_003_START, { deriveEventId: derive });
  const complete = normaliseEvent(SEED_003_COMPLETE, { deriveEventId: derive });
  const error = normaliseEvent(SEED_003_ERROR, { deriveEventId: derive });
  assert.ok(start.ok && complete.ok && error.ok);
  if (!start.ok || !complete.ok || !error.ok) return;
  assert.is(start.event.userId, 'user123');
  assert.is(start.event.sessionId, 'sess-abc');
  assert.is(start.event.notebookPath, '/notebooks/assignment1.ipynb');
  assert.is(start.event.code, "print('hello')");
  assert.is(start.event.eventTime, '2025-01-19T12:00:00.000Z');
  assert.is(start.event.eventId, 'derived-id');
  assert.is(complete.event.durationMs, 150);
  assert.is(complete.event.success, true);
  assert.equal(complete.event.output, { data: 'hello', execution_count: 1 });
  assert.equal(error.event.error, { name: 'NameError', message: "name 'x' is not defined", traceback: '...' });
});

test('seed 001 hasError / errorMessage / result / executionDurationMs become success / error / output / durationMs', () => {
  const result = normaliseEvent({
    eventId: 'e1', eventType: 'cell_executed', eventTime: '2024-01-01T00:00:00Z', userId: 'u',
    hasError: true, errorMessage: 'boom', result: '42', executionDurationMs: 7.5,
  });
  assert.ok(result.ok);
  if (!result.ok) return;
  assert.is(result.event.success, false);
  assert.equal(result.event.error, { name: 'Error', message: 'boom' });
  assert.is(result.event.output, '42');
  assert.is(result.event.durationMs, 7.5);
});

test('the stamped user id wins over the body', () => {
  const result = normaliseEvent({ ...SEED_001_CURL_BODY[0], userId: 'mallory' }, { userId: 'alice' });
  assert.ok(result.ok && result.event.userId === 'alice');
});

test('unknown event types are kept; unknown fields move into metadata', () => {
  const result = normaliseEvent({ eventId: 'x', eventType: 'widget_clicked', eventTime: Date.UTC(2026, 10, 23, 9), userId: 'u', widget: 'slider' });
  assert.ok(result.ok);
  if (!result.ok) return;
  assert.is(result.event.eventType, 'widget_clicked');
  assert.is(result.event.eventTime, '2026-11-23T09:00:00.000Z', 'epoch milliseconds');
  assert.equal(result.event.metadata, { widget: 'slider' });
});

test('large output is replaced by a truncated preview', () => {
  const result = normaliseEvent({ ...SEED_001_CURL_BODY[0], output: 'x'.repeat(5000) }, { outputMaxChars: 100 });
  assert.ok(result.ok);
  if (!result.ok) return;
  assert.equal(result.event.output, { truncated: true, originalChars: 5000, preview: 'x'.repeat(100) });
});

test('invalid events say which fields are wrong', () => {
  const cases: [unknown, string[]][] = [
    ['not an object', []],
    [{ eventType: 'x', eventTime: '2024-01-01T00:00:00Z', userId: 'u' }, ['eventId']],
    [{ eventId: 'a', eventType: 'has space', eventTime: '2024-01-01T00:00:00Z', userId: 'u' }, ['eventType']],
    [{ eventId: 'a', eventType: 'x', eventTime: 'yesterday', userId: 'u' }, ['eventTime']],
    [{ eventId: 'a', eventType: 'x', eventTime: '2024-01-01T00:00:00Z' }, ['userId']],
    [{ eventId: 'a', eventType: 'x', eventTime: '2024-01-01T00:00:00Z', userId: 'u', executionCount: -1 }, ['executionCount']],
    [{ eventId: 'a', eventType: 'x', eventTime: '2024-01-01T00:00:00Z', userId: 'u', success: 'yes' }, ['success']],
    [{ eventId: 'a', eventType: 'x', eventTime: '2024-01-01T00:00:00Z', userId: 'u', error: { name: 5, message: 'numeric name' } }, ['error.name']],
  ];
  for (const [raw, fields] of cases) {
    const result = normaliseEvent(raw);
    assert.not.ok(result.ok, `accepted ${JSON.stringify(raw)}`);
    if (result.ok) continue;
    assert.is(result.error, 'invalid_event');
    assert.ok(result.message.length > 0);
    for (const field of fields) assert.ok(result.fields.includes(field), `${field} not named for ${JSON.stringify(raw)}: ${result.fields}`);
  }
});

test('the fast check never accepts what the yup schema rejects (conformance over generated events)', () => {
  const base = { schemaVersion: 1, eventId: 'e', eventType: 'cell_execution_complete', eventTime: '2024-01-01T00:00:00.000Z', userId: 'u' };
  const variants: Record<string, unknown[]> = {
    eventId: ['', ' x', 'x'.repeat(129), 'x'.repeat(128), 5, null],
    userId: ['', 'u ', 'x'.repeat(256), 'ok'],
    eventType: ['a b', '1abc', 'x'.repeat(65), 'help_request', ''],
    eventTime: [5, 'x'],
    executionCount: [-1, 1.5, 0, 3, '3', NaN],
    cellIndex: [-1, 2, 2.5],
    durationMs: [-1, 0, 1.5, Infinity, '1'],
    success: [true, 'true', 0],
    code: ['print(1)', 5, 'x'.repeat(1_000_001)],
    notebookPath: ['/a.ipynb', 'x'.repeat(1025), 3, '王'.repeat(341), '王'.repeat(342), '王'.repeat(1000), '😀'.repeat(256), '😀'.repeat(257)],
    cellType: ['code', 'x'.repeat(33)],
    error: [{ name: 'E', message: 'm' }, { name: 'E' }, { message: 'm' }, 'E', { name: 'E', message: 'm', traceback: 3 }],
    metadata: [{}, [], 'm', { a: 1 }],
    extraField: [1],
    schemaVersion: [2, '1'],
  };
  let agreements = 0;
  for (const [field, values] of Object.entries(variants)) {
    for (const value of values) {
      const event = { ...base, [field]: value };
      if (passesFastCheck(event)) {
        assert.ok(cellEventSchema.isValidSync(event, { strict: true }), `fast check accepted ${field}=${JSON.stringify(value)} which yup rejects`);
        agreements += 1;
      }
    }
  }
  assert.ok(agreements >= 15, `fast path covered only ${agreements} variants`);
  assert.ok(passesFastCheck(base));
});

test('eventTime must be after 2000 and at most a day ahead of the collector (year 9999 would pin "last seen")', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  const at = (eventTime: unknown) => normaliseEvent({ eventId: 'x', eventType: 'cell_execution_complete', eventTime, userId: 'u' }, { now });
  for (const ok of ['2000-01-01T00:00:00Z', '2026-11-24T11:59:00Z', '2026-11-23T12:00:00+09:00']) assert.ok(at(ok).ok, ok);
  for (const bad of ['9999-12-31T23:59:59Z', '1999-12-31T23:59:59Z', '2026-11-24T12:01:00Z', -1, 8.64e15, 0]) {
    const result = at(bad);
    assert.not.ok(result.ok, `accepted ${bad}`);
    if (!result.ok) assert.equal(result.fields, ['eventTime']);
  }
});

test('an event nested deeper than 64 levels is refused as too_deep before anything walks it', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 5000; i++) deep = { a: deep };
  for (const raw of [
    { eventId: 'x', eventType: 'e', eventTime: '2024-01-01T00:00:00Z', userId: 'u', metadata: deep },
    { eventId: 'x', eventType: 'e', eventTime: '2024-01-01T00:00:00Z', userId: 'u', output: deep },
    { eventType: 'e', eventTime: '2024-01-01T00:00:00Z', userId: 'u', extra: deep }, // no eventId: the id derivation walks the body
    { eventId: 'x', eventType: 'e', eventTime: '2024-01-01T00:00:00Z', userId: 'u', error: { name: 'E', message: 'm', traceback: [[[[deep]]]] } },
  ]) {
    const result = normaliseEvent(raw, { deriveEventId: (r) => JSON.stringify(r).slice(0, 10) });
    assert.not.ok(result.ok);
    if (!result.ok) assert.is(result.error, 'too_deep');
  }
  let ok: unknown = 1;
  for (let i = 0; i < 60; i++) ok = [ok];
  assert.ok(normaliseEvent({ eventId: 'x', eventType: 'e', eventTime: '2024-01-01T00:00:00Z', userId: 'u', metadata: { ok } }).ok, '62 levels are fine');
});

test('notebookPath is limited in UTF-8 bytes (it is indexed): 1,000 CJK characters are refused, 300 pass', () => {
  const base = { eventId: 'x', eventType: 'cell_execution_complete', eventTime: '2024-01-01T00:00:00Z', userId: 'u' };
  const long = normaliseEvent({ ...base, notebookPath: '課題'.repeat(500) });
  assert.not.ok(long.ok);
  if (!long.ok) assert.equal(long.fields, ['notebookPath']);
  assert.ok(normaliseEvent({ ...base, notebookPath: '課題'.repeat(150) }).ok);
  assert.is(utf8Length('a王😀'), 1 + 3 + 4);
});

test.run();
