/**
 * The help loop's instructor side: claiming and resolving a help request. Both go live to every
 * collector's boards (`announce`, the board's help channel); a resolve reaches the student's
 * JupyterLab as a `help_resolved` notification (helpStore.ts).
 */
import type { HelpRequestView } from '@cell-monitor/shared';
import { authOf } from '../auth/accessGuards.ts';
import type { InstructorRow } from '../instructors/store.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idParam } from '../http/request.ts';
import { claimHelpRequest, requireVisibleHelp, resolveHelpRequest } from './helpStore.ts';

/** `announce(userId)`: tell every collector's board that this student's help request changed. */
export function addHelpRoutes(table: RouteTable, parts: RouteParts & { announce(userId: string): Promise<void> }): void {
  const { db, log } = parts;
  const announce = (request: HelpRequestView) => parts.announce(request.userId).catch((err: Error) => log.warn({ err }, 'help change not published; other collectors catch up at their next event'));

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
