/**
 * Seed 000's Environment API, made useful: what each student's kernel runs (`current`, `snapshots`,
 * `packages`), whether it fits their classes (`health`), what changed (`diff`), and for a class the
 * students whose environment lacks a required package (`analyze`, shown on the dashboard). An
 * environment counts for a class only from the student's enrolment on (classes/classBoundary.ts): an
 * instructor sees those seen since she joined one of their classes, a class's analysis those seen
 * since she joined it; admins all.
 */
import type { Knex } from 'knex';
import * as yup from 'yup';
import type { EnvironmentAnalysis, EnvironmentSnapshot } from '@cell-monitor/shared';
import { authOf } from '../auth/accessGuards.ts';
import type { Logger } from '../core/logger.ts';
import { errors } from '../http/errors.ts';
import { type Ctx, type RouteTable } from '../http/routeTable.ts';
import { idParam, readJson, validate } from '../http/request.ts';
import { isAdmin } from '../classes/classAccess.ts';
import type { ClassesFor } from '../classes/classBoundary.ts';
import { classEnrolments, type EnrolmentRow } from '../classes/enrolments.ts';
import { classRequirements, requirementsOfStudentClasses, setClassRequirements } from '../classes/requiredPackages.ts';
import { requireClass } from '../classes/store.ts';
import { currentEnvironments, snapshots, snapshotView } from './store.ts';
import { diffPackages, problems, validSpec } from './versions.ts';

const requirementsBody = yup.object({
  packages: yup
    .array(
      yup
        .object({
          name: yup.string().strict().trim().matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'name must be a distribution name like pandas or scikit-learn').required(),
          spec: yup.string().strict().max(100).default('').test('spec', 'spec must be like >=2, ==1.26.4 or >=1.3,<2 (or empty)', (v) => validSpec(v ?? '')),
        })
        .noUnknown(),
    )
    .max(200, 'at most 200 required packages')
    .required('packages is required'),
});

export function addEnvironmentRoutes(table: RouteTable, parts: { db: Knex; log: Logger }): void {
  const { db, log } = parts;
  const student = { student_user: { param: 'user_id' } } as const;
  /** An instructor sees the environments her classes show: those seen since her enrolment in one of them (classes/classBoundary.ts). */
  const reachOf = (ctx: Ctx): ClassesFor | null => (isAdmin(authOf(ctx)) ? null : { instructorId: authOf(ctx).instructor.id });
  const latest = async (ctx: Ctx, userId: string) => {
    const [row] = await snapshots(db, userId, reachOf(ctx));
    if (!row) throw errors.notFound('environment');
    return row;
  };

  table.add({
    method: 'get', path: '/api/v1/environments/:user_id/current', access: 'instructor', tag: 'environments', scope: student,
    summary: "The environment the student's kernel reported last (Python, platform, packages)", responses: { 200: 'the snapshot', 404: 'never reported' },
    handler: async (ctx) => {
      ctx.body = snapshotView(await latest(ctx, String(ctx.params.user_id)), true) satisfies EnvironmentSnapshot;
    },
  });

  table.add({
    method: 'get', path: '/api/v1/environments/:user_id/snapshots', access: 'instructor', tag: 'environments', scope: student,
    summary: 'Every distinct environment the student has used, newest first (without the package lists)', responses: { 200: 'the snapshots' },
    handler: async (ctx) => {
      ctx.body = (await snapshots(db, String(ctx.params.user_id), reachOf(ctx))).map((row) => snapshotView(row, false));
    },
  });

  table.add({
    method: 'get', path: '/api/v1/environments/:user_id/packages', access: 'instructor', tag: 'environments', scope: student,
    summary: "The packages of the student's current environment (name → version)", responses: { 200: 'the packages', 404: 'never reported' },
    handler: async (ctx) => {
      ctx.body = snapshotView(await latest(ctx, String(ctx.params.user_id)), true).packages;
    },
  });

  table.add({
    method: 'get', path: '/api/v1/environments/:user_id/health', access: 'instructor', tag: 'environments', scope: student,
    summary: "Whether the student's current environment has what each of their classes requires", responses: { 200: '{ ok, classes: [{ classId, problems }] }', 404: 'never reported' },
    handler: async (ctx) => {
      const userId = String(ctx.params.user_id);
      const env = snapshotView(await latest(ctx, userId), true);
      const who = authOf(ctx);
      // An instructor hears of her classes they teach only (not of the other classes she is in).
      const classes = await requirementsOfStudentClasses(db, userId, isAdmin(who) ? undefined : who.instructor.id);
      const perClass = classes.map((c) => ({ classId: c.id, className: c.name, problems: problems(env.packages!, c.requirements) }));
      ctx.body = { userId, python: env.python, seenAt: env.lastSeenAt, ok: perClass.every((c) => c.problems.length === 0), classes: perClass };
    },
  });

  table.add({
    method: 'get', path: '/api/v1/environments/:user_id/diff', access: 'instructor', tag: 'environments', scope: student,
    summary: 'Packages added, removed and changed between two snapshots (?from=&to= snapshot ids; default: the previous and the current)', responses: { 200: 'the diff', 404: 'fewer than two snapshots, or unknown ids' },
    handler: async (ctx) => {
      const rows = await snapshots(db, String(ctx.params.user_id), reachOf(ctx));
      const pick = (id: unknown, fallback: number) => (id === undefined ? rows[fallback] : rows.find((r) => Number(r.id) === Number(id)));
      const to = pick(ctx.query.to, 0);
      const from = pick(ctx.query.from, 1);
      if (!to || !from) throw errors.notFound('environment');
      ctx.body = { from: snapshotView(from, false), to: snapshotView(to, false), ...diffPackages(JSON.parse(from.packages), JSON.parse(to.packages)) };
    },
  });

  table.add({
    method: 'get', path: '/api/v1/classes/:id/environment/requirements', access: 'instructor', tag: 'environments', scope: { class: { param: 'id' } },
    summary: 'The packages the class needs', responses: { 200: '{ packages }', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      ctx.body = { classId: cls.id, packages: await classRequirements(db, cls.id) };
    },
  });

  table.add({
    method: 'put', path: '/api/v1/classes/:id/environment/requirements', access: 'instructor', tag: 'environments', scope: { class: { param: 'id' } },
    summary: 'Set the packages the class needs ([{ name, spec }], spec like >=2)', body: requirementsBody, responses: { 200: 'set', 404: 'no such class', 422: 'invalid' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const { packages } = await validate(requirementsBody, await readJson(ctx));
      const clean = packages.map((p) => ({ name: p.name.trim(), spec: (p.spec ?? '').replace(/\s+/g, '') }));
      await setClassRequirements(db, cls.id, clean);
      log.info({ event: 'class_requirements', classId: cls.id, packages: clean.length, by: authOf(ctx).instructor.id }, 'class package requirements set');
      ctx.body = { classId: cls.id, packages: clean };
    },
  });

  table.add({
    method: 'get', path: '/api/v1/classes/:id/environment/analyze', access: 'instructor', tag: 'environments', scope: { class: { param: 'id' } },
    summary: "The class's students against its required packages: each student's problems and a summary per package", responses: { 200: 'the analysis', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const requirements = await classRequirements(db, cls.id);
      const enrolled: Array<{ user_id: string; name: string | null }> = (await classEnrolments(db, cls.id)).map((e: EnrolmentRow) => ({ user_id: e.user_id, name: e.display_name }));
      const current = await currentEnvironments(db, enrolled.map((s) => s.user_id), { classId: cls.id });
      const students = enrolled
        .map((s) => {
          const env = current.get(s.user_id);
          return { userId: s.user_id, displayName: s.name ?? s.user_id, seenAt: env?.lastSeenAt ?? null, python: env?.python ?? null, problems: env ? problems(env.packages!, requirements) : [] };
        })
        .sort((a, b) => b.problems.length - a.problems.length || a.displayName.localeCompare(b.displayName, undefined, { numeric: true }));
      const summary = requirements
        .map((r) => ({
          package: r.name,
          required: r.spec,
          missing: students.filter((s) => s.problems.some((p) => p.package === r.name && p.kind === 'missing')).length,
          wrongVersion: students.filter((s) => s.problems.some((p) => p.package === r.name && p.kind === 'wrong_version')).length,
          unknown: students.filter((s) => s.seenAt === null).length,
        }))
        .filter((s) => s.missing + s.wrongVersion > 0);
      ctx.body = { classId: cls.id, requirements, students, summary } satisfies EnvironmentAnalysis;
    },
  });
}
