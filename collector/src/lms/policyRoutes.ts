/**
 * The class capture policy: an instructor caps what the students' extensions send (metadata only,
 * code, or code and output); each student's extension reads the strictest policy of their classes
 * through the companion (`GET /api/v1/student/policy`) and applies it over its local settings.
 */
import * as yup from 'yup';
import { CAPTURE_POLICIES, strictestPolicy, type CapturePolicy, type StudentPolicy } from '@cell-monitor/shared';
import { authOf, studentOf } from '../auth/accessGuards.ts';
import { now } from '../db/rows.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idParam, readJson, validate } from '../http/request.ts';
import type { LmsParts } from './lmsRoutes.ts';
import { requireClass } from './store.ts';

const policyBody = yup.object({ policy: yup.string().oneOf([...CAPTURE_POLICIES], `policy must be one of ${CAPTURE_POLICIES.join(', ')}`).required('policy is required') });

export function addPolicyRoutes(table: RouteTable, parts: LmsParts): void {
  const { db, log } = parts;

  table.add({
    method: 'get', path: '/api/v1/classes/:id/capture-policy', access: 'instructor', tag: 'classes', scope: { class: { param: 'id' } },
    summary: "What the class's students' extensions may send: metadata, code, or code_and_output",
    responses: { 200: '{ classId, policy }', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const row = await db('classes').where({ id: cls.id }).first('capture_policy');
      ctx.body = { classId: cls.id, policy: row.capture_policy as CapturePolicy };
    },
  });

  table.add({
    method: 'put', path: '/api/v1/classes/:id/capture-policy', access: 'instructor', tag: 'classes', scope: { class: { param: 'id' } },
    summary: "Set the class's capture policy; the students' extensions apply it over their local settings at their next check (within a minute)",
    body: policyBody, responses: { 200: 'set', 404: 'no such class', 422: 'unknown policy' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const { policy } = await validate(policyBody, await readJson(ctx));
      await db('classes').where({ id: cls.id }).update({ capture_policy: policy, updated_at: now() });
      log.info({ event: 'capture_policy', classId: cls.id, policy, by: authOf(ctx).instructor.id }, 'class capture policy set');
      ctx.body = { classId: cls.id, policy: policy as CapturePolicy };
    },
  });

  table.add({
    method: 'get', path: '/api/v1/student/policy', access: 'student', tag: 'student',
    summary: "The stamped student's capture policy: the strictest of their classes' (code_and_output when in none)",
    responses: { 200: 'the policy' },
    handler: async (ctx) => {
      const classes: Array<{ id: number; name: string; capture_policy: CapturePolicy }> = await db('class_enrollments as e')
        .join('students as s', 's.id', 'e.student_id')
        .join('classes as c', 'c.id', 'e.class_id')
        .where('s.user_id', studentOf(ctx))
        .select('c.id', 'c.name', 'c.capture_policy')
        .orderBy('c.id');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        policy: strictestPolicy(classes.map((c) => c.capture_policy)),
        classes: classes.map((c) => ({ id: c.id, name: c.name, policy: c.capture_policy })),
      } satisfies StudentPolicy;
    },
  });
}
