/**
 * Seed 000's test API, `GET /api/v1/test/events/:id`: whether a connection check's test event (sent
 * through the normal ingest path by the companion's check or the `check` CLI) has been stored. The
 * stamped student reads only their own; test events are kept 10 minutes and stay out of analytics.
 */
import type { Knex } from 'knex';
import type { ConnectionTestStored } from '@cell-monitor/shared';
import { studentOf } from '../auth/accessGuards.ts';
import { iso } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { findConnectionTest } from './connectionTests.ts';

export function addConnectionTestRoutes(table: RouteTable, parts: { db: Knex }): void {
  table.add({
    method: 'get', path: '/api/v1/test/events/:id', access: 'student', tag: 'operations',
    summary: "Whether the stamped student's test event (eventType connection_test) is stored: the last hop of a connection check",
    responses: { 200: 'stored', 404: 'not stored (yet), or not this student’s' },
    handler: async (ctx) => {
      const row = await findConnectionTest(parts.db, String(ctx.params.id), studentOf(ctx));
      if (!row) throw errors.notFound('test_event');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { eventId: row.event_id, sentAt: iso(row.sent_at)!, storedAt: iso(row.stored_at)! } satisfies ConnectionTestStored;
    },
  });
}
