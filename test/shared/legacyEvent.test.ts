/**
 * The original extension's (v1.x) `IStudentProgressData` → the canonical event: its table in
 * shared/legacyEvent.ts, read as a spec.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isLegacyPayload, isSelfReportedUser, legacyBatchOf, legacyError, legacyTime, normaliseLegacyEvent, SCHEMA_VERSION, withoutServerMetadata, type CellEvent } from '@cell-monitor/shared';

const NOW = Date.parse('2026-11-30T12:00:00Z');

/** The fields of a v1 cell run its canonical event keeps as they are (name and value). */
const PASSED_THROUGH = { sessionId: 'sess-1', notebookPath: 'lesson1.ipynb', cellId: 'cell-3', cellIndex: 2, cellType: 'code', code: 'print(x)', executionCount: 7 };

function v1(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: 'v1-evt-1',
    eventType: 'cell_executed',
    eventTime: '2026-11-30T10:15:00.000Z',
    emailAddress: 'Hanako.Yamada@Example.ac.jp ',
    userName: '山田 花子',
    teamName: 'チームA',
    ...PASSED_THROUGH,
    hasError: false,
    errorMessage: null,
    result: '42',
    executionDurationMs: 35,
    ...overrides,
  };
}

function accepted(raw: unknown): CellEvent {
  const result = normaliseLegacyEvent(raw, { now: NOW });
  if (!result.ok) throw new Error(`rejected: ${result.message}`);
  return result.event;
}

test('a successful cell_executed becomes cell_execution_complete; the lower-cased emailAddress is the user id, in the self-reported namespace', () => {
  assert.equal(accepted(v1()), {
    schemaVersion: SCHEMA_VERSION,
    eventId: 'v1-evt-1',
    eventType: 'cell_execution_complete',
    eventTime: '2026-11-30T10:15:00.000Z',
    userId: 'v1:hanako.yamada@example.ac.jp',
    ...PASSED_THROUGH,
    durationMs: 35,
    output: '42',
    success: true,
    metadata: { client: 'cell-monitor-v1', selfReported: { name: '山田 花子', team: 'チームA' } },
  });
});

test('hasError: true → cell_execution_error, success false, the error name read from "NameError: …"', () => {
  const event = accepted(v1({ hasError: true, errorMessage: "NameError: name 'x' is not defined", result: null }));
  assert.is(event.eventType, 'cell_execution_error');
  assert.is(event.success, false);
  assert.equal(event.error, { name: 'NameError', message: "name 'x' is not defined" });
  assert.not.ok('output' in event);
  assert.equal(legacyError('something broke'), { name: 'Error', message: 'something broke' });
  assert.equal(legacyError(null), { name: 'Error', message: '' });
});

test('notebook events keep their names; help → help_request marked as a heartbeat; help_stop → help_cancel', () => {
  assert.is(accepted(v1({ eventType: 'notebook_opened' })).eventType, 'notebook_opened');
  assert.is(accepted(v1({ eventType: 'notebook_saved' })).eventType, 'notebook_saved');
  assert.is(accepted(v1({ eventType: 'notebook_closed' })).eventType, 'notebook_closed');
  const help = accepted(v1({ eventType: 'help', code: null, cellId: null, cellIndex: null, hasError: null }));
  assert.is(help.eventType, 'help_request');
  assert.is(help.metadata?.helpHeartbeat, true);
  assert.not.ok('success' in help, 'only cell runs say whether they succeeded');
  const stop = accepted(v1({ eventType: 'help_stop' }));
  assert.is(stop.eventType, 'help_cancel');
  assert.not.ok('helpHeartbeat' in (stop.metadata ?? {}));
});

test('null optional fields are absent, not null; unknown fields are kept under metadata', () => {
  const event = accepted({ eventId: 'e2', eventType: 'notebook_opened', eventTime: '2026-11-30T10:15:00Z', emailAddress: 'a@b.jp', userName: null, teamName: null, sessionId: null, notebookPath: 'n.ipynb', cellId: null, cellIndex: null, cellType: null, code: null, executionCount: null, hasError: null, errorMessage: null, result: null, executionDurationMs: null, browser: 'firefox' });
  assert.equal(event, { schemaVersion: SCHEMA_VERSION, eventId: 'e2', eventType: 'notebook_opened', eventTime: '2026-11-30T10:15:00.000Z', userId: 'v1:a@b.jp', notebookPath: 'n.ipynb', metadata: { browser: 'firefox', client: 'cell-monitor-v1' } });
});

test("a v1 body cannot set the server's metadata keys: an unknown field named like one is dropped", () => {
  const event = accepted(v1({ userName: null, teamName: null, legacyClassCode: 'OTHER-CLASS', selfReported: { name: 'Teacher', team: 'X' }, client: 'lab', helpHeartbeat: true, browser: 'firefox' }));
  assert.equal(event.metadata, { browser: 'firefox', client: 'cell-monitor-v1' });
  assert.ok(isSelfReportedUser(event.userId));
  assert.not.ok(isSelfReportedUser('hanako.yamada@example.ac.jp'));
  assert.equal(withoutServerMetadata({ metadata: { legacyClassCode: 'A', selfReported: {}, client: 'x', helpHeartbeat: true, kernelName: 'python3' } }), { metadata: { kernelName: 'python3' } });
  const plain = { metadata: { kernelName: 'python3' } };
  assert.is(withoutServerMetadata(plain), plain, 'nothing to drop: the same object');
});

test('a time without a zone is the collector\'s local time; with Z or an offset, as written; impossible dates are refused', () => {
  assert.is(legacyTime('2026-11-30T10:15:00'), new Date(2026, 10, 30, 10, 15, 0).toISOString());
  assert.is(legacyTime('2026-11-30T10:15:00.123'), new Date(2026, 10, 30, 10, 15, 0, 123).toISOString());
  assert.is(legacyTime('2026-11-30 10:15:00.123456'), new Date(2026, 10, 30, 10, 15, 0, 123).toISOString(), "Python's str(datetime)");
  assert.is(legacyTime('2026-11-30T10:15'), new Date(2026, 10, 30, 10, 15).toISOString());
  assert.is(legacyTime('2026-11-30T10:15:00+09:00'), '2026-11-30T01:15:00.000Z');
  assert.is(legacyTime('2026-11-30T10:15:00Z'), '2026-11-30T10:15:00.000Z');
  assert.is(legacyTime(Date.UTC(2026, 10, 30)), '2026-11-30T00:00:00.000Z');
  for (const bad of ['2026-13-01T10:00:00', '2026-02-30T10:00:00', '2026-11-30T25:00:00', 'yesterday', '', null, undefined, {}]) {
    assert.is(legacyTime(bad), undefined, String(bad));
  }
  assert.is(accepted(v1({ eventTime: '2026-11-30T10:15:00.123' })).eventTime, new Date(2026, 10, 30, 10, 15, 0, 123).toISOString());
});

test('unusable payloads are rejected with the field and the reason', () => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [v1({ emailAddress: undefined }), 'emailAddress', /emailAddress is required/],
    [v1({ emailAddress: '  ' }), 'emailAddress', /emailAddress is required/],
    [v1({ emailAddress: null }), 'emailAddress', /emailAddress is required/],
    [v1({ emailAddress: 'Unknown' }), 'emailAddress', /has not set an email address/],
    [v1({ eventType: 'cell_execution_complete' }), 'eventType', /one of cell_executed, notebook_opened, notebook_saved, notebook_closed, help, help_stop/],
    [v1({ eventType: undefined }), 'eventType', /eventType must be one of/],
    [v1({ eventTime: 'soon' }), 'eventTime', /ISO 8601/],
    [v1({ eventTime: '1999-12-31T23:00:00Z' }), 'eventTime', /between 2000-01-01/],
    [v1({ cellIndex: 'two' }), 'cellIndex', /cellIndex/],
  ];
  for (const [raw, field, message] of cases) {
    const result = normaliseLegacyEvent(raw, { now: NOW });
    assert.not.ok(result.ok, `${field} accepted`);
    if (result.ok) continue;
    assert.is(result.error, 'invalid_event');
    assert.ok(result.fields.includes(field), `${field} not in ${result.fields}`);
    assert.match(result.message, message);
  }
  const notObject = normaliseLegacyEvent(['x'], { now: NOW });
  assert.not.ok(notObject.ok);
});

test('without an eventId the caller derives one; self-reported names are trimmed and clipped to 100 characters', () => {
  const result = normaliseLegacyEvent(v1({ eventId: null, userName: `  ${'名'.repeat(150)}  `, teamName: '   ' }), { now: NOW, deriveEventId: () => 'derived' });
  assert.ok(result.ok);
  if (!result.ok) return;
  assert.is(result.event.eventId, 'derived');
  assert.equal(result.event.metadata?.selfReported, { name: '名'.repeat(100) });
  assert.equal(accepted(v1({ userName: 'Anonymous', teamName: '' })).metadata, { client: 'cell-monitor-v1' }, "v1's defaults for unset settings say nothing");
});

test('the event never names a class: LEGACY_CLASS_CODE is read by the collector that persists it', () => {
  assert.not.ok('legacyClassCode' in (accepted(v1()).metadata ?? {}));
});

test('a v1 body is recognised by emailAddress: one object, or an array of them only', () => {
  assert.ok(isLegacyPayload(v1()));
  assert.ok(isLegacyPayload({ emailAddress: null }));
  assert.not.ok(isLegacyPayload({ userId: 'a' }));
  assert.equal(legacyBatchOf(v1())?.length, 1);
  assert.equal(legacyBatchOf([v1(), v1()])?.length, 2);
  assert.is(legacyBatchOf([v1(), { userId: 'a' }]), undefined);
  assert.is(legacyBatchOf([]), undefined);
  assert.is(legacyBatchOf({ events: [v1()] }), undefined);
});

test.run();
