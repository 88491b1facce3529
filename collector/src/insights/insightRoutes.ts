/**
 * The views one click away from the board: where the class is in a notebook (per cell), the
 * class's error clusters, and one student's timeline. Computed on request from the stored events;
 * the board's `stale` hint tells an open view when to fetch again.
 */
import type { Knex } from 'knex';
import * as yup from 'yup';
import type { ClassProgress, ErrorCluster, StudentTimeline } from '@cell-monitor/shared';
import { authOf } from '../auth/accessGuards.ts';
import type { Authenticated } from '../auth/tokens.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idQuery, isoDateTime, validate } from '../http/request.ts';
import { errors } from '../http/errors.ts';
import { isAdmin, teacherRole } from '../classes/classAccess.ts';
import type { BoardService } from '../board/boardService.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { assignmentNotebook } from '../assignments/store.ts';
import { studentByUserId } from '../students/studentQueries.ts';
import { loadClassProgress } from './classProgress.ts';
import { loadClassView, startOfToday, type ClassView } from '../board/classViews.ts';
import { loadErrorClusters } from './errorClusters.ts';
import { attemptsByCell, loadTimeline } from './studentTimeline.ts';

const insightQuery = yup.object({
  notebook_path: yup.string().max(1024).optional(),
  since: isoDateTime().optional(),
});

/**
 * The notebook an assignment_id names, when the view may see it: the assignment of the class
 * queried, or (no class_id) of a class the caller teaches; admins any. Otherwise 404 as for a
 * missing one, so another class's assignment path never shows.
 */
async function assignmentPath(db: Knex, assignmentId: number, view: ClassView, who: Authenticated): Promise<string> {
  const row = await assignmentNotebook(db, assignmentId);
  const classId = row ? Number(row.class_id) : undefined;
  const visible =
    classId !== undefined && (view.classId !== null ? classId === view.classId : isAdmin(who) || (view.taughtClassIds ?? []).includes(classId));
  if (!visible) throw errors.notFound('assignment');
  return row!.notebook_path;
}

export function addInsightRoutes(table: RouteTable, parts: RouteParts & { board: BoardService }): void {
  const { db, board } = parts;

  table.add({
    method: 'get', path: '/api/v1/dashboard/progress', access: 'instructor', tag: 'dashboard', scope: { class: { query: 'class_id' } },
    summary: 'Where the class is in a notebook (notebook_path, or assignment_id; default: the notebook most students ran): per cell, current cell, progress per student',
    responses: { 200: 'the progress', 404: 'no such class, or no such assignment in it (or in your classes)', 422: 'bad query' },
    handler: async (ctx) => {
      const query = await validate(insightQuery, { notebook_path: ctx.query.notebook_path, since: ctx.query.since });
      const assignmentId = idQuery(ctx, 'assignment_id');
      const who = authOf(ctx);
      const view = await loadClassView(db, idQuery(ctx, 'class_id') ?? null, who);
      const chosen = assignmentId ? await assignmentPath(db, assignmentId, view, who) : query.notebook_path;
      ctx.body = (await loadClassProgress(db, view, chosen)) satisfies ClassProgress;
    },
  });

  table.add({
    method: 'get', path: '/api/v1/dashboard/errors', access: 'instructor', tag: 'dashboard', scope: { class: { query: 'class_id' } },
    summary: "The class's errors grouped by masked message and cell, most students first (since: default today; notebook_path optional)",
    responses: { 200: 'the clusters', 404: 'no such class', 422: 'bad query' },
    handler: async (ctx) => {
      const query = await validate(insightQuery, { notebook_path: ctx.query.notebook_path, since: ctx.query.since });
      const view = await loadClassView(db, idQuery(ctx, 'class_id') ?? null, authOf(ctx));
      const since = query.since ? new Date(query.since) : new Date(startOfToday(Date.now()));
      ctx.body = (await loadErrorClusters(db, { since, reach: view.reach, notebookPath: query.notebook_path })) satisfies ErrorCluster[];
    },
  });

  table.add({
    method: 'get', path: '/api/v1/dashboard/students/:user_id/timeline', access: 'instructor', tag: 'dashboard', scope: { student_user: { param: 'user_id' } },
    summary: "One student's timeline (latest 300 events, newest first; code and tracebacks cut to a few KB) and per-cell attempts, as class_id shows her (without: the caller's classes she is in); class_id also sets the card's thresholds",
    responses: { 200: 'the timeline', 403: 'not a student of your classes', 404: 'no such student' },
    handler: async (ctx) => {
      const userId = ctx.params.user_id;
      const student = await studentByUserId(db, userId);
      if (!student) throw errors.notFound('student');
      const who = authOf(ctx);
      const classId = idQuery(ctx, 'class_id') ?? null;
      // The class only sets the card's thresholds; it must be one the caller teaches all the same.
      if (classId !== null && !isAdmin(who) && !(await teacherRole(db, who.instructor.id, classId))) throw errors.forbidden('not_class_teacher', 'you do not teach this class');
      const view = await loadClassView(db, classId, who);
      // With class_id: what that class shows of her; without: what the caller's classes show (admins: all).
      const entries = await loadTimeline(db, userId, view.reach);
      await board.sync();
      ctx.body = {
        userId,
        displayName: view.names.get(userId) ?? (isAdmin(who) ? student.name : null) ?? userId,
        card: board.card(userId, view),
        entries,
        attempts: attemptsByCell(entries),
      } satisfies StudentTimeline;
    },
  });
}
