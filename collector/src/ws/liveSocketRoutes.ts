/**
 * The two live WebSocket routes. `/ws`: persisted events, to an instructor only those of the
 * students in their classes (admins and DEV_OPEN_WS: all). `/instructor/ws`: instructor status
 * changes. Both start with a `hello`; closing at shutdown, token expiry and revocation is the
 * socket registry's job.
 */
import Router from '@koa/router';
import type { Knex } from 'knex';
import type { HelloMessage, InstructorHelloMessage } from '@cell-monitor/shared';
import type { LiveChannels } from '../broadcast/liveChannels.ts';
import type { WsHub } from '../broadcast/wsHub.ts';
import { statusView, view } from '../instructors/store.ts';
import { createRosterFilter, isAdmin } from '../lms/classAccess.ts';
import type { UpgradeCheck } from './upgradeCheck.ts';

export interface LiveSocketParts {
  db: Knex;
  hub: WsHub;
  channels: LiveChannels;
  collectorId: string;
  upgrades: UpgradeCheck;
}

export function createLiveSocketRouter(parts: LiveSocketParts): Router {
  const router = new Router({ strict: true, sensitive: true });
  router.all('/ws', async (ctx) => {
    const meta = parts.upgrades.admit(ctx);
    if (!meta) return;
    const socket = ctx.websocket;
    if (meta.who && !isAdmin(meta.who)) {
      const roster = await createRosterFilter(parts.db, meta.who.instructor.id);
      socket.once('close', () => roster.stop());
      if (socket.readyState !== socket.OPEN) return roster.stop();
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
    const unsubscribe = parts.channels.instructorStatus.subscribe((update) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(update));
    });
    socket.on('close', unsubscribe);
    socket.on('error', unsubscribe);
    socket.send(JSON.stringify({ type: 'hello', collectorId: parts.collectorId, instructor: view(who.instructor), status: statusView(who.instructor) } satisfies InstructorHelloMessage));
  });
  return router;
}
