/**
 * The views one click away from the board: where the class is in a notebook (per cell), the
 * class's error clusters, and one student's timeline. Computed on request from the stored events;
 * the board's `stale` hint tells an open view when to fetch again.
 */
import * as yup from 'yup';
import type { ClassProgress, ErrorCluster, StudentTimeline } from '@cell-monitor/shared';
import { authOf } from '../auth/accessGuards.ts';
import { type Ctx, type RouteTable } from '../http/routeTable.ts';
import { idQuery, isoDateTime, validate } from '../http/request.ts';
import { errors } from '../http/errors.ts';
import { isAdmin, teacherRole } from '../lms/classAccess.ts';
import { requireAssignment } from '../lms/store.ts';
import type { DashboardParts } from './boardRoutes.ts';
import { loadNotebooks, loadCellRuns, summariseProgress } from './classProgress.ts';
import { loadClassView, startOfToday, type ClassView } from './classViews.ts';
import { loadErrorClusters } from './errorClusters.ts';
import { attemptsByCell, loadTimeline } from './studentTimeline.ts';

const insightQuery = yup.object({
  notebook_path: yup.string().max(1024).optional(),
  since: isoDateTime().optional(),
});

/** The students a view covers, for a query: undefined means everyone (an admin's "everyone seen today"). */
async function studentsOf(ctx: Ctx, parts: DashboardParts): Promise<{ view: ClassView; userIds?: string[] }> {
  const view = await loadClassView(parts.db, idQuery(ctx, 'class_id') ?? null, authOf(ctx));
  if (view.userIds) return { view, userIds: [...view.userIds] };
  if (!view.canSee) return { view };
  return { view, userIds: (await parts.db('students').select('user_id')).map((r: { user_id: string }) => r.user_id).filter((id: string) => view.canSee!(id)) };
}

export function addInsightRoutes(table: RouteTable, parts: DashboardParts): void {
  const { db, board } = parts;

  table.add({
    method: 'get', path: '/api/v1/dashboard/progress', access: 'instructor', tag: 'dashboard', scope: { class: { query: 'class_id' } },
    summary: 'Where the class is in a notebook (notebook_path, or assignment_id; default: the notebook most students ran): per cell, current cell, progress per student',
    responses: { 200: 'the progress', 404: 'no such class or assignment', 422: 'bad query' },
    handler: async (ctx) => {
      const query = await validate(insightQuery, { notebook_path: ctx.query.notebook_path, since: ctx.query.since });
      const assignmentId = idQuery(ctx, 'assignment_id');
      const { view, userIds } = await studentsOf(ctx, parts);
      const notebooks = await loadNotebooks(db, userIds);
      const notebookPath = assignmentId ? (await requireAssignment(db, assignmentId)).notebook_path : (query.notebook_path ?? notebooks[0]?.notebookPath ?? '');
      const rows = notebookPath ? await loadCellRuns(db, notebookPath, userIds) : [];
      const names = (id: string) => view.names.get(id) ?? id;
      ctx.body = { classId: view.classId, notebooks, ...summariseProgress(notebookPath, rows, names) } satisfies ClassProgress;
    },
  });

  table.add({
    method: 'get', path: '/api/v1/dashboard/errors', access: 'instructor', tag: 'dashboard', scope: { class: { query: 'class_id' } },
    summary: "The class's errors grouped by masked message and cell, most students first (since: default today; notebook_path optional)",
    responses: { 200: 'the clusters', 404: 'no such class', 422: 'bad query' },
    handler: async (ctx) => {
      const query = await validate(insightQuery, { notebook_path: ctx.query.notebook_path, since: ctx.query.since });
      const { userIds } = await studentsOf(ctx, parts);
      const since = query.since ? new Date(query.since) : new Date(startOfToday(Date.now()));
      ctx.body = (await loadErrorClusters(db, { since, userIds, notebookPath: query.notebook_path })) satisfies ErrorCluster[];
    },
  });

  table.add({
    method: 'get', path: '/api/v1/dashboard/students/:user_id/timeline', access: 'instructor', tag: 'dashboard', scope: { student_user: { param: 'user_id' } },
    summary: "One student's timeline (latest 300 events, newest first) and per-cell attempts; class_id sets the card's thresholds",
    responses: { 200: 'the timeline', 403: 'not a student of your classes', 404: 'no such student' },
    handler: async (ctx) => {
      const userId = ctx.params.user_id;
      const student = await db('students').where({ user_id: userId }).first('user_id', 'name');
      if (!student) throw errors.notFound('student');
      const who = authOf(ctx);
      const classId = idQuery(ctx, 'class_id') ?? null;
      // The class only sets the card's thresholds; it must be one the caller teaches all the same.
      if (classId !== null && !isAdmin(who) && !(await teacherRole(db, who.instructor.id, classId))) throw errors.forbidden('not_class_teacher', 'you do not teach this class');
      const view = await loadClassView(db, classId, who);
      const entries = await loadTimeline(db, userId);
      ctx.body = {
        userId,
        displayName: student.name || userId,
        card: board.card(userId, view),
        entries,
        attempts: attemptsByCell(entries),
      } satisfies StudentTimeline;
    },
  });
}
