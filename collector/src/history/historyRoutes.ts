/**
 * `/api/v1/notebook-version/*`: the seed's Notebook Version API (seed 000), for real — a student's
 * versions of a notebook, one version's cells, labels (commits), branches, cell-level comparison,
 * the replay timeline (versions and runs) and storage stats — and `/api/v1/student/notebook-versions`
 * for the student's own Versions panel. Snapshots are created by the companion's `notebook_snapshot`
 * events (the durable ingest path), never here. Instructors see what their classes show
 * (classes/rowScopes.ts: from her enrolment on, the class's notebooks); the route table's scope
 * guard first refuses a student outside their classes (403), the reads then answer 404 for a version
 * the boundary hides. Answers are shared/src/notebookHistory.ts's types.
 */
import type { Knex } from 'knex';
import * as yup from 'yup';
import { compareCells, SNAPSHOT_CELL_TYPES, type HistoryPage, type NotebookComparison, type ReplayTimeline } from '@cell-monitor/shared';
import { runsOfStudentNotebook } from '../activity/reads.ts';
import { authOf, studentOf } from '../auth/accessGuards.ts';
import { isAdmin } from '../classes/classAccess.ts';
import { studentRowsIn, type StudentRowScope } from '../classes/rowScopes.ts';
import { iso } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { idNumber, idParam, idQuery, pagination, readJson, trimmedString, validate } from '../http/request.ts';
import type { Ctx, RouteTable } from '../http/routeTable.ts';
import { notebookIdOf } from '../activity/notebooks.ts';
import { ensureStudent, requireStudent } from '../students/store.ts';
import { addCommit, BRANCH_LIMITS, branchesOf, createBranch } from './branches.ts';
import { allVersionsOf, historyOf, historyStats, notebooksWithVersions, visibleDetail, visibleVersion } from './versions.ts';

/** Versions and runs the replay reads at most (a term of daily saves is a few hundred). */
const TIMELINE_MAX = 2_000;
const BIG_BODY = 3 * 1024 * 1024;

const commitBody = yup.object({ snapshot_id: idNumber().required(), message: trimmedString().required().min(1).max(200) }).noUnknown();
const compareBody = yup.object({ from_snapshot_id: idNumber().required(), to_snapshot_id: idNumber().required(), outputs: yup.boolean().default(false) }).noUnknown();
const cellBody = yup.object({ cell_id: yup.string().max(128).nullable(), cell_type: yup.string().oneOf(SNAPSHOT_CELL_TYPES).required(), source: yup.string().defined().max(BRANCH_LIMITS.maxBytes) }).noUnknown();
const branchBody = yup
  .object({
    from_snapshot_id: idNumber().required(),
    name: trimmedString().required().min(1).max(100),
    cells: yup.array().of(cellBody).max(BRANCH_LIMITS.maxCells),
    message: trimmedString().max(200),
  })
  .noUnknown();

/** An instructor's scope: what their classes show (admins: everything). */
const scopeOf = (db: Knex, ctx: Ctx): StudentRowScope | undefined => {
  const who = authOf(ctx);
  return isAdmin(who) ? undefined : studentRowsIn(db, { instructorId: who.instructor.id });
};

function notebookQuery(ctx: Ctx): string {
  const path = ctx.query.notebook_path;
  if (typeof path !== 'string' || path === '' || path.length > 1024) throw errors.unprocessable('validation_failed', 'the request is not valid', { fields: [{ field: 'notebook_path', message: 'notebook_path is required (a notebook path, at most 1024 characters)' }] });
  return path;
}

function studentQuery(ctx: Ctx): number {
  const id = idQuery(ctx, 'student_id');
  if (id === undefined) throw errors.unprocessable('validation_failed', 'the request is not valid', { fields: [{ field: 'student_id', message: 'student_id is required' }] });
  return id;
}

export function addHistoryRoutes(table: RouteTable, parts: RouteParts): void {
  const { db } = parts;
  const tag = 'notebook-version';
  const base = '/api/v1/notebook-version';

  /** A version the caller's scope shows, or 404 `version_not_found`. */
  async function versionFor(ctx: Ctx, id: number) {
    const version = await visibleVersion(db, id, scopeOf(db, ctx));
    if (!version) throw errors.notFound('version');
    return version;
  }

  table.add({
    method: 'get', path: `${base}/notebooks`, access: 'instructor', tag, scope: { student: { query: 'student_id' } },
    summary: "A student's notebooks that have versions (as your classes show her), most recently saved first",
    responses: { 200: 'notebooks with version counts', 403: 'not a student of your classes', 404: 'no such student', 422: 'student_id missing' },
    handler: async (ctx) => {
      const studentId = studentQuery(ctx);
      await requireStudent(db, studentId);
      ctx.body = await notebooksWithVersions(db, studentId, scopeOf(db, ctx));
    },
  });

  table.add({
    method: 'get', path: `${base}/history`, access: 'instructor', tag, scope: { student: { query: 'student_id' } },
    summary: "A student's versions of a notebook, newest first (skip, limit; branch_id: one branch's), with labels and the notebook's branches",
    responses: { 200: 'a page of versions', 403: 'not a student of your classes', 404: 'no such student', 422: 'bad query' },
    handler: async (ctx) => {
      const studentId = studentQuery(ctx);
      const notebookPath = notebookQuery(ctx);
      const branchId = idQuery(ctx, 'branch_id');
      const paging = await pagination(ctx);
      await requireStudent(db, studentId);
      const { items, total } = await historyOf(db, { studentId, notebookPath, branchId }, scopeOf(db, ctx), paging);
      ctx.body = { items, total, ...paging, branches: await branchesOf(db, { studentId, notebookPath }) } satisfies HistoryPage;
    },
  });

  table.add({
    method: 'get', path: `${base}/timeline`, access: 'instructor', tag, scope: { student: { query: 'student_id' } },
    summary: "The replay of a student's notebook: every version and every finished run (with its error), oldest first",
    responses: { 200: 'versions and runs', 403: 'not a student of your classes', 404: 'no such student', 422: 'bad query' },
    handler: async (ctx) => {
      const studentId = studentQuery(ctx);
      const notebookPath = notebookQuery(ctx);
      await requireStudent(db, studentId);
      const scope = scopeOf(db, ctx);
      const versions = await allVersionsOf(db, { studentId, notebookPath }, scope, TIMELINE_MAX);
      const notebookId = await notebookIdOf(db, notebookPath);
      const runs = notebookId === undefined ? [] : await runsOfStudentNotebook(db, { studentId, notebookId, scope, limit: TIMELINE_MAX });
      ctx.body = {
        student_id: studentId,
        notebook_path: notebookPath,
        versions,
        runs: runs.map((r) => ({ event_id: r.event_id, at: iso(r.executed_at)!, cell_id: r.cell_key, cell_index: null, success: r.status === 'success', error_name: r.error_name, error_message: r.error_message, code: r.code })),
      } satisfies ReplayTimeline;
    },
  });

  table.add({
    method: 'get', path: `${base}/snapshot/:id`, access: 'instructor', tag, scope: { version: { param: 'id' } },
    summary: 'One version (the seed snapshot_id) with its cells: sources, and outputs when the policy captured them',
    responses: { 200: 'the version', 403: 'not a student of your classes', 404: 'no such version' },
    handler: async (ctx) => {
      const detail = await visibleDetail(db, idParam(ctx, 'id', 'version'), scopeOf(db, ctx));
      if (!detail) throw errors.notFound('version');
      ctx.body = detail;
    },
  });

  table.add({
    method: 'post', path: `${base}/compare`, access: 'instructor', tag, scope: { version: { body: 'from_snapshot_id' } },
    summary: 'Two versions compared cell by cell: added, removed, moved, changed (a line diff inside), outputs optionally',
    body: compareBody, responses: { 200: 'the comparison', 403: 'not a student of your classes', 404: 'no such version', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(compareBody, await readJson(ctx));
      const scope = scopeOf(db, ctx);
      const [from, to] = await Promise.all([visibleDetail(db, input.from_snapshot_id, scope), visibleDetail(db, input.to_snapshot_id, scope)]);
      if (!from || !to) throw errors.notFound('version');
      const cells = (v: typeof from) => v.cells.map((c) => ({ id: c.cell_id, type: c.cell_type, source: c.source, outputs: c.outputs }));
      ctx.body = { from_version_id: from.id, to_version_id: to.id, outputs_compared: input.outputs, ...compareCells(cells(from), cells(to), { outputs: input.outputs }) } satisfies NotebookComparison;
    },
  });

  table.add({
    method: 'post', path: `${base}/commit`, access: 'instructor', tag, scope: { version: { body: 'snapshot_id' } },
    summary: 'Label a version ("after office hours"); the student sees it in her Versions panel',
    body: commitBody, responses: { 201: 'the commit', 403: 'not a student of your classes', 404: 'no such version', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(commitBody, await readJson(ctx));
      const version = await versionFor(ctx, input.snapshot_id);
      ctx.status = 201;
      ctx.body = await addCommit(db, { versionId: version.id, studentId: version.student_id, message: input.message, instructorId: authOf(ctx).instructor.id });
    },
  });

  table.add({
    method: 'post', path: `${base}/branch`, access: 'instructor', tag, scope: { version: { body: 'from_snapshot_id' } }, bodyLimit: BIG_BODY,
    summary: "A named branch from one of a student's versions; with cells, your version on it (an annotated fix she sees)",
    body: branchBody, responses: { 201: 'the branch', 403: 'not a student of your classes', 404: 'no such version', 409: 'the name is taken for this notebook', 413: 'body over 3 MB', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(branchBody, await readJson(ctx, BIG_BODY));
      const from = await versionFor(ctx, input.from_snapshot_id);
      const branch = await createBranch(db, { from: { id: from.id, studentId: from.student_id, notebookPath: from.notebook_path }, name: input.name, instructorId: authOf(ctx).instructor.id, cells: input.cells });
      if (input.message && branch.head_version_id !== null) await addCommit(db, { versionId: branch.head_version_id, studentId: from.student_id, message: input.message, instructorId: authOf(ctx).instructor.id });
      ctx.status = 201;
      ctx.body = branch;
    },
  });

  table.add({
    method: 'get', path: `${base}/branches`, access: 'instructor', tag, scope: { student: { query: 'student_id' } },
    summary: "The branches of a student's notebook, oldest first, with their version count and newest version",
    responses: { 200: 'branches', 403: 'not a student of your classes', 404: 'no such student', 422: 'bad query' },
    handler: async (ctx) => {
      const studentId = studentQuery(ctx);
      const notebookPath = notebookQuery(ctx);
      await requireStudent(db, studentId);
      const scope = scopeOf(db, ctx);
      const branches = await branchesOf(db, { studentId, notebookPath });
      const shown = await Promise.all(branches.map(async (b) => ((await visibleVersion(db, b.from_version_id, scope)) ? b : null)));
      ctx.body = shown.filter((b) => b !== null);
    },
  });

  table.add({
    method: 'get', path: `${base}/stats`, access: 'instructor', tag, scope: 'own_classes',
    summary: 'Versions, labels, branches and storage (cells, distinct blobs, bytes stored against bytes referenced: the dedup ratio) of what your classes show',
    responses: { 200: 'the stats', 422: 'bad query' },
    handler: async (ctx) => {
      const studentId = idQuery(ctx, 'student_id');
      const notebookPath = typeof ctx.query.notebook_path === 'string' && ctx.query.notebook_path !== '' ? ctx.query.notebook_path : undefined;
      ctx.body = await historyStats(db, scopeOf(db, ctx), { studentId, notebookPath });
    },
  });

  table.add({
    method: 'get', path: '/api/v1/student/notebook-versions', access: 'student', tag: 'student',
    summary: 'My versions of a notebook, newest first (skip, limit), with labels and branches (an instructor’s fix among them)',
    responses: { 200: 'a page of my versions', 422: 'bad query' },
    handler: async (ctx) => {
      const notebookPath = notebookQuery(ctx);
      const paging = await pagination(ctx);
      const student = await ensureStudent(db, studentOf(ctx));
      const { items, total } = await historyOf(db, { studentId: student.id, notebookPath }, undefined, paging);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { items, total, ...paging, branches: await branchesOf(db, { studentId: student.id, notebookPath }) } satisfies HistoryPage;
    },
  });

  table.add({
    method: 'get', path: '/api/v1/student/notebook-versions/:id', access: 'student', tag: 'student',
    summary: 'One of my versions with its cells',
    responses: { 200: 'the version', 404: 'no such version of mine' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'version');
      const student = await ensureStudent(db, studentOf(ctx));
      const detail = await visibleDetail(db, id, undefined);
      if (!detail || detail.student_id !== student.id) throw errors.notFound('version');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = detail;
    },
  });
}
