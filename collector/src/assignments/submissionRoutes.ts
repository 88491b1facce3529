/**
 * Seed 000 "LMS機能API", `/api/v1/submissions`: hand-ins and grading, for the teachers of the
 * assignment's class. Grading notifies the student (`assignment_graded`): their JupyterLab shows it,
 * and it is published on the seed's `notifications:{user}` Redis channel. Both need the student to be
 * enrolled in the assignment's class (issue 18 item 7): a teacher cannot hand in for, or send
 * feedback to, a student outside the class; an unknown student and one of another class answer alike.
 */
import * as yup from 'yup';
import { authOf } from '../auth/accessGuards.ts';
import { now, page } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idNumber, idParam, idQuery, isoDateTime, pagination, readJson, sendPage, validate } from '../http/request.ts';
import { isAdmin } from '../classes/classAccess.ts';
import { isEnrolled } from '../classes/classReads.ts';
import type { RouteParts } from '../http/routeParts.ts';
import type { LiveChannels } from '../broadcast/liveChannels.ts';
import { classOfAssignment, requireAssignment, type SubmissionLimits } from './store.ts';
import { deleteSubmission, insertSubmission, requireSubmission, submissionsQuery, submissionView, updateSubmission, type SubmissionRow } from './submissionStore.ts';
import { notify } from '../students/notifications.ts';

const notebook = yup
  .object()
  .test('notebook', 'notebook_content must be a notebook (an object with cells)', (v) => v !== undefined && Array.isArray((v as { cells?: unknown }).cells));
const submissionCreateBody = yup.object({
  assignment_id: idNumber().required('assignment_id is required'),
  student_id: idNumber().required('student_id is required'),
  notebook_content: notebook.required('notebook_content is required'),
  submission_comment: yup.string().max(10_000).nullable().optional(),
  submitted_at: isoDateTime().optional(),
});
const gradeBody = yup.object({
  score: yup.number().typeError('score must be a number').integer('score must be an integer').min(0, 'score must be 0-100').max(100, 'score must be 0-100').optional(),
  feedback: yup.string().max(20_000).nullable().optional(),
});

export function addSubmissionRoutes(table: RouteTable, parts: RouteParts & SubmissionLimits & Pick<LiveChannels, 'notifications'>): void {
  const { db, log } = parts;

  table.add({
    method: 'post', path: '/api/v1/submissions', access: 'instructor', tag: 'submissions', summary: "Record a submission on a student's behalf", scope: { assignment: { body: 'assignment_id' } }, bodyLimit: parts.submissionMaxBytes,
    body: submissionCreateBody, responses: { 201: 'created', 404: "no such assignment, or the student is not enrolled in its class (enrollment_not_found)", 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(submissionCreateBody, await readJson(ctx, parts.submissionMaxBytes));
      const assignment = await requireAssignment(db, input.assignment_id);
      // Only a student of the assignment's class; an unknown student id answers the same.
      if (!(await isEnrolled(db, assignment.class_id, input.student_id))) throw errors.notFound('enrollment', "the student is not enrolled in this assignment's class");
      const submittedAt = input.submitted_at ? new Date(input.submitted_at).toISOString() : now();
      const id = await insertSubmission(db, { assignment, studentId: input.student_id, notebook: input.notebook_content, comment: input.submission_comment ?? null, submittedAt, keep: parts.submissionsKept });
      ctx.status = 201;
      ctx.body = submissionView(await requireSubmission(db, id));
    },
  });

  table.add({
    method: 'get', path: '/api/v1/submissions', access: 'instructor', tag: 'submissions', summary: 'List submissions (skip, limit, assignment_id, student_id); without the notebooks', scope: 'own_classes',
    responses: { 200: 'a page of submissions', 422: 'bad query' },
    handler: async (ctx) => {
      const assignmentId = idQuery(ctx, 'assignment_id');
      const studentId = idQuery(ctx, 'student_id');
      const who = authOf(ctx);
      const query = submissionsQuery(db, { assignmentId, studentId, taughtBy: isAdmin(who) ? undefined : who.instructor.id });
      sendPage(ctx, await page<SubmissionRow & { user_id: string }>(query, await pagination(ctx), 's.id'), (s) => submissionView(s));
    },
  });

  table.add({
    method: 'get', path: '/api/v1/submissions/:id', access: 'instructor', tag: 'submissions', summary: 'One submission with its notebook', scope: { submission: { param: 'id' } },
    responses: { 200: 'the submission', 404: 'no such submission' },
    handler: async (ctx) => {
      ctx.body = submissionView(await requireSubmission(db, idParam(ctx, 'id', 'submission')), { withNotebook: true });
    },
  });

  table.add({
    method: 'put', path: '/api/v1/submissions/:id', access: 'instructor', tag: 'submissions', scope: { submission: { param: 'id' } },
    summary: 'Grade a submission (score 0-100, feedback); the student is notified (assignment_graded)',
    body: gradeBody, responses: { 200: 'graded', 404: 'no such submission', 409: "the student is no longer enrolled in the assignment's class (student_not_enrolled)", 422: 'invalid body (score outside 0-100)' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'submission');
      const input = await validate(gradeBody, await readJson(ctx));
      const before = await requireSubmission(db, id);
      // Feedback reaches the student's JupyterLab: only while she is in the assignment's class.
      if (!(await isEnrolled(db, classOfAssignment(db, before.assignment_id), before.student_id))) throw errors.conflict('student_not_enrolled', "the student is not enrolled in this assignment's class: nothing is graded or sent");
      const changes: Parameters<typeof updateSubmission>[2] = {};
      if (input.feedback !== undefined) changes.feedback = input.feedback;
      if (input.score !== undefined) Object.assign(changes, { score: input.score, status: 'graded', graded_at: now(), graded_by: authOf(ctx).instructor.id });
      if (Object.keys(changes).length > 0) await updateSubmission(db, id, changes);
      const row = await requireSubmission(db, id);
      if (input.score !== undefined) {
        const message = {
          event: 'assignment_graded',
          assignment_id: row.assignment_id,
          submission_id: row.id,
          score: row.score,
          feedback: row.feedback,
          graded_at: submissionView(row).graded_at,
        };
        await notify(db, row.student_id, 'assignment_graded', message);
        // Seed 003's per-student channel, for any other consumer of the deployment's Redis (embedded: no one).
        await parts.notifications(before.user_id).publish(message).catch((err: Error) => log.warn({ err }, 'notification not published'));
        log.info({ event: 'graded', submissionId: row.id, by: authOf(ctx).instructor.id }, 'submission graded');
      }
      ctx.body = submissionView(row);
    },
  });

  table.add({
    method: 'delete', path: '/api/v1/submissions/:id', access: 'instructor', tag: 'submissions', summary: 'Delete a submission', scope: { submission: { param: 'id' } },
    responses: { 200: 'the deleted submission', 404: 'no such submission' },
    handler: async (ctx) => {
      const row = await requireSubmission(db, idParam(ctx, 'id', 'submission'));
      await deleteSubmission(db, row.id);
      ctx.body = submissionView(row);
    },
  });
}
