/**
 * One word per student, computed on the server (../shared/docs/DASHBOARD.md). A pure function of a
 * student's activity (studentActivity.ts) and the clock; its test reads like this table.
 *
 * | status        | holds when                                                              |
 * |---------------|-------------------------------------------------------------------------|
 * | `help`        | an open help request (not cancelled, not resolved)                      |
 * | `stuck`       | ≥ `stuckErrors` error runs in a row on one cell (a success there clears) |
 * | `catching_up` | events arriving `catchingUpLagMs` or more after they happened, in the last `catchingUpWindowMs` (the student's offline queue is draining) |
 * | `active`      | a session open and a run in the last `activeWithinMs`                   |
 * | `idle`        | a session open, no run for longer                                       |
 * | `offline`     | no open session (ended, or nothing heard for `sessionTimeoutMs`)         |
 *
 * When several hold, the first in this table wins.
 */
import type { StudentStatus } from '@cell-monitor/shared';
import type { ErrorStreak, StudentActivity } from './studentActivity.ts';
import { DEFAULT_THRESHOLDS, type StatusThresholds } from './thresholds.ts';

/** The cell a student is stuck on (the most recent one that reached the threshold), if any. */
export function stuckCell(activity: StudentActivity, thresholds: StatusThresholds): ErrorStreak | undefined {
  let stuck: ErrorStreak | undefined;
  for (const streak of Object.values(activity.streaks)) {
    if (streak.count >= thresholds.stuckErrors && (!stuck || streak.lastAt > stuck.lastAt)) stuck = streak;
  }
  return stuck;
}

export function sessionOpen(activity: StudentActivity, now: number, thresholds: StatusThresholds): boolean {
  return activity.sessionOpen && activity.lastHeardAt !== null && now - activity.lastHeardAt < thresholds.sessionTimeoutMs;
}

export function studentStatus(activity: StudentActivity, now: number, thresholds: StatusThresholds = DEFAULT_THRESHOLDS): StudentStatus {
  if (activity.help) return 'help';
  if (stuckCell(activity, thresholds)) return 'stuck';
  if (activity.lastLateArrivalAt !== null && now - activity.lastLateArrivalAt < thresholds.catchingUpWindowMs) return 'catching_up';
  if (!sessionOpen(activity, now, thresholds)) return 'offline';
  if (activity.lastRunAt !== null && now - activity.lastRunAt < thresholds.activeWithinMs) return 'active';
  return 'idle';
}
