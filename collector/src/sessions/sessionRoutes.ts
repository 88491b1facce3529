/**
 * After class (issue 22): a class's timetable, its meetings (scheduled, chosen by hand, inferred
 * from activity) and the report of one meeting, as JSON and as CSV; and the CSV of the board and of
 * the per-cell progress table. Every route is the class's teachers' (owners and co-teachers, like
 * the class's other settings: capture policy, seat map) and the admins'; what a class shows of its
 * students is the class boundary's (windowFacts.ts).
 */
import type { Knex } from 'knex';
import * as yup from 'yup';
import type { ClassSchedule, ClassSession, SessionList, SessionReport } from '@cell-monitor/shared';
import { authOf } from '../auth/accessGuards.ts';
import type { BoardService } from '../board/boardService.ts';
import { loadClassView, type ClassView } from '../board/classViews.ts';
import { requireClass } from '../classes/store.ts';
import { errors } from '../http/errors.ts';
import { idParam, idQuery, isoDateTime, readJson, trimmedString, validate } from '../http/request.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { type Ctx, type RouteTable } from '../http/routeTable.ts';
import { loadClassProgress } from '../insights/classProgress.ts';
import { boardTable, progressTable, REPORT_TABLES, reportTable, sendCsv, type ReportTable } from './csvTables.ts';
import { DEFAULT_LATE_AFTER_MINUTES } from './reportFigures.ts';
import { listSessions } from './sessionList.ts';
import { loadSessionReport } from './sessionReport.ts';
import { addManualSession, deleteManualSession, readSchedule, writeSchedule } from './sessionStore.ts';
import { isTimeZone, windowId } from './sessionWindows.ts';
import { headlineOfFacts, loadWindowFacts, namesOf } from './windowFacts.ts';

const HOUR = 3_600_000;
/** A manual meeting lasts at most this long; a report's window at most REPORT_MAX_DAYS. */
export const MANUAL_MAX_HOURS = 12;
export const REPORT_MAX_DAYS = 7;

const slotSchema = yup
  .object({
    weekday: yup.number().typeError('weekday must be a number').integer('weekday must be an integer').min(0, 'weekday is 0 (Sunday) to 6').max(6, 'weekday is 0 (Sunday) to 6').required('weekday is required'),
    start: yup.string().matches(/^([01]\d|2[0-3]):[0-5]\d$/, 'start must be HH:MM (24-hour)').required('start is required'),
    minutes: yup.number().typeError('minutes must be a number').integer('minutes must be an integer').min(1, 'minutes is 1 to 600').max(600, 'minutes is 1 to 600').required('minutes is required'),
  })
  .noUnknown('a slot has only weekday, start and minutes');
const scheduleBody = yup.object({
  timezone: yup.string().max(64).required('timezone is required').test('zone', 'timezone must be an IANA time zone, e.g. Asia/Tokyo', (v) => v === undefined || isTimeZone(v)),
  slots: yup.array().of(slotSchema).max(50, 'at most 50 slots').required('slots is required'),
});
const sessionBody = yup.object({
  start: isoDateTime().nonNullable('start is required').required('start is required'),
  end: isoDateTime().nonNullable('end is required').required('end is required'),
  title: trimmedString().max(200).nullable().optional(),
});
const listQuery = yup.object({
  before: isoDateTime().optional(),
  limit: yup.number().typeError('limit must be a number').integer('limit must be an integer').min(1).max(100).default(20),
});
const reportQuery = {
  start: isoDateTime().nonNullable().required('start is required'),
  end: isoDateTime().nonNullable().required('end is required'),
  notebook_path: yup.string().max(1024).optional(),
  late_after_minutes: yup.number().typeError('late_after_minutes must be a number').integer().min(0).max(600).default(DEFAULT_LATE_AFTER_MINUTES),
};
const reportSchema = yup.object(reportQuery);
const reportCsvSchema = yup.object({ ...reportQuery, table: yup.string().oneOf([...REPORT_TABLES], `table is one of ${REPORT_TABLES.join(', ')}`).required('table is required') });

const invalidWindow = (message: string) => errors.unprocessable('invalid_window', message, { fields: [{ field: 'end', message }] });

/** A class's view (its students and names, the class boundary): 404 `class_not_found` when there is no such class. */
async function classView(db: Knex, ctx: Ctx): Promise<ClassView & { classId: number }> {
  const view = await loadClassView(db, idParam(ctx, 'id', 'class'), authOf(ctx));
  return view as ClassView & { classId: number };
}

/** The report the query asks for (start < end, at most REPORT_MAX_DAYS apart). */
async function reportOf(db: Knex, ctx: Ctx, query: yup.InferType<typeof reportSchema>, withPrevious = true): Promise<SessionReport> {
  const view = await classView(db, ctx);
  const start = Date.parse(query.start);
  const end = Date.parse(query.end);
  if (!(end > start)) throw invalidWindow('end must be after start');
  if (end - start > REPORT_MAX_DAYS * 24 * HOUR) throw invalidWindow(`a report covers at most ${REPORT_MAX_DAYS} days`);
  return loadSessionReport(db, view, { start, end }, { notebookPath: query.notebook_path, lateAfterMinutes: query.late_after_minutes, now: Date.now() }, withPrevious);
}

const stamp = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

export function addSessionRoutes(table: RouteTable, parts: RouteParts & { board: BoardService }): void {
  const { db, log, board } = parts;

  table.add({
    method: 'get', path: '/api/v1/classes/:id/schedule', access: 'instructor', tag: 'sessions', scope: { class: { param: 'id' } },
    summary: "The class's weekly timetable (IANA time zone, slots of weekday 0-6 / HH:MM / minutes); none yet: no slots in the server's time zone",
    responses: { 200: 'the timetable', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const schedule = await readSchedule(db, cls.id);
      ctx.body = (schedule ?? { classId: cls.id, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, slots: [] }) satisfies ClassSchedule;
    },
  });

  table.add({
    method: 'put', path: '/api/v1/classes/:id/schedule', access: 'instructor', tag: 'sessions', scope: { class: { param: 'id' } },
    summary: "Replace the class's weekly timetable: its past slots are listed as meetings",
    body: scheduleBody, responses: { 200: 'the timetable', 404: 'no such class', 422: 'bad time zone or slot (validation_failed)' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const body = await validate(scheduleBody, await readJson(ctx));
      const by = authOf(ctx).instructor.id;
      ctx.body = (await writeSchedule(db, cls.id, { timezone: body.timezone, slots: body.slots }, by)) satisfies ClassSchedule;
      log.info({ event: 'class_schedule', classId: cls.id, slots: body.slots.length, by }, 'class timetable set');
    },
  });

  table.add({
    method: 'post', path: '/api/v1/classes/:id/sessions', access: 'instructor', tag: 'sessions', scope: { class: { param: 'id' } },
    summary: `Add a meeting chosen by hand: { start, end, title? } (end after start, at most ${MANUAL_MAX_HOURS} h)`,
    body: sessionBody, responses: { 201: 'the meeting, with its headline', 404: 'no such class', 422: 'bad times (validation_failed, invalid_window)' },
    handler: async (ctx) => {
      const view = await classView(db, ctx);
      const body = await validate(sessionBody, await readJson(ctx));
      const start = Date.parse(body.start);
      const end = Date.parse(body.end);
      if (!(end > start)) throw invalidWindow('end must be after start');
      if (end - start > MANUAL_MAX_HOURS * HOUR) throw invalidWindow(`a meeting lasts at most ${MANUAL_MAX_HOURS} hours`);
      const title = body.title ? body.title : null;
      const saved = await addManualSession(db, view.classId, { start: new Date(start).toISOString(), end: new Date(end).toISOString(), title }, authOf(ctx).instructor.id);
      const window = { start, end };
      const { headline, notebookPath } = headlineOfFacts(await loadWindowFacts(db, view, window), window, { lateAfterMinutes: DEFAULT_LATE_AFTER_MINUTES, names: namesOf(view), now: Date.now() });
      ctx.status = 201;
      ctx.body = { id: windowId(window), classId: view.classId, start: saved.start, end: saved.end, source: 'manual', title, notebookPath, headline, manualId: saved.id } satisfies ClassSession;
    },
  });

  table.add({
    method: 'delete', path: '/api/v1/classes/:id/sessions/:sessionId', access: 'instructor', tag: 'sessions', scope: { class: { param: 'id' } },
    summary: 'Delete a meeting chosen by hand (its manualId); the activity it covered may show again as an inferred meeting',
    responses: { 200: '{ id, deleted: true }', 404: 'no such class, or no such manual meeting in it (session_not_found)' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const id = idParam(ctx, 'sessionId', 'session');
      if (!(await deleteManualSession(db, cls.id, id))) throw errors.notFound('session');
      ctx.body = { id, deleted: true };
    },
  });

  table.add({
    method: 'get', path: '/api/v1/classes/:id/sessions', access: 'instructor', tag: 'sessions', scope: { class: { param: 'id' } },
    summary: 'Past meetings of the class, newest first, with their headline figures: scheduled, chosen by hand, and inferred from activity (before: ISO, default now; limit 1-100, default 20; one page looks back 8 weeks, nextBefore goes on)',
    responses: { 200: 'the meetings', 404: 'no such class', 422: 'bad query' },
    handler: async (ctx) => {
      const query = await validate(listQuery, { before: ctx.query.before, limit: ctx.query.limit });
      const view = await classView(db, ctx);
      const now = Date.now();
      const before = query.before ? Date.parse(query.before) : now;
      ctx.body = (await listSessions(db, view, { before, limit: query.limit, now })) satisfies SessionList;
    },
  });

  table.add({
    method: 'get', path: '/api/v1/classes/:id/sessions/report', access: 'instructor', tag: 'sessions', scope: { class: { param: 'id' } },
    summary: `The after-class report of a window (start, end: ISO, at most ${REPORT_MAX_DAYS} days; notebook_path: default the window's main notebook; late_after_minutes: default ${DEFAULT_LATE_AFTER_MINUTES}): attendance, cells, stuck cells, error clusters, help, unfinished, the previous meeting on the notebook`,
    responses: { 200: 'the report', 404: 'no such class', 422: 'bad query (validation_failed, invalid_window)' },
    handler: async (ctx) => {
      const query = await validate(reportSchema, { start: ctx.query.start, end: ctx.query.end, notebook_path: ctx.query.notebook_path, late_after_minutes: ctx.query.late_after_minutes });
      ctx.body = (await reportOf(db, ctx, query)) satisfies SessionReport;
    },
  });

  table.add({
    method: 'get', path: '/api/v1/classes/:id/sessions/report.csv', access: 'instructor', tag: 'sessions', scope: { class: { param: 'id' } },
    summary: `One table of the after-class report as CSV (table: ${REPORT_TABLES.join(', ')}; the report's query otherwise), an attachment`,
    responses: { 200: 'text/csv (UTF-8 with BOM)', 404: 'no such class', 422: 'bad query (validation_failed, invalid_window)' },
    handler: async (ctx) => {
      const { table: which, ...query } = await validate(reportCsvSchema, { start: ctx.query.start, end: ctx.query.end, notebook_path: ctx.query.notebook_path, late_after_minutes: ctx.query.late_after_minutes, table: ctx.query.table });
      // No table shows the previous meeting: not looked for.
      const report = await reportOf(db, ctx, query, false);
      sendCsv(ctx, `session-${report.classId}-${stamp(report.start)}-${which}.csv`, reportTable(report, which as ReportTable), log);
    },
  });

  table.add({
    method: 'get', path: '/api/v1/dashboard/board.csv', access: 'instructor', tag: 'dashboard', scope: { class: { query: 'class_id' } },
    summary: 'The board as CSV: one row per card, as the board shows them (class_id, or everyone seen today), an attachment',
    responses: { 200: 'text/csv (UTF-8 with BOM)', 404: 'no such class', 422: 'bad class_id' },
    handler: async (ctx) => {
      const view = await loadClassView(db, idQuery(ctx, 'class_id') ?? null, authOf(ctx));
      const snapshot = await board.snapshot(view);
      sendCsv(ctx, `board-${view.classId ?? 'today'}-${stamp(snapshot.generatedAt)}.csv`, boardTable(snapshot), log);
    },
  });

  table.add({
    method: 'get', path: '/api/v1/dashboard/progress.csv', access: 'instructor', tag: 'dashboard', scope: { class: { query: 'class_id' } },
    summary: 'The per-cell progress table as CSV (class_id; notebook_path: default the notebook most students ran), an attachment',
    responses: { 200: 'text/csv (UTF-8 with BOM)', 404: 'no such class', 422: 'bad query' },
    handler: async (ctx) => {
      const query = await validate(yup.object({ notebook_path: yup.string().max(1024).optional() }), { notebook_path: ctx.query.notebook_path });
      const view = await loadClassView(db, idQuery(ctx, 'class_id') ?? null, authOf(ctx));
      const progress = await loadClassProgress(db, view, query.notebook_path);
      sendCsv(ctx, `progress-${view.classId ?? 'all'}.csv`, progressTable(progress), log);
    },
  });
}
