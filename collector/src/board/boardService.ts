/**
 * The live board of this collector: rebuilt from the database at start (today's events, open help
 * requests), then fed by the persisted-event channel and the help channel, which every collector of
 * a deployment hears alike — so a board on any collector shows the same thing. Each dashboard socket
 * watches one view (a class, or everyone seen today) and gets a `card` when one of its students
 * changes (by event, by help, or by time: active → idle), a `header` when the counts or the help
 * queue change, and a `stale` hint for the progress and error views, at most every 5 s.
 *
 * The class boundary (lms/classBoundary.ts) holds here too: the board keeps each student's activity
 * per class that shows it (boardState.ts scopes, boardBoundary.ts decides), so a class's card of a
 * student is computed only from her events that belong to that class — nothing from before her
 * enrolment, nothing of another class's assignments. An instructor's "everyone seen today" shows
 * each student as one of their classes does (the one she was last active in); an admin's, everything.
 */
import type { Knex } from 'knex';
import type { BoardCard, BoardSnapshot, DashboardMessage, HelpRequestView, LiveEvent, StatusCounts, StudentStatus, TimeToHelp } from '@cell-monitor/shared';
import { EVENT_TYPES, isExecutionEvent, STUDENT_STATUSES, toLiveEvent, type CellEvent } from '@cell-monitor/shared';
import type { Channel } from '../broadcast/channel.ts';
import type { Logger } from '../core/logger.ts';
import { iso, json } from '../db/rows.ts';
import { createBoardBoundary } from './boardBoundary.ts';
import { ALL_SCOPE, BoardState, classScope, type Scope } from './boardState.ts';
import { startOfToday, type ClassView } from './classViews.ts';
import { openHelpRequests, timeToHelp, type HelpChanged } from '../help/helpStore.ts';
import { DEFAULT_THRESHOLDS } from './thresholds.ts';

/** Today's events are folded at start; older ones only matter to the history views. */
export const REBUILD_HOURS = 12;
const TICK_MS = 5_000;
const STALE_EVERY_MS = 5_000;
const HEADER_DELAY_MS = 200;
const TIME_TO_HELP_CACHE_MS = 10_000;
/** How often the board looks whether enrolments or assignments changed (a snapshot always looks first). */
const BOUNDARY_CHECK_MS = 2_000;
/** How long events a re-fold read from the store are recognised when the feed brings them too. */
const REFOLD_ECHO_MS = 60_000;

export interface BoardWatcher {
  view: ClassView;
  send(message: DashboardMessage): void;
  /** Re-reads the view (its students, names, teams); called when enrolments changed, before their cards are sent. */
  reload?(): Promise<void>;
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
  /** One student's card as the view shows it (null when the view has never heard of them). */
  card(userId: string, view: ClassView): BoardCard | null;
  /** Applies enrolment and assignment changes now (they are also picked up every few seconds). */
  sync(): Promise<void>;
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
  const boundary = createBoardBoundary(db);
  const watching = new Set<WatchState>();
  const ttlCache = new Map<string, { at: number; value: Promise<TimeToHelp> }>();
  const offs: Array<() => void> = [];
  let tick: ReturnType<typeof setInterval> | undefined;
  let boundaryTimer: ReturnType<typeof setInterval> | undefined;
  /** Students being folded again from the store: their live events wait here meanwhile. */
  let refolding: { users: Set<string>; held: LiveEvent[] } | undefined;
  let syncing: Promise<void> | undefined;

  const eventScopes = (event: LiveEvent) => boundary.scopesOf(event.userId, Date.parse(event.eventTime), event.notebookPath);
  const helpScopes = (userId: string, request: { requestedAt: string; notebookPath: string | null }) => boundary.scopesOf(userId, Date.parse(request.requestedAt), request.notebookPath);

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
        .then((ttl) => state.watcher.send({ type: 'header', counts: countsOf(view, users, clock()), timeToHelp: ttl, helpQueue: helpQueueOf(view, users) }))
        .catch((err: Error) => log.warn({ err }, 'dashboard header not sent'));
    }, HEADER_DELAY_MS);
  }

  /** Whether a change in these scopes of a student reaches the view's card of her. */
  function reaches(view: ClassView, scopes: Set<Scope> | 'all'): boolean {
    if (scopes === 'all') return true;
    if (view.classId !== null) return scopes.has(classScope(view.classId));
    if (!view.taughtClassIds) return scopes.has(ALL_SCOPE);
    return view.taughtClassIds.some((id) => scopes.has(classScope(id)));
  }

  function changed(changes: Map<string, Set<Scope> | 'all'>, runs: boolean): void {
    const now = clock();
    for (const state of watching) {
      let any = false;
      for (const [id, scopes] of changes) {
        if (!shows(state.watcher.view, id) || !reaches(state.watcher.view, scopes)) continue;
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
  const everyScope = (userIds: Iterable<string>) => new Map([...userIds].map((id) => [id, 'all' as const]));

  async function refreshHelp(userIds: string[]): Promise<void> {
    const open = await openHelpRequests(db, userIds);
    for (const id of userIds) board.setHelp(id, open.filter((r) => r.userId === id).map((request) => ({ request, scopes: helpScopes(id, request) })));
    ttlCache.clear();
  }

  function apply(events: LiveEvent[]): void {
    const arrived = clock();
    const changes = board.applyEvents(events, arrived, eventScopes);
    const helpUsers = [...new Set(events.filter((e) => e.eventType === EVENT_TYPES.helpRequest || e.eventType === EVENT_TYPES.helpCancel).map((e) => e.userId))];
    const runs = events.some((e) => isExecutionEvent(e.eventType));
    if (helpUsers.length === 0) return changed(changes, runs);
    // The persister wrote the help rows in the same transaction as these events: read their ids now.
    refreshHelp(helpUsers)
      .catch((err: Error) => log.warn({ err }, 'help requests not re-read'))
      .finally(() => changed(changes, runs));
  }

  /**
   * Events a re-fold read from the store: the feed may still bring some of them (a batch is
   * published after its commit), and they must not count twice. Kept REFOLD_ECHO_MS.
   */
  let folded: Array<{ at: number; ids: Set<string> }> = [];

  function onEvents(incoming: LiveEvent[]): void {
    let events = incoming;
    if (folded.length > 0) {
      const now = clock();
      folded = folded.filter((f) => now - f.at < REFOLD_ECHO_MS);
      events = events.filter((e) => !folded.some((f) => f.ids.has(e.eventId)));
      if (events.length === 0) return;
    }
    if (!refolding) return apply(events);
    const now = events.filter((e) => !refolding!.users.has(e.userId));
    refolding.held.push(...events.filter((e) => refolding!.users.has(e.userId)));
    if (now.length > 0) apply(now);
  }

  /**
   * Folds today's events of some students (all when undefined) from the store, up to a row id. A
   * re-fold takes each event's arrival from when it was persisted, so a student whose offline queue
   * is draining still shows as catching up.
   */
  async function fold(userIds: string[] | undefined, upTo: number): Promise<{ folded: number; eventIds: Set<string> }> {
    const since = new Date(clock() - REBUILD_HOURS * 3_600_000).toISOString();
    const eventIds = new Set<string>();
    let lastId = 0;
    let folded = 0;
    for (;;) {
      const rows: Array<{ id: number | string; payload: unknown; persisted_at: string | Date }> = await db('events')
        .where('id', '>', lastId)
        .andWhere('id', '<=', upTo)
        .andWhere('event_time', '>=', since)
        .modify((q) => (userIds ? q.whereIn('user_id', userIds) : q))
        .orderBy('id')
        .limit(5_000)
        .select('id', 'payload', 'persisted_at');
      if (rows.length === 0) break;
      for (const row of rows) {
        const event = toLiveEvent(json(row.payload) as CellEvent);
        eventIds.add(event.eventId);
        const arrived = userIds ? persistedAt(row.persisted_at) : Date.parse(event.eventTime);
        board.applyEvents([event], arrived || clock(), eventScopes);
      }
      folded += rows.length;
      lastId = Number(rows[rows.length - 1].id);
    }
    return { folded, eventIds };
  }

  /** events.persisted_at: SQLite's default is CURRENT_TIMESTAMP, UTC written without a zone. */
  const persistedAt = (value: string | Date) => (typeof value === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? Date.parse(`${value.replace(' ', 'T')}Z`) : Date.parse(iso(value)!));

  async function maxEventId(): Promise<number> {
    const [{ max }] = await db('events').max({ max: 'id' });
    return Number(max ?? 0);
  }

  /** Students whose classes or whose classes' assignments changed: their board folded again under the new boundary. */
  async function refold(userIds: string[]): Promise<void> {
    refolding = { users: new Set(userIds), held: [] };
    try {
      const upTo = await maxEventId();
      for (let i = 0; i < userIds.length; i += 500) {
        const chunk = userIds.slice(i, i + 500);
        for (const id of chunk) board.reset(id);
        const { eventIds } = await fold(chunk, upTo);
        folded.push({ at: clock(), ids: eventIds });
        const held = refolding.held.filter((e) => chunk.includes(e.userId) && !eventIds.has(e.eventId));
        refolding.held = refolding.held.filter((e) => !chunk.includes(e.userId));
        for (const id of chunk) refolding.users.delete(id);
        if (held.length > 0) board.applyEvents(held, clock(), eventScopes);
        // After the held events: a help request among them was committed before it was sent, so this reads it too.
        await refreshHelp(chunk);
      }
    } finally {
      const rest = refolding?.held ?? [];
      refolding = undefined;
      if (rest.length > 0) apply(rest);
    }
    changed(everyScope(userIds), true);
  }

  function sync(): Promise<void> {
    const run = async () => {
      const users = await boundary.refresh();
      if (users.length > 0) {
        // An open board learns of a student enrolled a moment ago (a roster import) now, not at its
        // view's next periodic re-read: the views first, then the cards the re-fold sends.
        await Promise.all([...watching].map((state) => state.watcher.reload?.().catch((err: Error) => log.warn({ err }, 'board view not re-read'))));
        await refold(users);
        ttlCache.clear();
        log.info({ event: 'board_boundary_changed', students: users.length }, 'enrolments or assignments changed: those students re-folded');
      }
    };
    const next = (syncing ?? Promise.resolve()).catch(() => undefined).then(run);
    syncing = next;
    return next.finally(() => {
      if (syncing === next) syncing = undefined;
    });
  }

  async function rebuild(upTo: number): Promise<void> {
    const { folded } = await fold(undefined, upTo);
    const open = await openHelpRequests(db);
    const byUser = new Map<string, HelpRequestView[]>();
    for (const request of open) byUser.set(request.userId, [...(byUser.get(request.userId) ?? []), request]);
    for (const id of new Set([...board.known(), ...byUser.keys()])) board.setHelp(id, (byUser.get(id) ?? []).map((request) => ({ request, scopes: helpScopes(id, request) })));
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
            .then(() => changed(everyScope([message.userId]), false))
            .catch((err: Error) => log.warn({ err }, 'help change not applied'));
        }),
      );
      await boundary.refresh();
      const upTo = await maxEventId();
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
            const status = statusOf(state.watcher.view, id, now);
            if (state.lastStatus.get(id) === status) continue;
            sendCard(state, cardOf(state.watcher.view, id, now));
            any = true;
          }
          if (any) scheduleHeader(state);
        }
      }, TICK_MS);
      tick.unref();
      boundaryTimer = setInterval(() => {
        if (!syncing) sync().catch((err: Error) => log.warn({ err }, 'class boundary not re-read'));
      }, BOUNDARY_CHECK_MS);
      boundaryTimer.unref();
    },

    async snapshot(view) {
      await sync();
      const now = clock();
      const users = usersOf(view);
      return {
        classId: view.classId,
        className: view.className,
        generatedAt: new Date(now).toISOString(),
        stuckErrors: view.thresholds.stuckErrors,
        cards: users.map((id) => cardOf(view, id, now)),
        counts: countsOf(view, users, now),
        helpQueue: helpQueueOf(view, users),
        timeToHelp: await timeToHelpOf(view),
      };
    },

    card(userId, view) {
      const scope = scopeFor(view, userId);
      return scope && board.has(scope, userId) ? cardOf(view, userId, clock()) : null;
    },

    sync,

    watch(watcher) {
      const now = clock();
      const state: WatchState = { watcher, lastStatus: new Map(), lastStaleAt: 0 };
      for (const id of usersOf(watcher.view)) state.lastStatus.set(id, statusOf(watcher.view, id, now));
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
      clearInterval(boundaryTimer);
      for (const off of offs.splice(0)) off();
      for (const state of watching) clearTimeout(state.headerTimer);
      watching.clear();
    },
  };
}
