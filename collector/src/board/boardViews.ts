/**
 * What one view of the board shows (a class, or everyone seen today): which students, from which
 * of their scopes (boardState.ts), and their cards, counts and help queue as that view names them.
 * Pure reads of the board state and the boundary copy; no I/O, no timers.
 */
import type { BoardCard, HelpRequestView, StatusCounts } from '@cell-monitor/shared';
import { STUDENT_STATUSES } from '@cell-monitor/shared';
import type { BoardBoundary } from './boardBoundary.ts';
import { ALL_SCOPE, classScope, type BoardState, type Scope } from './boardState.ts';
import { startOfToday, type ClassView } from './classViews.ts';

export type ViewReader = ReturnType<typeof createViewReader>;

export function createViewReader(board: BoardState, boundary: BoardBoundary, clock: () => number) {
  /** The scope a view shows a student from (undefined: the view has none for her). */
  function scopeFor(view: ClassView, userId: string): Scope | undefined {
    if (view.classId !== null) return classScope(view.classId);
    if (!view.taughtClassIds) return ALL_SCOPE;
    const taught = new Set(view.taughtClassIds);
    const hers = boundary.classesOf(userId).filter((id) => taught.has(id)).map(classScope);
    let best: Scope | undefined;
    for (const scope of hers) {
      if (!board.has(scope, userId)) continue;
      if (best === undefined || (board.lastHeardAt(scope, userId) ?? -1) > (board.lastHeardAt(best, userId) ?? -1)) best = scope;
    }
    return best ?? hers[0];
  }

  const usersOf = (view: ClassView): string[] => {
    if (view.userIds) return [...view.userIds];
    const since = startOfToday(clock());
    if (!view.taughtClassIds) return board.seenSince(ALL_SCOPE, since);
    const seen = new Set<string>();
    for (const id of view.taughtClassIds) for (const user of board.seenSince(classScope(id), since)) if (!view.canSee || view.canSee(user)) seen.add(user);
    return [...seen];
  };
  const shows = (view: ClassView, userId: string) => (view.userIds ? view.userIds.has(userId) : !view.canSee || view.canSee(userId));
  const nameIn = (view: ClassView, userId: string) => view.names.get(userId) ?? userId;

  /** A card as a view shows it: the student's activity in the view's scope, her name and team in that class. */
  const cardOf = (view: ClassView, userId: string, now: number): BoardCard => {
    const card = board.card(scopeFor(view, userId) ?? classScope(-1), userId, now, view.thresholds);
    const displayName = nameIn(view, userId);
    return { ...card, displayName, help: card.help ? { ...card.help, displayName } : null, team: view.teams?.get(userId) ?? null };
  };
  const statusOf = (view: ClassView, userId: string, now: number) => board.status(scopeFor(view, userId) ?? classScope(-1), userId, now, view.thresholds);
  const countsOf = (view: ClassView, users: string[], now: number) => {
    const counts = Object.fromEntries(STUDENT_STATUSES.map((s) => [s, 0])) as StatusCounts;
    for (const id of users) counts[statusOf(view, id, now)] += 1;
    return counts;
  };
  const helpQueueOf = (view: ClassView, users: string[]): HelpRequestView[] =>
    users
      .map((id) => {
        const scope = scopeFor(view, id);
        const request = scope ? board.openHelpIn(scope, id) : null;
        return request ? { ...request, displayName: nameIn(view, id) } : null;
      })
      .filter((r): r is HelpRequestView => r !== null)
      .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id - b.id);

  /** Whether a change in these scopes of a student reaches the view's card of her. */
  function reaches(view: ClassView, scopes: Set<Scope> | 'all'): boolean {
    if (scopes === 'all') return true;
    if (view.classId !== null) return scopes.has(classScope(view.classId));
    if (!view.taughtClassIds) return scopes.has(ALL_SCOPE);
    return view.taughtClassIds.some((id) => scopes.has(classScope(id)));
  }

  return { scopeFor, usersOf, shows, cardOf, statusOf, countsOf, helpQueueOf, reaches };
}
