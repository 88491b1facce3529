/**
 * The live WebSocket routes. `/ws`: persisted events, to an instructor only those of the students
 * in their classes (admins and DEV_OPEN_WS: all). `/instructor/ws`: status changes of the instructor,
 * their co-teachers and, for admins, everyone (classes/colleagues.ts).
 * `/dashboard/ws?class_id=`: the board's deltas (dashboard/boardService.ts). Each starts with a
 * `hello`; closing at shutdown, token expiry and revocation is the socket registry's job.
 */
import Router from '@koa/router';
import type { Knex } from 'knex';
import { SOCKET_CLOSE, type DashboardHelloMessage, type DashboardMessage, type HelloMessage, type InstructorHelloMessage } from '@cell-monitor/shared';
import type { LiveChannels } from '../broadcast/liveChannels.ts';
import type { WsHub } from '../broadcast/wsHub.ts';
import { maySeeInstructor } from '../classes/colleagues.ts';
import { statusView, view } from '../instructors/store.ts';
import type { BoardService, BoardWatcher } from '../board/boardService.ts';
import { loadClassView } from '../board/classViews.ts';
import { HttpError } from '../http/errors.ts';
import { createRosterFilter, isAdmin, ROSTER_REFRESH_MS, teacherRole } from '../classes/classAccess.ts';
import type { UpgradeCheck } from './upgradeCheck.ts';

export interface LiveSocketParts {
  db: Knex;
  hub: WsHub;
  channels: LiveChannels;
  collectorId: string;
  upgrades: UpgradeCheck;
  board: BoardService;
}

export function createLiveSocketRouter(parts: LiveSocketParts): Router {
  const router = new Router({ strict: true, sensitive: true });
  router.all('/ws', async (ctx) => {
    const meta = parts.upgrades.admit(ctx);
    if (!meta) return;
    const socket = ctx.websocket;
    if (meta.who && !isAdmin(meta.who)) {
      const instructorId = meta.who.instructor.id;
      const roster = await createRosterFilter(parts.db, instructorId);
      // Removed from a class (or a class deleted): stop that class's students now, not at the next refresh.
      const unlisten = parts.channels.classAccess.subscribe((lost) => {
        if (lost.instructorId === null || lost.instructorId === instructorId) void roster.refresh().catch(() => undefined);
      });
      socket.once('close', () => (roster.stop(), unlisten()));
      if (socket.readyState !== socket.OPEN) return roster.stop(), unlisten();
      parts.hub.add(socket, roster.canSee);
    } else {
      parts.hub.add(socket);
    }
    socket.send(JSON.stringify({ type: 'hello', collectorId: parts.collectorId } satisfies HelloMessage));
  });
  router.all('/instructor/ws', (ctx) => {
    const meta = parts.upgrades.admit(ctx);
    if (!meta) return;
    const who = meta.who!;
    const socket = ctx.websocket;
    // Whether the socket may see an update is asked at the time of each (co-teachers change); the
    // chain keeps the updates in the order they came.
    let sending = Promise.resolve();
    const unsubscribe = parts.channels.instructorStatus.subscribe((update) => {
      sending = sending
        .then(() => maySeeInstructor(parts.db, who, update.instructor_id))
        .then((visible) => {
          if (visible && socket.readyState === socket.OPEN) socket.send(JSON.stringify(update));
        })
        .catch(() => undefined);
    });
    socket.on('close', unsubscribe);
    socket.on('error', unsubscribe);
    socket.send(JSON.stringify({ type: 'hello', collectorId: parts.collectorId, instructor: view(who.instructor), status: statusView(who.instructor) } satisfies InstructorHelloMessage));
  });
  router.all('/dashboard/ws', async (ctx) => {
    const meta = parts.upgrades.admit(ctx);
    if (!meta) return;
    const who = meta.who!;
    const socket = ctx.websocket;
    const raw = String(ctx.query.class_id ?? '');
    const classId = /^\d{1,9}$/.test(raw) ? Number(raw) : null;
    if (raw !== '' && classId === null) return socket.close(SOCKET_CLOSE.notFound, 'class_not_found');
    if (classId !== null && !isAdmin(who) && !(await teacherRole(parts.db, who.instructor.id, classId))) return socket.close(SOCKET_CLOSE.forbidden, 'not_class_teacher');
    let view;
    try {
      view = await loadClassView(parts.db, classId, who);
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return socket.close(SOCKET_CLOSE.notFound, err.id);
      throw err;
    }
    if (socket.readyState !== socket.OPEN) return;
    const watcher: BoardWatcher = {
      view,
      send: (message: DashboardMessage) => void (socket.readyState === socket.OPEN && socket.send(JSON.stringify(message))),
      reload: () => recheck(),
    };
    const unwatch = parts.board.watch(watcher);
    // Enrollments, the class's threshold and its teachers change: re-read the view now and then, and
    // close the socket once its instructor no longer teaches the class (or the class is gone).
    async function recheck(): Promise<void> {
      if (classId !== null && !isAdmin(who) && !(await teacherRole(parts.db, who.instructor.id, classId))) return socket.close(SOCKET_CLOSE.forbidden, 'not_class_teacher');
      try {
        watcher.view = await loadClassView(parts.db, classId, who);
      } catch (err) {
        if (err instanceof HttpError && err.status === 404) socket.close(SOCKET_CLOSE.notFound, err.id);
      }
    }
    const refresh = setInterval(() => void recheck().catch(() => undefined), ROSTER_REFRESH_MS);
    // A teacher removed or a class deleted, on any collector: at once (the refresh is the fallback).
    const unlisten = parts.channels.classAccess.subscribe((lost) => {
      if (lost.instructorId !== null && lost.instructorId !== who.instructor.id) return;
      if (classId === null || lost.classId === classId) void recheck().catch(() => undefined);
    });
    const stop = () => {
      clearInterval(refresh);
      unlisten();
      unwatch();
    };
    socket.once('close', stop);
    socket.once('error', stop);
    socket.send(JSON.stringify({ type: 'hello', collectorId: parts.collectorId, classId } satisfies DashboardHelloMessage));
  });
  return router;
}
