/**
 * `/api/v1/classes/:id/roster` and `/teams`: a class roster imported from CSV (previewed, with a
 * reason for every bad line, before anything is written; re-import updates), exported back to CSV,
 * edited line by line, and the class's teams.
 */
import * as yup from 'yup';
import { ROSTER_MAX_BYTES, type RosterStudent, type TeamView } from '@cell-monitor/shared';
import { authOf } from '../auth/accessGuards.ts';
import { isUniqueViolation } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idParam, readJson, trimmedString, validate } from '../http/request.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { changeRosterLine, importRoster, parseRoster, readRoster, rosterCsv } from './roster.ts';
import { requireClass } from './store.ts';
import { createTeam, deleteTeam, readTeams, renameTeam } from './teams.ts';

const importBody = yup.object({
  csv: yup.string().strict().max(ROSTER_MAX_BYTES, `csv must be at most ${ROSTER_MAX_BYTES} characters`).required('csv is required: the roster file as text'),
  apply: yup.boolean().strict().optional(),
});
const teamName = trimmedString().min(1, 'a team needs a name').max(100, 'a team name is at most 100 characters');
const teamBody = yup.object({ name: teamName.required('name is required') });
const lineBody = yup.object({
  name: trimmedString().min(1).max(100).optional(),
  team: teamName.nullable().optional(),
  student_number: trimmedString().max(64).nullable().optional(),
});

export function addRosterRoutes(table: RouteTable, parts: RouteParts): void {
  const { db, log } = parts;
  const classScope = { class: { param: 'id' } } as const;

  table.add({
    method: 'get', path: '/api/v1/classes/:id/roster', access: 'instructor', tag: 'roster', scope: classScope,
    summary: "The class's roster: every enrolled student with display name, email, team and student number, and the teams",
    responses: { 200: 'the roster', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      ctx.body = await readRoster(db, cls.id);
    },
  });

  table.add({
    method: 'get', path: '/api/v1/classes/:id/roster.csv', access: 'instructor', tag: 'roster', scope: classScope,
    summary: 'The roster as CSV (user_id, name, email, team, student_number), ready to edit and import again',
    responses: { 200: 'text/csv', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('Content-Disposition', `attachment; filename="roster-${cls.class_code}.csv"`);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = rosterCsv(await readRoster(db, cls.id));
    },
  });

  table.add({
    method: 'post', path: '/api/v1/classes/:id/roster', access: 'instructor', tag: 'roster', scope: classScope, bodyLimit: 2 * ROSTER_MAX_BYTES,
    summary: 'Import a roster from CSV. Without apply: a preview (what each line would do, every bad line with its reason; nothing written). With apply: true, the valid lines are written in one transaction and bad lines skipped; a student already on the roster is updated, never duplicated',
    body: importBody, responses: { 200: 'the preview or the import', 404: 'no such class', 422: 'not a roster (no header with a user name column, unreadable CSV, too many lines)' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const input = await validate(importBody, await readJson(ctx, 2 * ROSTER_MAX_BYTES));
      const result = await importRoster(db, cls.id, parseRoster(input.csv), input.apply === true);
      if (result.applied) {
        // The roster gives this class's teachers the listed students' activity: say who did it.
        const enrolled = result.rows.filter((r) => r.action === 'create' || r.action === 'enroll').map((r) => r.userId);
        log.info({ event: 'roster_imported', classId: cls.id, ...result.summary, enrolled, by: authOf(ctx).instructor.id }, 'roster imported');
      }
      ctx.body = result;
    },
  });

  table.add({
    method: 'put', path: '/api/v1/classes/:id/roster/:userId', access: 'instructor', tag: 'roster', scope: classScope,
    summary: "Change one enrolled student's display name, team (by name; created if new, null for none) or student number",
    body: lineBody, responses: { 200: 'the changed line', 404: 'no such class or enrolled student', 422: 'invalid body' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const userId = String(ctx.params.userId);
      const input = await validate(lineBody, await readJson(ctx));
      // The name is this class's (class_enrollments.display_name): other classes keep theirs.
      const studentId = await changeRosterLine(db, cls.id, userId, { name: input.name, team: input.team, studentNumber: input.student_number });
      if (studentId === undefined) throw errors.notFound('enrollment');
      log.info({ event: 'roster_line_changed', classId: cls.id, studentId, fields: Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined), by: authOf(ctx).instructor.id }, 'roster line changed');
      const line = (await readRoster(db, cls.id)).students.find((s) => s.userId === userId);
      ctx.body = line satisfies RosterStudent | undefined;
    },
  });

  table.add({
    method: 'get', path: '/api/v1/classes/:id/teams', access: 'instructor', tag: 'roster', scope: classScope,
    summary: "The class's teams with their members' user names",
    responses: { 200: 'the teams', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      ctx.body = await readTeams(db, cls.id);
    },
  });

  table.add({
    method: 'post', path: '/api/v1/classes/:id/teams', access: 'instructor', tag: 'roster', scope: classScope,
    summary: 'Create a team', body: teamBody, responses: { 201: 'created', 404: 'no such class', 409: 'a team of that name exists', 422: 'invalid name' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const { name } = await validate(teamBody, await readJson(ctx));
      try {
        const id = await createTeam(db, cls.id, name);
        ctx.status = 201;
        ctx.body = { id, name, members: [] } satisfies TeamView;
      } catch (err) {
        if (isUniqueViolation(err)) throw errors.conflict('team_exists', `the class already has a team named ${name}`);
        throw err;
      }
    },
  });

  table.add({
    method: 'put', path: '/api/v1/classes/:id/teams/:teamId', access: 'instructor', tag: 'roster', scope: classScope,
    summary: 'Rename a team', body: teamBody, responses: { 200: 'renamed', 404: 'no such class or team', 409: 'a team of that name exists', 422: 'invalid name' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const id = idParam(ctx, 'teamId', 'team');
      const { name } = await validate(teamBody, await readJson(ctx));
      try {
        if (!(await renameTeam(db, cls.id, id, name))) throw errors.notFound('team');
      } catch (err) {
        if (isUniqueViolation(err)) throw errors.conflict('team_exists', `the class already has a team named ${name}`);
        throw err;
      }
      ctx.body = (await readTeams(db, cls.id)).find((t) => t.id === id);
    },
  });

  table.add({
    method: 'delete', path: '/api/v1/classes/:id/teams/:teamId', access: 'instructor', tag: 'roster', scope: classScope,
    summary: 'Delete a team (its members stay in the class, without a team)', responses: { 200: 'deleted', 404: 'no such class or team' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const id = idParam(ctx, 'teamId', 'team');
      await deleteTeam(db, cls.id, id);
      ctx.body = { id, deleted: true };
    },
  });
}
