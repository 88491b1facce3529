/**
 * The student's notifications, read back through the Jupyter companion (`access: 'student'`: the
 * student is the Jupyter user the companion stamped, never a field of the body).
 */
import type { StudentNotification } from '@cell-monitor/shared';
import { studentOf } from '../auth/accessGuards.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { notificationsAfter } from './notifications.ts';
import { ensureStudent } from './store.ts';

export function addNotificationRoutes(table: RouteTable, parts: Pick<RouteParts, 'db'>): void {
  const { db } = parts;

  table.add({
    method: 'get', path: '/api/v1/student/notifications', access: 'student', tag: 'student',
    summary: 'My notifications (assignment_graded …) after the id given as ?after=, oldest first',
    responses: { 200: 'notifications' },
    handler: async (ctx) => {
      const student = await ensureStudent(db, studentOf(ctx));
      const after = /^\d{1,15}$/.test(String(ctx.query.after ?? '')) ? Number(ctx.query.after) : 0;
      ctx.body = (await notificationsAfter(db, student.id, after)) satisfies StudentNotification[];
    },
  });
}
