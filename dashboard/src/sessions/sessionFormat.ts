/**
 * How the Sessions view and the after-class report write their figures, as pure functions tested in
 * Node (test/dashboard/sessionFormat.test.ts). The collector computes every figure
 * (shared/sessionReport.ts); these only lay them out: shares as whole percents, changes with their
 * sign, meeting windows in the class's time zone, attendance in reading order, the per-cell chart's
 * series, and the checks of the timetable and "add a session by hand" forms.
 *
 * | input                                | output                                     |
 * | ------------------------------------ | ------------------------------------------ |
 * | share 0.666                          | "67%"                                      |
 * | change +3 / −2 / 0                   | "+3" / "−2" / "±0" (a real minus sign)     |
 * | share change 0.5 → 0.75              | "+25 pt" (percentage points)               |
 * | cell index 3 / none                  | "4" / the cell's id                        |
 * | window 09:00–10:30 on one day        | "Thu, 3 Dec 2026, 09:00–10:30" (en-GB)     |
 * | slot "9:5" / "24:00" / minutes 0     | refused (HH:MM, 00:00–23:59; 1–600 min)    |
 */
import type { AttendanceRow, ClassSchedule, ReportCell, ReportComparison, ScheduleSlot, SessionReport } from '@cell-monitor/shared/sessionReport';
import { seconds } from '../boardState.ts';
import type { Language } from '../i18n.ts';

/** The locale each page language writes dates in (24-hour clock, month names: never ambiguous). */
export const LOCALE: Record<Language, string> = { en: 'en-GB', ja: 'ja-JP' };

/** A share (0…1) as a whole percent; null as a dash. */
export const percent = (share: number | null): string => (share === null ? '—' : `${Math.round(share * 100)}%`);

/** A change with its sign: "+3", "−2" (U+2212, the printed minus), "±0". */
export function signed(change: number): string {
  const rounded = Math.round(change);
  if (rounded === 0) return '±0';
  return rounded > 0 ? `+${rounded}` : `−${-rounded}`;
}

/** The change between two shares in percentage points: "+25 pt". */
export const pointsChange = (then: number, now: number): string => `${signed(Math.round(now * 100) - Math.round(then * 100))} pt`;

/** A change of a waiting time: "+1 min 05", "−40 s", "±0 s". */
export function signedSeconds(change: number): string {
  const rounded = Math.round(change);
  if (rounded === 0) return '±0 s';
  return `${rounded > 0 ? '+' : '−'}${seconds(Math.abs(rounded))}`;
}

/** A cell as the live views name it: its position in the notebook (1-based), else its id. */
export const cellLabel = (cell: { cellId: string | null; cellIndex: number | null }): string => (cell.cellIndex !== null ? String(cell.cellIndex + 1) : (cell.cellId ?? '?'));

const dateFormat = (language: Language, timeZone: string | undefined) =>
  new Intl.DateTimeFormat(LOCALE[language], { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', timeZone });

/** "09:05" in the class's time zone (the browser's when the class has no timetable). */
export function clock(iso: string, language: Language, timeZone?: string): string {
  return new Intl.DateTimeFormat(LOCALE[language], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(new Date(iso));
}

/** "Thu, 3 Dec 2026" / "2026年12月3日(木)". */
export const day = (iso: string, language: Language, timeZone?: string): string => dateFormat(language, timeZone).format(new Date(iso));

/** A meeting: its day and hours; the end's day too when it ends on another day. */
export function meetingWindow(start: string, end: string, language: Language, timeZone?: string): string {
  const from = day(start, language, timeZone);
  const to = day(end, language, timeZone);
  const sep = language === 'ja' ? ' ' : ', ';
  return from === to ? `${from}${sep}${clock(start, language, timeZone)}–${clock(end, language, timeZone)}` : `${from}${sep}${clock(start, language, timeZone)} – ${to}${sep}${clock(end, language, timeZone)}`;
}

/** Whole minutes from `start` to `at` (how late a first activity was). */
export const minutesAfter = (start: string, at: string): number => Math.max(0, Math.floor((Date.parse(at) - Date.parse(start)) / 60_000));

/** Attendance in reading order: on time and absent by name, late by when they arrived. */
export function attendanceGroups(rows: readonly AttendanceRow[]): Record<AttendanceRow['status'], AttendanceRow[]> {
  const byName = (a: AttendanceRow, b: AttendanceRow) => a.displayName.localeCompare(b.displayName) || a.userId.localeCompare(b.userId);
  const of = (status: AttendanceRow['status']) => rows.filter((r) => r.status === status);
  return {
    on_time: of('on_time').sort(byName),
    late: of('late').sort((a, b) => Date.parse(a.firstAt ?? '') - Date.parse(b.firstAt ?? '') || byName(a, b)),
    absent: of('absent').sort(byName),
  };
}

/** The per-cell chart's series, in percent: ran, succeeded, last time's succeeded (null where the cell was not there). */
export interface CellChartData {
  labels: string[];
  ran: number[];
  succeeded: number[];
  previous: Array<number | null> | null;
  stuck: boolean[];
}

export function cellChartData(cells: readonly ReportCell[], stuckCells: readonly string[], previous: ReportComparison | null): CellChartData {
  const before = new Map(previous?.cells.map((c) => [c.cellId, c.succeededShare]) ?? []);
  const stuck = new Set(stuckCells);
  return {
    labels: cells.map(cellLabel),
    ran: cells.map((c) => Math.round(c.ranShare * 100)),
    succeeded: cells.map((c) => Math.round(c.succeededShare * 100)),
    previous: previous ? cells.map((c) => (before.has(c.cellId) ? Math.round(before.get(c.cellId)! * 100) : null)) : null,
    stuck: cells.map((c) => stuck.has(c.cellId)),
  };
}

/** "Compared with last time", per cell of this meeting in notebook order: succeeded then and now. */
export interface CellChange {
  cellId: string;
  label: string;
  then: number | null;
  now: number;
}

export function cellChanges(cells: readonly ReportCell[], previous: ReportComparison): CellChange[] {
  const before = new Map(previous.cells.map((c) => [c.cellId, c.succeededShare]));
  return cells.map((c) => ({ cellId: c.cellId, label: cellLabel(c), then: before.get(c.cellId) ?? null, now: c.succeededShare }));
}

/** The headline figures then and now. `lowerIsBetter`: errors and waiting. */
export interface HeadlineChange {
  key: 'active' | 'finished' | 'errors' | 'wait';
  then: number | null;
  now: number | null;
  lowerIsBetter: boolean;
}

/**
 * This meeting's "finished" share is its last cell's succeeded share: the same definition as the
 * comparison's `finishedShare` (active students who succeeded on the notebook's last cell).
 */
export function headlineChanges(report: Pick<SessionReport, 'headline' | 'cells'>, previous: ReportComparison): HeadlineChange[] {
  const last = report.cells[report.cells.length - 1];
  return [
    { key: 'active', then: previous.activeStudents, now: report.headline.activeStudents, lowerIsBetter: false },
    { key: 'finished', then: previous.finishedShare, now: last ? last.succeededShare : null, lowerIsBetter: false },
    { key: 'errors', then: previous.errors, now: report.headline.errors, lowerIsBetter: true },
    { key: 'wait', then: previous.medianWaitSeconds, now: report.headline.medianWaitSeconds, lowerIsBetter: true },
  ];
}

/** A headline figure as shown: shares in percent, waits in minutes and seconds, counts as they are. */
export function headlineValue(change: HeadlineChange, value: number | null): string {
  if (value === null) return '—';
  if (change.key === 'finished') return percent(value);
  if (change.key === 'wait') return seconds(value);
  return String(value);
}

/** The change from then to now, and whether it is for the better (null: no change, or unknown). */
export function headlineDifference(change: HeadlineChange): { text: string; better: boolean | null } {
  const { then, now } = change;
  if (then === null || now === null) return { text: '—', better: null };
  const text = change.key === 'finished' ? pointsChange(then, now) : change.key === 'wait' ? signedSeconds(now - then) : signed(now - then);
  const delta = change.key === 'finished' ? Math.round(now * 100) - Math.round(then * 100) : Math.round(now - then);
  return { text, better: delta === 0 ? null : change.lowerIsBetter ? delta < 0 : delta > 0 };
}

/** "HH:MM" (00:00–23:59) as minutes after midnight, else null. */
export function clockMinutes(value: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** When a slot ends, "HH:MM" (past midnight wraps: a late slot ending at 00:30). */
export function slotEnd(slot: ScheduleSlot): string {
  const end = ((clockMinutes(slot.start) ?? 0) + slot.minutes) % 1440;
  return `${String(Math.floor(end / 60)).padStart(2, '0')}:${String(end % 60).padStart(2, '0')}`;
}

/** The longest slot the collector takes (10 hours). */
export const MAX_SLOT_MINUTES = 600;

export type SlotProblem = 'weekday' | 'start' | 'minutes';

/** What is wrong with each slot of a timetable being edited (empty when it can be saved). */
export function slotProblems(slots: readonly ScheduleSlot[]): Array<{ index: number; problem: SlotProblem }> {
  return slots.flatMap((slot, index) => {
    const problems: SlotProblem[] = [];
    if (!Number.isInteger(slot.weekday) || slot.weekday < 0 || slot.weekday > 6) problems.push('weekday');
    if (clockMinutes(slot.start) === null) problems.push('start');
    if (!Number.isInteger(slot.minutes) || slot.minutes < 1 || slot.minutes > MAX_SLOT_MINUTES) problems.push('minutes');
    return problems.map((problem) => ({ index, problem }));
  });
}

/** Weekday `d` (0 = Sunday) in the page's language: "Monday" / "月曜日". */
export const weekdayName = (d: number, language: Language): string =>
  new Intl.DateTimeFormat(LOCALE[language], { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2026, 0, 4 + d)));

/** A timetable in one line: "Monday 09:00–10:30, Thursday 13:00–14:30 (Asia/Tokyo)". */
export function scheduleLine(schedule: ClassSchedule, language: Language): string {
  const slots = schedule.slots.map((s) => `${weekdayName(s.weekday, language)} ${s.start}–${slotEnd(s)}`).join(', ');
  return `${slots} (${schedule.timezone})`;
}

export type WindowProblem = 'missing' | 'order';

/**
 * The "add a session by hand" form: two `datetime-local` values (the browser's time zone) as an ISO
 * window, or what is wrong with them.
 */
export function manualWindow(startLocal: string, endLocal: string): { start: string; end: string } | { problem: WindowProblem } {
  const start = Date.parse(startLocal);
  const end = Date.parse(endLocal);
  if (!startLocal || !endLocal || Number.isNaN(start) || Number.isNaN(end)) return { problem: 'missing' };
  if (end <= start) return { problem: 'order' };
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/** The name a downloaded table is saved under when the collector gives none: "report-cells-2026-12-03.csv". */
export const csvName = (table: string, start: string): string => `report-${table}-${start.slice(0, 10)}.csv`;
