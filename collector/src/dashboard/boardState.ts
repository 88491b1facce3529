/**
 * Every student's activity as this collector knows it, and the card each one shows. Fed by the
 * persisted-event feed (every collector of a deployment hears the same feed, so every collector
 * holds the same board) and by help-request changes; no I/O here.
 */
import type { BoardCard, HelpRequestView, LiveEvent, StatusCounts, StudentStatus } from '@cell-monitor/shared';
import { STUDENT_STATUSES } from '@cell-monitor/shared';
import { studentStatus, stuckCell } from './statusRules.ts';
import { applyEvent, createActivity, errorLine, sparkline, type StudentActivity } from './studentActivity.ts';
import type { StatusThresholds } from './thresholds.ts';

export class BoardState {
  private readonly activities = new Map<string, StudentActivity>();
  /** Open (or claimed) help requests by student: the help store's word, not the events'. */
  private readonly help = new Map<string, HelpRequestView>();
  private readonly names = new Map<string, string>();

  constructor(private readonly lateArrivalMs: number) {}

  /** Folds events in; returns the students whose card may have changed. */
  applyEvents(events: LiveEvent[], arrivedAt: number): Set<string> {
    const changed = new Set<string>();
    for (const event of events) {
      let activity = this.activities.get(event.userId);
      if (!activity) this.activities.set(event.userId, (activity = createActivity(event.userId)));
      applyEvent(activity, event, arrivedAt, this.lateArrivalMs);
      changed.add(event.userId);
    }
    return changed;
  }

  /** The help store's open request of a student (null: none open). */
  setHelp(userId: string, request: HelpRequestView | null): void {
    if (request) this.help.set(userId, request);
    else this.help.delete(userId);
    const activity = this.activities.get(userId) ?? createActivity(userId);
    this.activities.set(userId, activity);
    activity.help = request ? { requestedAt: Date.parse(request.requestedAt), notebookPath: request.notebookPath, cellId: request.cellId } : null;
  }

  setName(userId: string, name: string | null): void {
    if (name) this.names.set(userId, name);
    else this.names.delete(userId);
  }

  displayName(userId: string): string {
    return this.names.get(userId) ?? userId;
  }

  /** An erased student: nothing of them is kept (privacy/studentData.ts). */
  forget(userId: string): void {
    this.activities.delete(userId);
    this.help.delete(userId);
    this.names.delete(userId);
  }

  has(userId: string): boolean {
    return this.activities.has(userId);
  }

  /** Students heard from at or after `since` (epoch ms), or with an open help request. */
  seenSince(since: number): string[] {
    return [...this.activities.values()].filter((a) => (a.lastHeardAt ?? 0) >= since || this.help.has(a.userId)).map((a) => a.userId);
  }

  openHelp(userIds: Iterable<string>): HelpRequestView[] {
    const queue: HelpRequestView[] = [];
    for (const id of userIds) {
      const request = this.help.get(id);
      if (request) queue.push({ ...request, displayName: this.displayName(id) });
    }
    return queue.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id - b.id);
  }

  status(userId: string, now: number, thresholds: StatusThresholds): StudentStatus {
    const activity = this.activities.get(userId);
    return activity ? studentStatus(activity, now, thresholds) : 'offline';
  }

  card(userId: string, now: number, thresholds: StatusThresholds): Omit<BoardCard, 'team'> {
    const activity = this.activities.get(userId) ?? createActivity(userId);
    const status = studentStatus(activity, now, thresholds);
    const stuck = stuckCell(activity, thresholds);
    const help = this.help.get(userId);
    return {
      userId,
      displayName: this.displayName(userId),
      status,
      notebookPath: activity.notebookPath,
      cellId: activity.cellId,
      cellIndex: activity.cellIndex,
      lastActivityAt: activity.lastHeardAt === null ? null : new Date(activity.lastHeardAt).toISOString(),
      runs: activity.runs,
      errors: activity.errors,
      lastError: activity.lastError ? errorLine(activity.lastError) : null,
      sparkline: sparkline(activity, now),
      help: help ? { ...help, displayName: this.displayName(userId) } : null,
      stuck: stuck ? { cellId: stuck.cellId, cellIndex: stuck.cellIndex, errorName: stuck.errorName, count: stuck.count } : null,
      lagSeconds: Math.round(activity.lagMs / 1000),
    };
  }

  counts(userIds: Iterable<string>, now: number, thresholds: StatusThresholds): StatusCounts {
    const counts = Object.fromEntries(STUDENT_STATUSES.map((s) => [s, 0])) as StatusCounts;
    for (const id of userIds) counts[this.status(id, now, thresholds)] += 1;
    return counts;
  }
}
