/**
 * The live board of this collector: rebuilt from the database at start (today's events, open help
 * requests), then fed by the persisted-event channel and the help channel, which every collector of
 * a deployment hears alike — so a board on any collector shows the same thing. Each dashboard socket
 * watches one view (a class, or everyone seen today) and gets a `card` when one of its students
 * changes (by event, by help, or by time: active → idle), a `header` when the counts or the help
 * queue change, and a `stale` hint for the progress and error views, at most every 5 s.
 */
import type { Knex } from 'knex';
import type { BoardCard, BoardSnapshot, DashboardMessage, LiveEvent, StudentStatus, TimeToHelp } from '@cell-monitor/shared';
import { EVENT_TYPES, isExecutionEvent, toLiveEvent, type CellEvent } from '@cell-monitor/shared';
import type { Channel } from '../broadcast/channel.ts';
import type { Logger } from '../core/logger.ts';
import { json } from '../db/rows.ts';
import { BoardState } from './boardState.ts';
import { startOfToday, type ClassView } from './classViews.ts';
import { openHelpRequests, timeToHelp } from './helpStore.ts';
import { DEFAULT_THRESHOLDS } from './thresholds.ts';

/** Today's events are folded at start; older ones only matter to the history views. */
export const REBUILD_HOURS = 12;
const TICK_MS = 5_000;
const STALE_EVERY_MS = 5_000;
const HEADER_DELAY_MS = 200;
const TIME_TO_HELP_CACHE_MS = 10_000;

/** A help request of this student changed (claimed, resolved) on some collector. */
export interface HelpChanged {
  userId: string;
}

export interface BoardWatcher {
  view: ClassView;
  send(message: DashboardMessage): void;
}

interface WatchState {
  watcher: BoardWatcher;
  lastStatus: Map<string, StudentStatus>;
  headerTimer?: ReturnType<typeof setTimeout>;
  lastStaleAt: number;
}

export interface BoardService {
  start(): Promise<void>;
  snapshot(view: ClassView): Promise<BoardSnapshot>;
  /** One student's card as the view shows it (null when the board has never heard of them). */
  card(userId: string, view: ClassView): BoardCard | null;
  watch(watcher: BoardWatcher): () => void;
  /** A help request changed here: every collector's board (this one included) re-reads it. */
  helpChanged(userId: string): Promise<void>;
  readonly watchers: number;
  stop(): void;
}

export function createBoardService(parts: { db: Knex; events: Channel<LiveEvent[]>; help: Channel<HelpChanged>; erasures?: Channel<{ userId: string }>; log: Logger; now?: () => number }): BoardService {
  const { db, log } = parts;
  const clock = parts.now ?? Date.now;
  const board = new BoardState(DEFAULT_THRESHOLDS.catchingUpLagMs);
  const watching = new Set<WatchState>();
  const ttlCache = new Map<string, { at: number; value: Promise<TimeToHelp> }>();
  const offs: Array<() => void> = [];
  let tick: ReturnType<typeof setInterval> | undefined;

  const usersOf = (view: ClassView): string[] =>
    view.userIds ? [...view.userIds] : board.seenSince(startOfToday(clock())).filter((id) => !view.canSee || view.canSee(id));
  const shows = (view: ClassView, userId: string) => (view.userIds ? view.userIds.has(userId) : !view.canSee || view.canSee(userId));

  function timeToHelpOf(view: ClassView): Promise<TimeToHelp> {
    const key = view.userIds ? `class:${view.classId}` : view.canSee ? '' : 'all';
    const cached = key ? ttlCache.get(key) : undefined;
    if (cached && clock() - cached.at < TIME_TO_HELP_CACHE_MS) return cached.value;
    const value = timeToHelp(db, new Date(startOfToday(clock())), view.userIds ? [...view.userIds] : view.canSee ? usersOf(view) : undefined);
    if (key) ttlCache.set(key, { at: clock(), value });
    value.catch(() => ttlCache.delete(key));
    return value;
  }

  /** A card as a view shows it: the board's card with the student's team in that class. */
  const cardOf = (view: ClassView, userId: string, now: number): BoardCard => ({ ...board.card(userId, now, view.thresholds), team: view.teams?.get(userId) ?? null });

  const sendCard = (state: WatchState, card: BoardCard) => {
    state.lastStatus.set(card.userId, card.status);
    state.watcher.send({ type: 'card', card });
  };

  function scheduleHeader(state: WatchState): void {
    if (state.headerTimer) return;
    state.headerTimer = setTimeout(() => {
      state.headerTimer = undefined;
      const { view } = state.watcher;
      const users = usersOf(view);
      timeToHelpOf(view)
        .then((ttl) => state.watcher.send({ type: 'header', counts: board.counts(users, clock(), view.thresholds), timeToHelp: ttl, helpQueue: board.openHelp(users) }))
        .catch((err: Error) => log.warn({ err }, 'dashboard header not sent'));
    }, HEADER_DELAY_MS);
  }

  function changed(userIds: Iterable<string>, runs: boolean): void {
    const now = clock();
    for (const state of watching) {
      let any = false;
      for (const id of userIds) {
        if (!shows(state.watcher.view, id)) continue;
        sendCard(state, cardOf(state.watcher.view, id, now));
        any = true;
      }
      if (!any) continue;
      scheduleHeader(state);
      if (runs && now - state.lastStaleAt >= STALE_EVERY_MS) {
        state.lastStaleAt = now;
        state.watcher.send({ type: 'stale', views: ['progress', 'errors'] });
      }
    }
  }

  async function refreshHelp(userIds: string[]): Promise<void> {
    const open = await openHelpRequests(db, userIds);
    for (const id of userIds) board.setHelp(id, open.find((r) => r.userId === id) ?? null);
    ttlCache.clear();
  }

  function onEvents(events: LiveEvent[]): void {
    const arrived = clock();
    const changedIds = board.applyEvents(events, arrived);
    const helpUsers = [...new Set(events.filter((e) => e.eventType === EVENT_TYPES.helpRequest || e.eventType === EVENT_TYPES.helpCancel).map((e) => e.userId))];
    const runs = events.some((e) => isExecutionEvent(e.eventType));
    if (helpUsers.length === 0) return changed(changedIds, runs);
    // The persister wrote the help rows in the same transaction as these events: read their ids now.
    refreshHelp(helpUsers)
      .catch((err: Error) => log.warn({ err }, 'help requests not re-read'))
      .finally(() => changed(changedIds, runs));
  }

  async function rebuild(upTo: number): Promise<void> {
    const since = new Date(clock() - REBUILD_HOURS * 3_600_000).toISOString();
    let lastId = 0;
    let folded = 0;
    for (;;) {
      const rows: Array<{ id: number | string; payload: unknown }> = await db('events').where('id', '>', lastId).andWhere('id', '<=', upTo).andWhere('event_time', '>=', since).orderBy('id').limit(5_000).select('id', 'payload');
      if (rows.length === 0) break;
      for (const row of rows) {
        const event = toLiveEvent(json(row.payload) as CellEvent);
        board.applyEvents([event], Date.parse(event.eventTime) || clock());
      }
      folded += rows.length;
      lastId = Number(rows[rows.length - 1].id);
    }
    const open = await openHelpRequests(db);
    for (const id of board.seenSince(0)) board.setHelp(id, null);
    for (const request of open) board.setHelp(request.userId, request);
    const names: Array<{ user_id: string; name: string }> = await db('students').whereNotNull('name').select('user_id', 'name');
    for (const n of names) board.setName(n.user_id, n.name);
    log.info({ event: 'board_rebuilt', events: folded, openHelp: open.length }, 'dashboard board rebuilt');
  }

  return {
    async start() {
      // Exactly once across the rebuild: subscribe first and hold what arrives, fold the store up to
      // the newest row id read after subscribing, then apply the held events the store did not have.
      const held: LiveEvent[][] = [];
      let holding = true;
      offs.push(parts.events.subscribe((events) => (holding ? held.push(events) : onEvents(events))));
      if (parts.erasures) {
        // An erased student leaves every board at once (their card is not rebuilt: their events are gone).
        offs.push(
          parts.erasures.subscribe(({ userId }) => {
            board.forget(userId);
            for (const state of watching) {
              state.watcher.view.userIds?.delete(userId);
              if (!state.lastStatus.delete(userId)) continue;
              state.watcher.send({ type: 'removed', userId });
              scheduleHeader(state);
            }
          }),
        );
      }
      offs.push(
        parts.help.subscribe((message) => {
          refreshHelp([message.userId])
            .then(() => changed([message.userId], false))
            .catch((err: Error) => log.warn({ err }, 'help change not applied'));
        }),
      );
      const [{ max }] = await db('events').max({ max: 'id' });
      const upTo = Number(max ?? 0);
      await rebuild(upTo);
      const heldEvents = held.flat();
      const folded = new Set<string>();
      for (let i = 0; i < heldEvents.length; i += 500) {
        const ids = heldEvents.slice(i, i + 500).map((e) => e.eventId);
        for (const r of await db('events').whereIn('event_id', ids).andWhere('id', '<=', upTo).select('event_id')) folded.add(r.event_id);
      }
      holding = false;
      const fresh = heldEvents.filter((e) => !folded.has(e.eventId));
      if (fresh.length > 0) onEvents(fresh);
      tick = setInterval(() => {
        const now = clock();
        for (const state of watching) {
          let any = false;
          for (const id of usersOf(state.watcher.view)) {
            const status = board.status(id, now, state.watcher.view.thresholds);
            if (state.lastStatus.get(id) === status) continue;
            sendCard(state, cardOf(state.watcher.view, id, now));
            any = true;
          }
          if (any) scheduleHeader(state);
        }
      }, TICK_MS);
      tick.unref();
    },

    async snapshot(view) {
      for (const [id, name] of view.names) board.setName(id, name);
      const now = clock();
      const users = usersOf(view);
      return {
        classId: view.classId,
        className: view.className,
        generatedAt: new Date(now).toISOString(),
        stuckErrors: view.thresholds.stuckErrors,
        cards: users.map((id) => cardOf(view, id, now)),
        counts: board.counts(users, now, view.thresholds),
        helpQueue: board.openHelp(users),
        timeToHelp: await timeToHelpOf(view),
      };
    },

    card(userId, view) {
      for (const [id, name] of view.names) board.setName(id, name);
      return board.has(userId) ? cardOf(view, userId, clock()) : null;
    },

    watch(watcher) {
      for (const [id, name] of watcher.view.names) board.setName(id, name);
      const now = clock();
      const state: WatchState = { watcher, lastStatus: new Map(), lastStaleAt: 0 };
      for (const id of usersOf(watcher.view)) state.lastStatus.set(id, board.status(id, now, watcher.view.thresholds));
      watching.add(state);
      return () => {
        clearTimeout(state.headerTimer);
        watching.delete(state);
      };
    },

    async helpChanged(userId) {
      await parts.help.publish({ userId });
    },

    get watchers() {
      return watching.size;
    },

    stop() {
      clearInterval(tick);
      for (const off of offs.splice(0)) off();
      for (const state of watching) clearTimeout(state.headerTimer);
      watching.clear();
    },
  };
}
