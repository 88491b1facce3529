/**
 * The live board of this collector: rebuilt from the database at start (today's events, open help
 * requests), then fed by the persisted-event channel and the help channel, which every collector of
 * a deployment hears alike — so a board on any collector shows the same thing. The parts:
 * boardState (every student's activity per scope), boardBoundary (which scopes an event belongs to),
 * boardViews (what one view shows), boardWatchers (the open sockets and their deltas), boardFold
 * (reading the store). This file wires them: the feed, the re-fold when classes change, snapshots.
 *
 * The class boundary (classes/classBoundary.ts) holds here too: the board keeps each student's
 * activity per class that shows it, so a class's card of a student is computed only from her events
 * that belong to that class — nothing from before her enrolment, nothing of another class's
 * assignments. An instructor's "everyone seen today" shows each student as one of their classes
 * does (the one she was last active in); an admin's, everything.
 */
import type { Knex } from 'knex';
import type { BoardCard, BoardSnapshot, LiveEvent } from '@cell-monitor/shared';
import { EVENT_TYPES, isExecutionEvent } from '@cell-monitor/shared';
import type { Channel } from '../broadcast/channel.ts';
import type { Logger } from '../core/logger.ts';
import { openHelpRequests, type HelpChanged } from '../help/helpStore.ts';
import { createBoardBoundary } from './boardBoundary.ts';
import { foldEvents, maxEventId, storedUpTo } from './boardFold.ts';
import { BoardState } from './boardState.ts';
import { createViewReader } from './boardViews.ts';
import { createWatchers, type BoardWatcher } from './boardWatchers.ts';
import type { ClassView } from './classViews.ts';
import { DEFAULT_THRESHOLDS } from './thresholds.ts';

export { REBUILD_HOURS } from './boardFold.ts';
export type { BoardWatcher } from './boardWatchers.ts';

/** How often the board looks whether enrolments or assignments changed (a snapshot always looks first). */
const BOUNDARY_CHECK_MS = 2_000;
/** How long events a re-fold read from the store are recognised when the feed brings them too. */
const REFOLD_ECHO_MS = 60_000;

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
  const views = createViewReader(board, boundary, clock);
  const watchers = createWatchers({ db, views, clock, log });
  const offs: Array<() => void> = [];
  let boundaryTimer: ReturnType<typeof setInterval> | undefined;
  /** Students being folded again from the store: their live events wait here meanwhile. */
  let refolding: { users: Set<string>; held: LiveEvent[] } | undefined;
  let syncing: Promise<void> | undefined;
  /**
   * Events a re-fold read from the store: the feed may still bring some of them (a batch is
   * published after its commit), and they must not count twice. Kept REFOLD_ECHO_MS.
   */
  let folded: Array<{ at: number; ids: Set<string> }> = [];

  const eventScopes = (event: LiveEvent) => boundary.scopesOf(event.userId, Date.parse(event.eventTime), event.notebookPath);
  const helpScopes = (userId: string, request: { requestedAt: string; notebookPath: string | null }) => boundary.scopesOf(userId, Date.parse(request.requestedAt), request.notebookPath);
  const everyScope = (userIds: Iterable<string>) => new Map([...userIds].map((id) => [id, 'all' as const]));

  async function refreshHelp(userIds: string[]): Promise<void> {
    const open = await openHelpRequests(db, userIds);
    for (const id of userIds) board.setHelp(id, open.filter((r) => r.userId === id).map((request) => ({ request, scopes: helpScopes(id, request) })));
    watchers.forgetTimeToHelp();
  }

  function apply(events: LiveEvent[]): void {
    const changes = board.applyEvents(events, clock(), eventScopes);
    const helpUsers = [...new Set(events.filter((e) => e.eventType === EVENT_TYPES.helpRequest || e.eventType === EVENT_TYPES.helpCancel).map((e) => e.userId))];
    const runs = events.some((e) => isExecutionEvent(e.eventType));
    if (helpUsers.length === 0) return watchers.changed(changes, runs);
    // The persister wrote the help rows in the same transaction as these events: read their ids now.
    refreshHelp(helpUsers)
      .catch((err: Error) => log.warn({ err }, 'help requests not re-read'))
      .finally(() => watchers.changed(changes, runs));
  }

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

  /** Students whose classes or whose classes' assignments changed: their board folded again under the new boundary. */
  async function refold(userIds: string[]): Promise<void> {
    refolding = { users: new Set(userIds), held: [] };
    try {
      const upTo = await maxEventId(db);
      for (let i = 0; i < userIds.length; i += 500) {
        const chunk = userIds.slice(i, i + 500);
        for (const id of chunk) board.reset(id);
        const { eventIds } = await foldEvents(db, board, eventScopes, { userIds: chunk, upTo, now: clock() });
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
    watchers.changed(everyScope(userIds), true);
  }

  function sync(): Promise<void> {
    const run = async () => {
      const users = await boundary.refresh();
      if (users.length > 0) {
        // An open board learns of a student enrolled a moment ago (a roster import) now, not at its
        // view's next periodic re-read: the views first, then the cards the re-fold sends.
        await watchers.reloadAll();
        await refold(users);
        watchers.forgetTimeToHelp();
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
    const { folded: count } = await foldEvents(db, board, eventScopes, { upTo, now: clock() });
    const open = await openHelpRequests(db);
    const byUser = new Map<string, typeof open>();
    for (const request of open) byUser.set(request.userId, [...(byUser.get(request.userId) ?? []), request]);
    for (const id of new Set([...board.known(), ...byUser.keys()])) board.setHelp(id, (byUser.get(id) ?? []).map((request) => ({ request, scopes: helpScopes(id, request) })));
    log.info({ event: 'board_rebuilt', events: count, openHelp: open.length }, 'dashboard board rebuilt');
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
            watchers.remove(userId);
          }),
        );
      }
      offs.push(
        parts.help.subscribe((message) => {
          refreshHelp([message.userId])
            .then(() => watchers.changed(everyScope([message.userId]), false))
            .catch((err: Error) => log.warn({ err }, 'help change not applied'));
        }),
      );
      await boundary.refresh();
      const upTo = await maxEventId(db);
      await rebuild(upTo);
      const heldEvents = held.flat();
      const already = await storedUpTo(db, heldEvents.map((e) => e.eventId), upTo);
      holding = false;
      const fresh = heldEvents.filter((e) => !already.has(e.eventId));
      if (fresh.length > 0) onEvents(fresh);
      watchers.startTicking();
      boundaryTimer = setInterval(() => {
        if (!syncing) sync().catch((err: Error) => log.warn({ err }, 'class boundary not re-read'));
      }, BOUNDARY_CHECK_MS);
      boundaryTimer.unref();
    },

    async snapshot(view) {
      await sync();
      const now = clock();
      const users = views.usersOf(view);
      return {
        classId: view.classId,
        className: view.className,
        generatedAt: new Date(now).toISOString(),
        stuckErrors: view.thresholds.stuckErrors,
        cards: users.map((id) => views.cardOf(view, id, now)),
        counts: views.countsOf(view, users, now),
        helpQueue: views.helpQueueOf(view, users),
        timeToHelp: await watchers.timeToHelpOf(view),
      };
    },

    card(userId, view) {
      const scope = views.scopeFor(view, userId);
      return scope && board.has(scope, userId) ? views.cardOf(view, userId, clock()) : null;
    },

    sync,

    watch: (watcher) => watchers.watch(watcher),

    async helpChanged(userId) {
      await parts.help.publish({ userId });
    },

    get watchers() {
      return watchers.size;
    },

    stop() {
      clearInterval(boundaryTimer);
      for (const off of offs.splice(0)) off();
      watchers.stop();
    },
  };
}
