/**
 * The student's side of the LMS, reached only through the Jupyter companion route: the student is
 * the Jupyter user the companion stamped (`X-Cell-Monitor-User`, with that user's credential), never a
 * field of the body. Seed 003 §1.2: my assignments with submission status, submit, my submissions (my
 * notifications: students/notificationRoutes.ts).
 * Every body and answer is declared once, in shared/studentApi.ts.
 */
import {
  studentSubmissionBodySchema,
  type StudentAssignment,
  type StudentSubmissionCreated,
  type StudentSubmissionListItem,
} from '@cell-monitor/shared';
import { errors } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { readJson, validate } from '../http/request.ts';
import { studentOf } from '../auth/accessGuards.ts';
import type { RouteParts } from '../http/routeParts.ts';
import { isEnrolled } from '../classes/classReads.ts';
import { assignmentsOfStudent, assignmentView, requireAssignment, type SubmissionLimits } from './store.ts';
import { findSubmission, insertSubmission, submissionsOfStudent, submissionsWithTitles, submissionView } from './submissionStore.ts';
import { ensureStudent } from '../students/store.ts';

export function addStudentRoutes(table: RouteTable, parts: RouteParts & SubmissionLimits): void {
  const { db } = parts;

  table.add({
    method: 'get', path: '/api/v1/student/assignments', access: 'student', tag: 'student',
    summary: "The stamped student's assignments (their classes), each with submission_status, latest score and feedback",
    responses: { 200: 'assignments' },
    handler: async (ctx) => {
      const student = await ensureStudent(db, studentOf(ctx));
      const assignments = await assignmentsOfStudent(db, student.id);
      const submissions = await submissionsOfStudent(db, student.id);
      ctx.body = assignments.map((a) => {
        const latest = submissions.find((s) => s.assignment_id === a.id);
        return {
          ...assignmentView(a),
          class_name: a.class_name,
          submission_status: latest ? latest.status : 'not_submitted',
          latest_submission: latest ? submissionView(latest) : null,
        };
      }) satisfies StudentAssignment[];
    },
  });

  table.add({
    method: 'post', path: '/api/v1/student/submissions', access: 'student', tag: 'student',
    summary: 'Hand in a notebook for an assignment of one of my classes',
    body: studentSubmissionBodySchema, responses: { 201: 'submitted', 403: 'not enrolled in that class', 404: 'no such assignment', 409: 'the kept submissions are all graded', 413: 'notebook over SUBMISSION_MAX_BYTES', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(studentSubmissionBodySchema, await readJson(ctx, parts.submissionMaxBytes));
      const student = await ensureStudent(db, studentOf(ctx));
      const assignment = await requireAssignment(db, input.assignment_id);
      if (!(await isEnrolled(db, assignment.class_id, student.id))) throw errors.forbidden('not_enrolled', 'you are not enrolled in the class of this assignment');
      const submittedAt = new Date().toISOString();
      const id = await insertSubmission(db, { assignment, studentId: student.id, notebook: input.notebook_content, comment: input.submission_comment ?? null, submittedAt, keep: parts.submissionsKept });
      const row = (await findSubmission(db, id))!;
      ctx.status = 201;
      ctx.body = { submission_id: id, ...submissionView(row), message: 'Submitted' } satisfies StudentSubmissionCreated;
    },
  });

  table.add({
    method: 'get', path: '/api/v1/student/submissions', access: 'student', tag: 'student',
    summary: 'My submissions with their grades (assignment_id filter optional)',
    responses: { 200: 'submissions' },
    handler: async (ctx) => {
      const student = await ensureStudent(db, studentOf(ctx));
      const assignmentId = Number(ctx.query.assignment_id);
      const rows = await submissionsWithTitles(db, student.id, Number.isSafeInteger(assignmentId) && assignmentId > 0 ? assignmentId : undefined);
      ctx.body = rows.map((r) => ({ ...submissionView(r), assignment_title: r.title })) satisfies StudentSubmissionListItem[];
    },
  });
}
