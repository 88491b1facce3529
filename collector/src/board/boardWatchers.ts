/**
 * The board's open sockets (`/dashboard/ws` watchers): each gets a `card` when one of its students
 * changes (by event, by help, or by time: active → idle, checked every TICK_MS), a `header` when
 * the counts or the help queue change (coalesced over HEADER_DELAY_MS), and a `stale` hint for the
 * progress and error views, at most every STALE_EVERY_MS. Time to help is cached per reach.
 */
import type { Knex } from 'knex';
import type { BoardCard, DashboardMessage, TimeToHelp } from '@cell-monitor/shared';
import type { Logger } from '../core/logger.ts';
import { timeToHelp } from '../help/helpStore.ts';
import type { Scope } from './boardState.ts';
import type { ViewReader } from './boardViews.ts';
import { startOfToday, type ClassView } from './classViews.ts';

const TICK_MS = 5_000;
const STALE_EVERY_MS = 5_000;
const HEADER_DELAY_MS = 200;
const TIME_TO_HELP_CACHE_MS = 10_000;

export interface BoardWatcher {
  view: ClassView;
  send(message: DashboardMessage): void;
  /** Re-reads the view (its students, names, teams); called when enrolments changed, before their cards are sent. */
  reload?(): Promise<void>;
}

interface WatchState {
  watcher: BoardWatcher;
  lastStatus: Map<string, string>;
  headerTimer?: ReturnType<typeof setTimeout>;
  lastStaleAt: number;
}

export function createWatchers(parts: { db: Knex; views: ViewReader; clock: () => number; log: Logger }) {
  const { db, views, clock, log } = parts;
  const watching = new Set<WatchState>();
  const ttlCache = new Map<string, { at: number; value: Promise<TimeToHelp> }>();
  let tick: ReturnType<typeof setInterval> | undefined;

  function timeToHelpOf(view: ClassView): Promise<TimeToHelp> {
    const reach = view.reach;
    const key = !reach ? 'all' : 'classId' in reach ? `class:${reach.classId}` : `instructor:${reach.instructorId}`;
    const cached = ttlCache.get(key);
    if (cached && clock() - cached.at < TIME_TO_HELP_CACHE_MS) return cached.value;
    const value = timeToHelp(db, new Date(startOfToday(clock())), reach);
    ttlCache.set(key, { at: clock(), value });
    value.catch(() => ttlCache.delete(key));
    return value;
  }

  const sendCard = (state: WatchState, card: BoardCard) => {
    state.lastStatus.set(card.userId, card.status);
    state.watcher.send({ type: 'card', card });
  };

  function scheduleHeader(state: WatchState): void {
    if (state.headerTimer) return;
    state.headerTimer = setTimeout(() => {
      state.headerTimer = undefined;
      const { view } = state.watcher;
      const users = views.usersOf(view);
      timeToHelpOf(view)
        .then((ttl) => state.watcher.send({ type: 'header', counts: views.countsOf(view, users, clock()), timeToHelp: ttl, helpQueue: views.helpQueueOf(view, users) }))
        .catch((err: Error) => log.warn({ err }, 'dashboard header not sent'));
    }, HEADER_DELAY_MS);
  }

  return {
    timeToHelpOf,
    /** Help changed somewhere: the cached times to help are stale. */
    forgetTimeToHelp: () => ttlCache.clear(),

    /** These students changed in these scopes: every view that shows them gets their cards (and `stale` when runs changed). */
    changed(changes: Map<string, Set<Scope> | 'all'>, runs: boolean): void {
      const now = clock();
      for (const state of watching) {
        let any = false;
        for (const [id, scopes] of changes) {
          if (!views.shows(state.watcher.view, id) || !views.reaches(state.watcher.view, scopes)) continue;
          sendCard(state, views.cardOf(state.watcher.view, id, now));
          any = true;
        }
        if (!any) continue;
        scheduleHeader(state);
        if (runs && now - state.lastStaleAt >= STALE_EVERY_MS) {
          state.lastStaleAt = now;
          state.watcher.send({ type: 'stale', views: ['progress', 'errors'] });
        }
      }
    },

    /** An erased student leaves every open board at once. */
    remove(userId: string): void {
      for (const state of watching) {
        state.watcher.view.userIds?.delete(userId);
        if (!state.lastStatus.delete(userId)) continue;
        state.watcher.send({ type: 'removed', userId });
        scheduleHeader(state);
      }
    },

    /** Every watcher re-reads its view (enrolments changed). */
    reloadAll(): Promise<unknown> {
      return Promise.all([...watching].map((state) => state.watcher.reload?.().catch((err: Error) => log.warn({ err }, 'board view not re-read'))));
    },

    watch(watcher: BoardWatcher): () => void {
      const now = clock();
      const state: WatchState = { watcher, lastStatus: new Map(), lastStaleAt: 0 };
      for (const id of views.usersOf(watcher.view)) state.lastStatus.set(id, views.statusOf(watcher.view, id, now));
      watching.add(state);
      return () => {
        clearTimeout(state.headerTimer);
        watching.delete(state);
      };
    },

    /** Time moves statuses (active → idle → offline): every TICK_MS, the cards whose status changed. */
    startTicking(): void {
      tick = setInterval(() => {
        const now = clock();
        for (const state of watching) {
          let any = false;
          for (const id of views.usersOf(state.watcher.view)) {
            const status = views.statusOf(state.watcher.view, id, now);
            if (state.lastStatus.get(id) === status) continue;
            sendCard(state, views.cardOf(state.watcher.view, id, now));
            any = true;
          }
          if (any) scheduleHeader(state);
        }
      }, TICK_MS);
      tick.unref();
    },

    get size() {
      return watching.size;
    },

    stop(): void {
      clearInterval(tick);
      for (const state of watching) clearTimeout(state.headerTimer);
      watching.clear();
    },
  };
}
