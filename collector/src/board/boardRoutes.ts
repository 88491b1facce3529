/**
 * The dashboard's board: the snapshot of a class (or everyone seen today). Its live deltas go over
 * `/dashboard/ws` (ws/liveSocketRoutes.ts); the help loop's routes are help/helpRoutes.ts.
 */
import type { BoardSnapshot } from '@cell-monitor/shared';
import { authOf } from '../auth/accessGuards.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idQuery } from '../http/request.ts';
import type { BoardService } from './boardService.ts';
import { loadClassView } from './classViews.ts';

export function addBoardRoutes(table: RouteTable, parts: RouteParts & { board: BoardService }): void {
  const { db, board } = parts;

  table.add({
    method: 'get', path: '/api/v1/dashboard/board', access: 'instructor', tag: 'dashboard', scope: { class: { query: 'class_id' } },
    summary: "The live board of a class (class_id), or of everyone seen today: one card per student, status counts, the help queue, time to help",
    responses: { 200: 'the board', 404: 'no such class', 422: 'bad class_id' },
    handler: async (ctx) => {
      const view = await loadClassView(db, idQuery(ctx, 'class_id') ?? null, authOf(ctx));
      ctx.body = (await board.snapshot(view)) satisfies BoardSnapshot;
    },
  });
}
