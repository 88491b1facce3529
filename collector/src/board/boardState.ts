/**
 * Every student's activity as this collector knows it, and the card each one shows. Fed by the
 * persisted-event feed (every collector of a deployment hears the same feed, so every collector
 * holds the same board) and by help-request changes; no I/O here.
 *
 * Activity is kept per scope (lms/classBoundary.ts): `ALL_SCOPE` folds every event (an admin's
 * "everyone seen today"); `classScope(id)` only the events that class shows — the caller says which
 * scopes an event or a help request belongs to — so a class's card of a student is computed from
 * that class's part of her data alone.
 */
import type { BoardCard, HelpRequestView, LiveEvent, StudentStatus } from '@cell-monitor/shared';
import { studentStatus, stuckCell } from './statusRules.ts';
import { applyEvent, createActivity, errorLine, sparkline, type StudentActivity } from './studentActivity.ts';
import type { StatusThresholds } from './thresholds.ts';

export type Scope = string;
export const ALL_SCOPE: Scope = 'all';
export const classScope = (classId: number): Scope => `class:${classId}`;

export class BoardState {
  private readonly scopes = new Map<Scope, Map<string, StudentActivity>>();
  /** Open (or claimed) help requests by student and scope: the help store's word, not the events'. */
  private readonly help = new Map<string, Map<Scope, HelpRequestView>>();
  private readonly names = new Map<string, string>();

  constructor(private readonly lateArrivalMs: number) {}

  private activities(scope: Scope): Map<string, StudentActivity> {
    let map = this.scopes.get(scope);
    if (!map) this.scopes.set(scope, (map = new Map()));
    return map;
  }

  private activity(scope: Scope, userId: string): StudentActivity | undefined {
    return this.scopes.get(scope)?.get(userId);
  }

  /** Folds events into the scopes each belongs to; returns, per student, the scopes whose card may have changed. */
  applyEvents(events: LiveEvent[], arrivedAt: number, scopesOf: (event: LiveEvent) => Scope[]): Map<string, Set<Scope>> {
    const changed = new Map<string, Set<Scope>>();
    for (const event of events) {
      for (const scope of scopesOf(event)) {
        const map = this.activities(scope);
        let activity = map.get(event.userId);
        if (!activity) map.set(event.userId, (activity = createActivity(event.userId)));
        applyEvent(activity, event, arrivedAt, this.lateArrivalMs);
        if (!changed.has(event.userId)) changed.set(event.userId, new Set());
        changed.get(event.userId)!.add(scope);
      }
    }
    return changed;
  }

  /**
   * The help store's open (or claimed) requests of a student, each with the scopes it belongs to:
   * each scope shows the oldest of those that belong to it (none: no help there).
   */
  setHelp(userId: string, requests: Array<{ request: HelpRequestView; scopes: Scope[] }>): void {
    const byScope = new Map<Scope, HelpRequestView>();
    for (const { request, scopes } of [...requests].sort((a, b) => a.request.requestedAt.localeCompare(b.request.requestedAt) || a.request.id - b.request.id)) {
      for (const scope of scopes) if (!byScope.has(scope)) byScope.set(scope, request);
    }
    if (byScope.size > 0) this.help.set(userId, byScope);
    else this.help.delete(userId);
    for (const scope of byScope.keys()) this.activities(scope);
    for (const [scope, map] of this.scopes) {
      const request = byScope.get(scope);
      if (!request && !map.has(userId)) continue;
      const activity = map.get(userId) ?? createActivity(userId);
      map.set(userId, activity);
      activity.help = request ? { requestedAt: Date.parse(request.requestedAt), notebookPath: request.notebookPath, cellId: request.cellId } : null;
    }
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
    for (const map of this.scopes.values()) map.delete(userId);
    this.help.delete(userId);
    this.names.delete(userId);
  }

  /** Drops a student's activity in every scope (before it is folded again from the store). */
  reset(userId: string): void {
    for (const map of this.scopes.values()) map.delete(userId);
  }

  has(scope: Scope, userId: string): boolean {
    return this.activity(scope, userId) !== undefined;
  }

  /** Every student known in any scope. */
  known(): string[] {
    const all = new Set<string>();
    for (const map of this.scopes.values()) for (const id of map.keys()) all.add(id);
    return [...all];
  }

  lastHeardAt(scope: Scope, userId: string): number | null {
    return this.activity(scope, userId)?.lastHeardAt ?? null;
  }

  /** Students heard from in the scope at or after `since` (epoch ms), or with an open help request there. */
  seenSince(scope: Scope, since: number): string[] {
    return [...(this.scopes.get(scope)?.values() ?? [])].filter((a) => (a.lastHeardAt ?? 0) >= since || (a.help !== null && this.help.get(a.userId)?.has(scope))).map((a) => a.userId);
  }

  /** The help request the scope shows for a student (null: none, or it belongs to another class). */
  openHelpIn(scope: Scope, userId: string): HelpRequestView | null {
    const request = this.help.get(userId)?.get(scope);
    if (!request || !this.activity(scope, userId)?.help) return null;
    return { ...request, displayName: this.displayName(userId) };
  }

  status(scope: Scope, userId: string, now: number, thresholds: StatusThresholds): StudentStatus {
    const activity = this.activity(scope, userId);
    return activity ? studentStatus(activity, now, thresholds) : 'offline';
  }

  card(scope: Scope, userId: string, now: number, thresholds: StatusThresholds): Omit<BoardCard, 'team'> {
    const activity = this.activity(scope, userId) ?? createActivity(userId);
    const status = studentStatus(activity, now, thresholds);
    const stuck = stuckCell(activity, thresholds);
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
      help: this.openHelpIn(scope, userId),
      stuck: stuck ? { cellId: stuck.cellId, cellIndex: stuck.cellIndex, errorName: stuck.errorName, count: stuck.count } : null,
      lagSeconds: Math.round(activity.lagMs / 1000),
    };
  }
}
