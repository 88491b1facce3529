/** How the Sessions view and the after-class report write their figures (dashboard/src/sessions/sessionFormat.ts): its docblock table, case by case. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AttendanceRow, ReportCell, ReportComparison, SessionReport } from '@cell-monitor/shared/sessionReport';
import {
  attendanceGroups, cellChanges, cellChartData, cellLabel, clock, clockMinutes, csvName, headlineChanges, headlineDifference, headlineValue,
  manualWindow, meetingWindow, minutesAfter, percent, pointsChange, scheduleLine, signed, signedSeconds, slotEnd, slotProblems, weekdayName,
} from '../../dashboard/src/sessions/sessionFormat.ts';

const it = suite('dashboard page: session report formatting (pure)');

function cell(cellId: string, cellIndex: number | null, ranShare: number, succeededShare: number): ReportCell {
  return { cellId, cellIndex, ran: 0, succeeded: 0, ranShare, succeededShare, medianAttemptsToSuccess: null, medianSeconds: null, stuck: 0 };
}
function row(userId: string, displayName: string, status: AttendanceRow['status'], firstAt: string | null = null): AttendanceRow {
  return { userId, displayName, status, firstAt, lastAt: firstAt, runs: 0 };
}
const previous: ReportComparison = {
  start: '2026-11-26T00:00:00.000Z',
  end: '2026-11-26T01:30:00.000Z',
  activeStudents: 3,
  finishedShare: 1 / 3,
  medianWaitSeconds: 420,
  errors: 9,
  cells: [{ cellId: 'c1', succeededShare: 1 }, { cellId: 'c3', succeededShare: 1 / 3 }, { cellId: 'gone', succeededShare: 0.5 }],
};

it('shares are whole percents; a missing share is a dash', () => {
  assert.is(percent(0.666), '67%');
  assert.is(percent(1), '100%');
  assert.is(percent(0), '0%');
  assert.is(percent(null), '—');
});

it('changes carry their sign, with a printed minus; percentage points between shares', () => {
  assert.is(signed(3), '+3');
  assert.is(signed(-2), '−2');
  assert.is(signed(0), '±0');
  assert.is(signed(0.4), '±0');
  assert.is(pointsChange(0.5, 0.75), '+25 pt');
  assert.is(pointsChange(1 / 3, 0.5), '+17 pt', 'the difference of the shown percents (33% → 50%)');
  assert.is(pointsChange(1, 0.25), '−75 pt');
  assert.is(signedSeconds(65), '+1 min 05');
  assert.is(signedSeconds(-40), '−40 s');
  assert.is(signedSeconds(0.2), '±0 s');
});

it('a cell is named by its position in the notebook (1-based), else by its id', () => {
  assert.is(cellLabel({ cellId: 'c3', cellIndex: 3 }), '4');
  assert.is(cellLabel({ cellId: 'abc-1', cellIndex: null }), 'abc-1');
  assert.is(cellLabel({ cellId: null, cellIndex: null }), '?');
});

it("a meeting is written in the class's time zone, with the end's day only when it differs", () => {
  // ICU versions differ on the comma after the weekday ("Thu 3 Dec" / "Thu, 3 Dec").
  assert.match(meetingWindow('2026-12-03T00:00:00Z', '2026-12-03T01:30:00Z', 'en', 'Asia/Tokyo'), /^Thu,? 3 Dec 2026, 09:00–10:30$/);
  assert.match(meetingWindow('2026-12-03T00:00:00Z', '2026-12-03T01:30:00Z', 'en', 'UTC'), /^Thu,? 3 Dec 2026, 00:00–01:30$/);
  assert.match(meetingWindow('2026-12-03T00:00:00Z', '2026-12-03T01:30:00Z', 'ja', 'Asia/Tokyo'), /^2026年12月3日\(木\) 09:00–10:30$/);
  assert.match(meetingWindow('2026-12-03T14:00:00Z', '2026-12-03T16:00:00Z', 'en', 'Asia/Tokyo'), /^Thu,? 3 Dec 2026, 23:00 – Fri,? 4 Dec 2026, 01:00$/);
  assert.is(clock('2026-12-03T00:05:00Z', 'en', 'Asia/Tokyo'), '09:05');
});

it('how late a first activity was, in whole minutes (never negative)', () => {
  assert.is(minutesAfter('2026-12-03T00:00:00Z', '2026-12-03T00:25:59Z'), 25);
  assert.is(minutesAfter('2026-12-03T00:00:00Z', '2026-12-02T23:58:00Z'), 0);
});

it('attendance reads on time and absent by name, late by arrival', () => {
  const groups = attendanceGroups([
    row('fumi', 'Fumi Ito', 'on_time', '2026-12-03T00:02:00Z'),
    row('eve', 'Eve Novak', 'absent'),
    row('dan', 'Dan Kim', 'late', '2026-12-03T00:40:00Z'),
    row('ada', 'Ada Lovelace', 'on_time', '2026-12-03T00:03:00Z'),
    row('ben', 'Ben Okafor', 'late', '2026-12-03T00:20:00Z'),
    row('abe', 'Abe', 'absent'),
  ]);
  assert.equal(groups.on_time.map((r) => r.userId), ['ada', 'fumi']);
  assert.equal(groups.late.map((r) => r.userId), ['ben', 'dan']);
  assert.equal(groups.absent.map((r) => r.userId), ['abe', 'eve']);
});

it("the per-cell chart's series are percents in notebook order; last time's share only where the cell was there", () => {
  const cells = [cell('c1', 0, 1, 1), cell('c2', 1, 0.75, 0.5), cell('c3', 2, 0.5, 0.25)];
  const data = cellChartData(cells, ['c2'], previous);
  assert.equal(data.labels, ['1', '2', '3']);
  assert.equal(data.ran, [100, 75, 50]);
  assert.equal(data.succeeded, [100, 50, 25]);
  assert.equal(data.previous, [100, null, 33]);
  assert.equal(data.stuck, [false, true, false]);
  assert.is(cellChartData(cells, [], null).previous, null, 'no previous meeting: no third series');
});

it("compared with last time: each of this meeting's cells, then (null for a new cell) and now", () => {
  const changes = cellChanges([cell('c1', 0, 1, 1), cell('c2', 1, 1, 0.5), cell('c3', 2, 0.75, 0.5)], previous);
  assert.equal(changes, [
    { cellId: 'c1', label: '1', then: 1, now: 1 },
    { cellId: 'c2', label: '2', then: null, now: 0.5 },
    { cellId: 'c3', label: '3', then: 1 / 3, now: 0.5 },
  ]);
});

it('the headline then and now: finished is the last cell’s succeeded share; fewer errors and a shorter wait are better', () => {
  const report = { headline: { activeStudents: 4, enrolled: 5, runs: 18, errors: 7, helpRequests: 2, medianWaitSeconds: 360 }, cells: [cell('c1', 0, 1, 1), cell('c4', 3, 0.5, 0.25)] } as Pick<SessionReport, 'headline' | 'cells'>;
  const changes = headlineChanges(report, previous);
  assert.equal(changes.map((c) => [c.key, c.then, c.now]), [['active', 3, 4], ['finished', 1 / 3, 0.25], ['errors', 9, 7], ['wait', 420, 360]]);
  const [active, finished, errors, wait] = changes;
  assert.equal(headlineDifference(active), { text: '+1', better: true });
  assert.equal(headlineDifference(finished), { text: '−8 pt', better: false });
  assert.equal(headlineDifference(errors), { text: '−2', better: true });
  assert.equal(headlineDifference(wait), { text: '−1 min 00', better: true });
  assert.is(headlineValue(finished, 0.25), '25%');
  assert.is(headlineValue(wait, 360), '6 min 00');
  assert.is(headlineValue(errors, 7), '7');
  assert.is(headlineValue(wait, null), '—');
  assert.equal(headlineDifference({ ...wait, then: null }), { text: '—', better: null });
  assert.equal(headlineChanges({ ...report, cells: [] }, previous)[1].now, null, 'no cell ran: finished is unknown');
});

it('a timetable slot starts at HH:MM (00:00–23:59) and lasts 1 to 600 minutes (the collector\'s limit); its end wraps past midnight', () => {
  assert.is(clockMinutes('09:30'), 570);
  assert.is(clockMinutes('23:59'), 1439);
  for (const bad of ['9:30', '24:00', '09:60', '', '09:30:00']) assert.is(clockMinutes(bad), null, bad);
  assert.is(slotEnd({ weekday: 1, start: '09:00', minutes: 90 }), '10:30');
  assert.is(slotEnd({ weekday: 5, start: '23:30', minutes: 60 }), '00:30');
  assert.equal(slotProblems([{ weekday: 1, start: '09:00', minutes: 90 }]), []);
  assert.equal(slotProblems([{ weekday: 1, start: '09:00', minutes: 90 }, { weekday: 7, start: '9:5', minutes: 0 }]), [
    { index: 1, problem: 'weekday' },
    { index: 1, problem: 'start' },
    { index: 1, problem: 'minutes' },
  ]);
  assert.equal(slotProblems([{ weekday: 2, start: '13:00', minutes: 1.5 }]), [{ index: 0, problem: 'minutes' }]);
  assert.equal(slotProblems([{ weekday: 2, start: '08:00', minutes: 600 }]), []);
  assert.equal(slotProblems([{ weekday: 2, start: '08:00', minutes: 601 }]), [{ index: 0, problem: 'minutes' }]);
});

it('weekdays and a timetable in the page language', () => {
  assert.is(weekdayName(0, 'en'), 'Sunday');
  assert.is(weekdayName(1, 'ja'), '月曜日');
  const schedule = { classId: 1, timezone: 'Asia/Tokyo', slots: [{ weekday: 1, start: '09:00', minutes: 90 }, { weekday: 4, start: '13:00', minutes: 45 }] };
  assert.is(scheduleLine(schedule, 'en'), 'Monday 09:00–10:30, Thursday 13:00–13:45 (Asia/Tokyo)');
});

it('a session added by hand needs a start and a later end (browser time), sent as ISO', () => {
  const chosen = manualWindow('2026-12-03T09:00', '2026-12-03T10:30');
  assert.ok('start' in chosen);
  if ('start' in chosen) {
    assert.is(Date.parse(chosen.end) - Date.parse(chosen.start), 90 * 60_000);
    assert.is(chosen.start, new Date(2026, 11, 3, 9, 0).toISOString(), 'the local time of the browser');
  }
  assert.equal(manualWindow('', '2026-12-03T10:30'), { problem: 'missing' });
  assert.equal(manualWindow('2026-12-03T09:00', 'soon'), { problem: 'missing' });
  assert.equal(manualWindow('2026-12-03T10:30', '2026-12-03T10:30'), { problem: 'order' });
  assert.equal(manualWindow('2026-12-03T11:00', '2026-12-03T10:30'), { problem: 'order' });
});

it('a downloaded table without a name from the collector is named after the table and the day', () => {
  assert.is(csvName('cells', '2026-12-03T00:00:00.000Z'), 'report-cells-2026-12-03.csv');
});

it.run();
