/**
 * The dashboard's board and help loop: the board snapshot of a class (or everyone seen today), and
 * claiming / resolving a help request. Claims and resolves go live to every collector's boards
 * (help channel); a resolve reaches the student's JupyterLab as a `help_resolved` notification.
 */
import type { Knex } from 'knex';
import type { BoardSnapshot, HelpRequestView } from '@cell-monitor/shared';
import { authOf } from '../auth/accessGuards.ts';
import type { Authenticated } from '../auth/tokens.ts';
import { errors } from '../http/errors.ts';
import { isAdmin } from '../lms/classAccess.ts';
import { withinClasses } from '../lms/classBoundary.ts';
import type { Logger } from '../core/logger.ts';
import type { InstructorRow } from '../instructors/store.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idParam, idQuery } from '../http/request.ts';
import type { BoardService } from './boardService.ts';
import { loadClassView } from './classViews.ts';
import { claimHelpRequest, resolveHelpRequest } from './helpStore.ts';

export interface DashboardParts {
  db: Knex;
  log: Logger;
  board: BoardService;
}

/**
 * A help request an instructor may act on: one their classes show (lms/classBoundary.ts: asked
 * since her enrolment, not on another class's assignment). Otherwise 404 as for a missing one — the
 * answer would name the other class's notebook. Admins any.
 */
async function requireVisibleHelp(db: Knex, who: Authenticated, id: number): Promise<number> {
  if (isAdmin(who)) return id;
  const row = await db('help_requests as h')
    .where('h.id', id)
    .where(withinClasses(db, { instructorId: who.instructor.id }, { student: 'h.student_id', time: 'h.requested_at', notebookPath: 'h.notebook_path' }))
    .first('h.id');
  if (!row) throw errors.notFound('help_request');
  return id;
}

export function addBoardRoutes(table: RouteTable, parts: DashboardParts): void {
  const { db, log, board } = parts;
  const announce = (request: HelpRequestView) => board.helpChanged(request.userId).catch((err: Error) => log.warn({ err }, 'help change not published; other collectors catch up at their next event'));

  table.add({
    method: 'get', path: '/api/v1/dashboard/board', access: 'instructor', tag: 'dashboard', scope: { class: { query: 'class_id' } },
    summary: "The live board of a class (class_id), or of everyone seen today: one card per student, status counts, the help queue, time to help",
    responses: { 200: 'the board', 404: 'no such class', 422: 'bad class_id' },
    handler: async (ctx) => {
      const view = await loadClassView(db, idQuery(ctx, 'class_id') ?? null, authOf(ctx));
      ctx.body = (await board.snapshot(view)) satisfies BoardSnapshot;
    },
  });

  table.add({
    method: 'post', path: '/api/v1/help_requests/:id/claim', access: 'instructor', tag: 'dashboard', scope: { help_request: { param: 'id' } },
    summary: "Claim a help request: every instructor's board shows who is on the way",
    responses: { 200: 'claimed', 404: "no such help request (or one your classes do not show)", 409: 'already resolved or cancelled' },
    handler: async (ctx) => {
      const request = await claimHelpRequest(db, await requireVisibleHelp(db, authOf(ctx), idParam(ctx, 'id', 'help_request')), authOf(ctx).instructor.id);
      log.info({ event: 'help_claimed', helpRequestId: request.id, by: authOf(ctx).instructor.id }, 'help request claimed');
      await announce(request);
      ctx.body = request;
    },
  });

  table.add({
    method: 'post', path: '/api/v1/help_requests/:id/resolve', access: 'instructor', tag: 'dashboard', scope: { help_request: { param: 'id' } },
    summary: "Resolve a help request: it leaves the queue and the student's JupyterLab shows it was resolved",
    responses: { 200: 'resolved', 404: "no such help request (or one your classes do not show)", 409: 'already resolved or cancelled' },
    handler: async (ctx) => {
      const { instructor } = authOf<InstructorRow>(ctx);
      const request = await resolveHelpRequest(db, await requireVisibleHelp(db, authOf(ctx), idParam(ctx, 'id', 'help_request')), instructor);
      log.info({ event: 'help_resolved', helpRequestId: request.id, by: instructor.id }, 'help request resolved');
      await announce(request);
      ctx.body = request;
    },
  });
}
