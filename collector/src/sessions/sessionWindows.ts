/**
 * Where a class's meetings are in time — pure functions of the timetable, the hand-made meetings and
 * the class's activity (sessionList.ts reads them, its test feeds them by hand):
 *
 * | source     | a meeting is                                                                      |
 * |------------|-----------------------------------------------------------------------------------|
 * | `schedule` | each weekly slot's occurrence (wall-clock time in the class's IANA zone, so a DST change keeps the local time) that has started |
 * | `manual`   | each window an instructor chose ([start, end), at most 12 h)                       |
 * | `inferred` | a run of the enrolled students' activity (their stored events, by the minute) with no gap longer than INFER_GAP_MINUTES, lasting at least INFER_MIN_MINUTES, of at least INFER_MIN_STUDENTS students — unless a scheduled or manual meeting overlaps it (the run is that meeting) |
 *
 * An inferred meeting runs from its first active minute to the end of its last one.
 */
import type { ScheduleSlot, SessionSource } from '@cell-monitor/shared';

export const INFER_GAP_MINUTES = 45;
export const INFER_MIN_MINUTES = 10;
export const INFER_MIN_STUDENTS = 2;
const MINUTE = 60_000;
const DAY = 86_400_000;

export interface SessionWindow {
  start: number;
  end: number;
  source: SessionSource;
  title: string | null;
  /** A manual meeting's row id (its DELETE). */
  manualId?: number;
}

/** Whether `zone` is an IANA time zone this runtime knows (Intl refuses the others). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();
function wallClock(ms: number, zone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** How far the zone's wall clock is ahead of UTC at instant `ms`. */
function offsetAt(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant a wall-clock time in `zone` names (a time a DST change skips: the same wall time an hour on). */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, zone: string): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = guess - offsetAt(guess, zone);
  const second = guess - offsetAt(first, zone);
  return second;
}

/** Occurrences of the timetable's slots that start in [from, to). */
export function scheduledWindows(schedule: { timezone: string; slots: ScheduleSlot[] }, from: number, to: number): SessionWindow[] {
  if (schedule.slots.length === 0 || to <= from) return [];
  const first = wallClock(from - DAY, schedule.timezone);
  const last = wallClock(to + DAY, schedule.timezone);
  const windows: SessionWindow[] = [];
  for (let day = Date.UTC(first.year, first.month - 1, first.day); day <= Date.UTC(last.year, last.month - 1, last.day); day += DAY) {
    const date = new Date(day);
    for (const slot of schedule.slots) {
      if (slot.weekday !== date.getUTCDay()) continue;
      const [hour, minute] = slot.start.split(':').map(Number);
      const start = zonedTime(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), hour, minute, schedule.timezone);
      if (start >= from && start < to) windows.push({ start, end: start + slot.minutes * MINUTE, source: 'schedule', title: null });
    }
  }
  return windows;
}

/** A student active in a minute (epoch minute: ms / 60,000, floored). */
export interface ActiveMinute {
  userId: string;
  minute: number;
}

/** Runs of activity (see the table above) as windows, oldest first. */
export function inferredWindows(active: ActiveMinute[]): SessionWindow[] {
  const byMinute = new Map<number, Set<string>>();
  for (const a of active) {
    const users = byMinute.get(a.minute);
    if (users) users.add(a.userId);
    else byMinute.set(a.minute, new Set([a.userId]));
  }
  const minutes = [...byMinute.keys()].sort((a, b) => a - b);
  const windows: SessionWindow[] = [];
  let runStart = 0;
  let runLast = 0;
  let students = new Set<string>();
  const close = () => {
    const end = (runLast + 1) * MINUTE;
    const start = runStart * MINUTE;
    if (end - start >= INFER_MIN_MINUTES * MINUTE && students.size >= INFER_MIN_STUDENTS) windows.push({ start, end, source: 'inferred', title: null });
  };
  minutes.forEach((minute, i) => {
    if (i > 0 && minute - runLast - 1 > INFER_GAP_MINUTES) {
      close();
      students = new Set();
    }
    if (i === 0 || minute - runLast - 1 > INFER_GAP_MINUTES) runStart = minute;
    runLast = minute;
    for (const user of byMinute.get(minute)!) students.add(user);
  });
  if (minutes.length) close();
  return windows;
}

const overlaps = (a: SessionWindow, b: SessionWindow) => a.start < b.end && b.start < a.end;

/** The meetings of a class, newest first: scheduled and manual ones (an identical pair once), and the inferred ones no other overlaps. */
export function combineWindows(scheduled: SessionWindow[], manual: SessionWindow[], inferred: SessionWindow[]): SessionWindow[] {
  const chosen = [...scheduled, ...manual];
  const all = [...chosen, ...inferred.filter((w) => !chosen.some((c) => overlaps(c, w)))];
  const rank: Record<SessionSource, number> = { manual: 0, schedule: 1, inferred: 2 };
  // The same window twice (a slot also entered by hand): one meeting, the manual one (it has the title).
  return all.sort((a, b) => b.start - a.start || b.end - a.end || rank[a.source] - rank[b.source]).filter((w, i, list) => i === 0 || list[i - 1].start !== w.start || list[i - 1].end !== w.end);
}

/** A meeting's id on the wire: `${start}/${end}` (ISO). */
export const windowId = (w: { start: number; end: number }) => `${new Date(w.start).toISOString()}/${new Date(w.end).toISOString()}`;
