/**
 * The class capture policy: an instructor caps what the students' extensions send (metadata only,
 * code, or code and output). A class's policy governs its own assignment notebooks; everything else
 * follows the student's home class (shared/studentApi.ts has the table, classBoundary.ts the
 * home class), so a class that enrols her later cannot strip what another class receives. Each
 * student's extension reads hers through the companion (`GET /api/v1/student/policy`: the default
 * and a policy per assignment notebook) and applies it per event over its local settings.
 */
import * as yup from 'yup';
import { CAPTURE_POLICIES, type CapturePolicy, type StudentPolicy } from '@cell-monitor/shared';
import { authOf, studentOf } from '../auth/accessGuards.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idParam, readJson, validate } from '../http/request.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { capturePolicyOf, setCapturePolicy, studentPolicy } from './capturePolicy.ts';
import { requireClass } from './store.ts';

const policyBody = yup.object({ policy: yup.string().oneOf([...CAPTURE_POLICIES], `policy must be one of ${CAPTURE_POLICIES.join(', ')}`).required('policy is required') });

export function addPolicyRoutes(table: RouteTable, parts: RouteParts): void {
  const { db, log } = parts;

  table.add({
    method: 'get', path: '/api/v1/classes/:id/capture-policy', access: 'instructor', tag: 'classes', scope: { class: { param: 'id' } },
    summary: "What the class's students' extensions may send: metadata, code, or code_and_output",
    responses: { 200: '{ classId, policy }', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      ctx.body = { classId: cls.id, policy: await capturePolicyOf(db, cls.id) };
    },
  });

  table.add({
    method: 'put', path: '/api/v1/classes/:id/capture-policy', access: 'instructor', tag: 'classes', scope: { class: { param: 'id' } },
    summary: "Set the class's capture policy; the students' extensions apply it over their local settings at their next check (within a minute)",
    body: policyBody, responses: { 200: 'set', 404: 'no such class', 422: 'unknown policy' },
    handler: async (ctx) => {
      const cls = await requireClass(db, idParam(ctx, 'id', 'class'));
      const { policy } = await validate(policyBody, await readJson(ctx));
      await setCapturePolicy(db, cls.id, policy as CapturePolicy);
      log.info({ event: 'capture_policy', classId: cls.id, policy, by: authOf(ctx).instructor.id }, 'class capture policy set');
      ctx.body = { classId: cls.id, policy: policy as CapturePolicy };
    },
  });

  table.add({
    method: 'get', path: '/api/v1/student/policy', access: 'student', tag: 'student',
    summary: "The stamped student's capture policy: the default (her home class's; code_and_output when in no class) and, per assignment notebook of her classes, the policy of the class she joined first among those that assign it",
    responses: { 200: 'the policy' },
    handler: async (ctx) => {
      const policy = await studentPolicy(db, studentOf(ctx));
      ctx.set('Cache-Control', 'no-store');
      ctx.body = policy satisfies StudentPolicy;
    },
  });
}
