/**
 * The class capture policy (policyRoutes.ts has the rule): a class's own, and the one a student's
 * extension applies — her home class's by default, and per assignment notebook of her classes the
 * policy of the class she joined first among those that assign it (classBoundary.ts `firstClaimer`).
 */
import type { Knex } from 'knex';
import type { CapturePolicy, StudentPolicy } from '@cell-monitor/shared';
import { now } from '../db/rows.ts';
import { studentIdOf } from '../students/store.ts';
import { assignedPaths, firstClaimer, homeClassOf } from './classBoundary.ts';

export async function capturePolicyOf(db: Knex, classId: number): Promise<CapturePolicy> {
  const row = await db('classes').where({ id: classId }).first('capture_policy');
  return row.capture_policy as CapturePolicy;
}

export async function setCapturePolicy(db: Knex, classId: number, policy: CapturePolicy): Promise<void> {
  await db('classes').where({ id: classId }).update({ capture_policy: policy, updated_at: now() });
}

/** The policy of a Jupyter user name (code_and_output when she is in no class, or was never seen). */
export async function studentPolicy(db: Knex, userId: string): Promise<StudentPolicy> {
  const studentId = await studentIdOf(db, userId);
  const classes: Array<{ id: number; name: string; capture_policy: CapturePolicy; enrolled_at: string | Date }> =
    studentId !== undefined
      ? await db('class_enrollments as e').join('classes as c', 'c.id', 'e.class_id').where('e.student_id', studentId).select('c.id', 'c.name', 'c.capture_policy', 'e.enrolled_at').orderBy('c.id')
      : [];
  const home = studentId !== undefined ? await homeClassOf(db, studentId) : undefined;
  const policyOf = new Map(classes.map((c) => [Number(c.id), c.capture_policy]));
  const assignments = classes.length ? await assignedPaths(db, [...policyOf.keys()]) : new Map<number, Set<string>>();
  const enrolments = classes.map((c) => ({ classId: Number(c.id), enrolledAt: c.enrolled_at instanceof Date ? c.enrolled_at.getTime() : Date.parse(String(c.enrolled_at)) }));
  const paths = [...new Set([...assignments.values()].flatMap((set) => [...set]))].sort();
  return {
    policy: home === undefined ? 'code_and_output' : policyOf.get(home)!,
    home_class_id: home ?? null,
    classes: classes.map((c) => ({ id: Number(c.id), name: c.name, policy: c.capture_policy })),
    notebooks: Object.fromEntries(paths.map((path) => [path, policyOf.get(firstClaimer(enrolments, assignments, path)!)!])),
  };
}
