/**
 * Where a class's meetings are in time (collector/src/sessions/sessionWindows.ts), read like its
 * table: a timetable slot keeps its wall-clock time across a DST change; a run of activity is a
 * meeting when its gaps are at most 45 minutes, it lasts 10 minutes and two students were in it;
 * a scheduled or manual meeting hides the inferred one it overlaps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { combineWindows, inferredWindows, isTimeZone, scheduledWindows, type SessionWindow } from '../../../collector/src/sessions/sessionWindows.ts';

const MIN = 60_000;
const iso = (w: SessionWindow) => [new Date(w.start).toISOString(), new Date(w.end).toISOString(), w.source];

test('a time zone is an IANA name Intl knows', () => {
  assert.ok(isTimeZone('Asia/Tokyo'));
  assert.ok(isTimeZone('America/New_York'));
  assert.not.ok(isTimeZone('Mars/Olympus'));
  assert.not.ok(isTimeZone('+25:00'));
});

test('a Monday 09:00 slot in New York is 14:00 UTC before the DST change (8 March 2026) and 13:00 UTC after it', () => {
  const windows = scheduledWindows({ timezone: 'America/New_York', slots: [{ weekday: 1, start: '09:00', minutes: 90 }] }, Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-03-17T00:00:00Z'));
  assert.equal(windows.map(iso), [
    ['2026-03-02T14:00:00.000Z', '2026-03-02T15:30:00.000Z', 'schedule'],
    ['2026-03-09T13:00:00.000Z', '2026-03-09T14:30:00.000Z', 'schedule'],
    ['2026-03-16T13:00:00.000Z', '2026-03-16T14:30:00.000Z', 'schedule'],
  ]);
});

test('a Tokyo slot early on Tuesday is Monday in UTC; only occurrences that start in the range count', () => {
  const windows = scheduledWindows({ timezone: 'Asia/Tokyo', slots: [{ weekday: 2, start: '08:30', minutes: 60 }] }, Date.parse('2026-12-07T23:30:00Z'), Date.parse('2026-12-14T23:30:00Z'));
  assert.equal(windows.map(iso), [['2026-12-07T23:30:00.000Z', '2026-12-08T00:30:00.000Z', 'schedule']]);
});

test('inferred: 45 idle minutes keep one run, 46 split it; under 10 minutes or one student is no meeting', () => {
  const t = Date.parse('2026-12-01T00:00:00Z') / MIN;
  const active = [
    { userId: 'a', minute: t }, { userId: 'b', minute: t + 5 }, { userId: 'a', minute: t + 51 }, // idle 45 → one run, to t + 52
    { userId: 'a', minute: t + 98 }, { userId: 'b', minute: t + 100 }, { userId: 'b', minute: t + 109 }, // idle 46 before: a new run of 12 minutes
    { userId: 'a', minute: t + 200 }, { userId: 'b', minute: t + 208 }, // 9 minutes: too short
    { userId: 'a', minute: t + 300 }, { userId: 'a', minute: t + 330 }, // one student
  ];
  assert.equal(inferredWindows(active).map((w) => [w.start / MIN - t, w.end / MIN - t]), [[0, 52], [98, 110]]);
});

test('combined newest first: an inferred run a scheduled or manual meeting overlaps is that meeting; the same window twice is one (the manual one)', () => {
  const w = (start: number, end: number, source: SessionWindow['source'], title: string | null = null): SessionWindow => ({ start: start * MIN, end: end * MIN, source, title });
  const combined = combineWindows([w(100, 160, 'schedule'), w(300, 360, 'schedule')], [w(300, 360, 'manual', 'Lab')], [w(90, 120, 'inferred'), w(200, 230, 'inferred')]);
  assert.equal(combined.map((c) => [c.start / MIN, c.source, c.title]), [[300, 'manual', 'Lab'], [200, 'inferred', null], [100, 'schedule', null]]);
});

test.run();
