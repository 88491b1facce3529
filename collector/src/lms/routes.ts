/**
 * Instructor side of the LMS: classes (+ enrollment), assignments, submissions and grading.
 * Every route needs an instructor token. Grading notifies the student (`assignment_graded`).
 */
import type { Knex } from 'knex';
import { writeTransaction } from '../db/createDb.ts';
import type { Redis } from 'ioredis';
import * as yup from 'yup';
import { HttpError } from '../http/errors.ts';
import { insertedId, iso } from '../instructors/store.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { idNumber, idParam, idQuery, pagination, readJson, trimmedString, validate } from '../http/request.ts';
import { authOf } from '../auth/accessGuards.ts';
import type { Logger } from '../core/logger.ts';
import { isAdmin, taughtClassIds } from './classAccess.ts';
import {
  assignmentView,
  classView,
  ensureStudent,
  notify,
  page,
  studentView,
  submissionView,
  type AssignmentRow,
  type ClassRow,
  type StudentRow,
  type SubmissionRow,
} from './store.ts';

const isoDate = yup
  .string()
  .nullable()
  .test('date', 'must be an ISO 8601 date-time', (v) => v === undefined || v === null || !Number.isNaN(Date.parse(v)));
const notebook = yup
  .object()
  .test('notebook', 'notebook_content must be a notebook (an object with cells)', (v) => v !== undefined && Array.isArray((v as { cells?: unknown }).cells));

export const lmsSchemas = {
  classCreate: yup.object({
    name: trimmedString().min(1).max(200).required('name is required'),
    class_code: trimmedString().matches(/^[A-Za-z0-9_.-]{1,64}$/, 'class_code must be 1-64 of A-Z a-z 0-9 _ . -').required('class_code is required'),
    description: yup.string().max(10_000).nullable().optional(),
  }),
  classUpdate: yup.object({
    name: trimmedString().min(1).max(200).optional(),
    class_code: trimmedString().matches(/^[A-Za-z0-9_.-]{1,64}$/, 'class_code must be 1-64 of A-Z a-z 0-9 _ . -').optional(),
    description: yup.string().max(10_000).nullable().optional(),
  }),
  enroll: yup
    .object({
      student_id: idNumber().optional(),
      user_id: trimmedString().min(1).max(255).optional(),
      email: trimmedString().email('email must be an email address').max(255).optional(),
      name: trimmedString().max(100).optional(),
    })
    .test('who', 'give one of student_id, user_id or email', (v) => Boolean(v && (v.student_id || v.user_id || v.email))),
  assignmentCreate: yup.object({
    class_id: idNumber().required('class_id is required'),
    notebook_path: trimmedString().min(1).max(1024).required('notebook_path is required'),
    title: trimmedString().min(1).max(200).required('title is required'),
    description: yup.string().max(10_000).nullable().optional(),
    due_date: isoDate.optional(),
  }),
  assignmentUpdate: yup.object({
    notebook_path: trimmedString().min(1).max(1024).optional(),
    title: trimmedString().min(1).max(200).optional(),
    description: yup.string().max(10_000).nullable().optional(),
    due_date: isoDate.optional(),
  }),
  submissionCreate: yup.object({
    assignment_id: idNumber().required('assignment_id is required'),
    student_id: idNumber().required('student_id is required'),
    notebook_content: notebook.required('notebook_content is required'),
    submission_comment: yup.string().max(10_000).nullable().optional(),
    submitted_at: isoDate.optional(),
  }),
  teacherAdd: yup
    .object({
      instructor_id: idNumber().optional(),
      email: trimmedString().email('email must be an email address').max(255).optional(),
      role: yup.string().oneOf(['owner', 'co_teacher'], 'role must be owner or co_teacher').optional(),
    })
    .test('who', 'give instructor_id or email', (v) => Boolean(v && (v.instructor_id || v.email))),
  grade: yup.object({
    score: yup.number().typeError('score must be a number').integer('score must be an integer').min(0, 'score must be 0-100').max(100, 'score must be 0-100').optional(),
    feedback: yup.string().max(20_000).nullable().optional(),
  }),
};

export interface LmsParts {
  db: Knex;
  log: Logger;
  redis?: Redis;
  /** Largest notebook a submission may carry (the companion's limit). */
  submissionMaxBytes: number;
  /** Submissions kept per student and assignment. */
  submissionsKept: number;
}

const notFound = (what: string) => new HttpError(404, `${what}_not_found`, `no such ${what}`);

async function getClass(db: Knex, id: number): Promise<ClassRow> {
  const row = await db<ClassRow>('classes').where({ id }).first();
  if (!row) throw notFound('class');
  return row;
}

async function getAssignment(db: Knex, id: number): Promise<AssignmentRow> {
  const row = await db<AssignmentRow>('class_assignments').where({ id }).first();
  if (!row) throw notFound('assignment');
  return row;
}

async function getSubmission(db: Knex, id: number): Promise<SubmissionRow & { user_id: string }> {
  const row = await db('assignment_submissions as s').join('students as st', 'st.id', 's.student_id').select('s.*', 'st.user_id').where('s.id', id).first();
  if (!row) throw notFound('submission');
  return row;
}

const isUniqueViolation = (err: unknown) => /unique|duplicate/i.test(String((err as Error).message));

/** Submitted after the due date (when there is one). */
export function isLate(submittedAt: string, dueDate: string | Date | null): boolean {
  return dueDate !== null && new Date(submittedAt).getTime() > new Date(dueDate).getTime();
}


export function addLmsRoutes(table: RouteTable, parts: LmsParts): void {
  const { db, log } = parts;
  const now = () => new Date().toISOString();

  // ---- classes ----------------------------------------------------------------------------
  table.add({
    method: 'post', path: '/api/v1/classes', access: 'instructor', tag: 'classes', summary: 'Create a class (class_code unique)',
    body: lmsSchemas.classCreate, responses: { 201: 'created', 409: 'class_code taken', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(lmsSchemas.classCreate, await readJson(ctx));
      try {
        // The creator owns the class: from now on only its teachers (and admins) see it.
        const id = await writeTransaction(db, async (trx) => {
          const [row] = await trx('classes').insert({ ...input, description: input.description ?? null, created_at: now(), updated_at: now() }).returning('id');
          const classId = insertedId(row);
          await trx('class_teachers').insert({ class_id: classId, instructor_id: authOf(ctx).instructor.id, role: 'owner', added_at: now() });
          return classId;
        });
        ctx.status = 201;
        ctx.body = classView(await getClass(db, id));
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpError(409, 'class_code_taken', 'a class with this class_code already exists');
        throw err;
      }
    },
  });
  table.add({
    method: 'get', path: '/api/v1/classes', access: 'instructor', tag: 'classes', summary: 'List classes (skip, limit)', scope: 'own_classes',
    responses: { 200: 'a page of classes', 422: 'bad query' },
    handler: async (ctx) => {
      const who = authOf(ctx);
      const query = db('classes').modify((q) => (isAdmin(who) ? q : q.whereIn('id', taughtClassIds(db, who.instructor.id))));
      const { items, total } = await page<ClassRow>(query, await pagination(ctx), 'id');
      ctx.set('X-Total-Count', String(total));
      ctx.body = items.map(classView);
    },
  });
  table.add({
    method: 'get', path: '/api/v1/classes/:id', access: 'instructor', tag: 'classes', summary: 'One class', scope: { class: { param: 'id' } },
    responses: { 200: 'the class', 404: 'no such class' },
    handler: async (ctx) => {
      ctx.body = classView(await getClass(db, idParam(ctx, 'id', 'class')));
    },
  });
  table.add({
    method: 'put', path: '/api/v1/classes/:id', access: 'instructor', tag: 'classes', summary: 'Update a class (partial)', scope: { class: { param: 'id' } },
    body: lmsSchemas.classUpdate, responses: { 200: 'updated', 404: 'no such class', 409: 'class_code taken', 422: 'invalid body' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'class');
      const input = await validate(lmsSchemas.classUpdate, await readJson(ctx));
      await getClass(db, id);
      try {
        await db('classes').where({ id }).update({ ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)), updated_at: now() });
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpError(409, 'class_code_taken', 'a class with this class_code already exists');
        throw err;
      }
      ctx.body = classView(await getClass(db, id));
    },
  });
  table.add({
    method: 'delete', path: '/api/v1/classes/:id', access: 'instructor', tag: 'classes', summary: 'Delete a class with its enrollments, assignments and submissions', scope: { class: { param: 'id' }, role: 'owner' },
    responses: { 200: 'the deleted class', 404: 'no such class' },
    handler: async (ctx) => {
      const row = await getClass(db, idParam(ctx, 'id', 'class'));
      await db('classes').where({ id: row.id }).delete();
      ctx.body = classView(row);
    },
  });

  // ---- teachers ---------------------------------------------------------------------------
  const teacherView = (row: { instructor_id: number; role: string; added_at: string | Date; name: string; email: string }) => ({
    instructor_id: row.instructor_id,
    name: row.name,
    email: row.email,
    role: row.role,
    added_at: iso(row.added_at),
  });
  const teachersOf = (classId: number) =>
    db('class_teachers as t').join('instructors as i', 'i.id', 't.instructor_id').where('t.class_id', classId).select('t.instructor_id', 't.role', 't.added_at', 'i.name', 'i.email').orderBy('t.id');
  table.add({
    method: 'get', path: '/api/v1/classes/:id/teachers', access: 'instructor', tag: 'classes', summary: "A class's teachers (owners and co-teachers)", scope: { class: { param: 'id' } },
    responses: { 200: 'the teachers', 403: 'not a teacher of this class', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await getClass(db, idParam(ctx, 'id', 'class'));
      ctx.body = (await teachersOf(cls.id)).map(teacherView);
    },
  });
  table.add({
    method: 'post', path: '/api/v1/classes/:id/teachers', access: 'instructor', tag: 'classes', summary: 'Add a teacher (by instructor_id or email) as owner or co_teacher', scope: { class: { param: 'id' }, role: 'owner' },
    body: lmsSchemas.teacherAdd, responses: { 201: 'added', 403: 'not an owner of this class', 404: 'no such class or instructor', 409: 'already a teacher', 422: 'invalid body' },
    handler: async (ctx) => {
      const cls = await getClass(db, idParam(ctx, 'id', 'class'));
      const input = await validate(lmsSchemas.teacherAdd, await readJson(ctx));
      const instructor = input.instructor_id
        ? await db('instructors').where({ id: input.instructor_id }).first()
        : await db('instructors').where({ email: input.email!.toLowerCase() }).first();
      if (!instructor || !instructor.is_active) throw notFound('instructor');
      try {
        await db('class_teachers').insert({ class_id: cls.id, instructor_id: instructor.id, role: input.role ?? 'co_teacher', added_at: now() });
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpError(409, 'already_teacher', 'this instructor already teaches the class');
        throw err;
      }
      ctx.status = 201;
      ctx.body = (await teachersOf(cls.id)).map(teacherView);
    },
  });
  table.add({
    method: 'delete', path: '/api/v1/classes/:id/teachers/:instructorId', access: 'instructor', tag: 'classes', summary: 'Remove a teacher (not the last owner)', scope: { class: { param: 'id' }, role: 'owner' },
    responses: { 200: 'removed', 403: 'not an owner of this class', 404: 'no such class or teacher', 409: 'the last owner' },
    handler: async (ctx) => {
      const cls = await getClass(db, idParam(ctx, 'id', 'class'));
      const instructorId = idParam(ctx, 'instructorId', 'teacher');
      await writeTransaction(db, async (trx) => {
        const row = await trx('class_teachers').where({ class_id: cls.id, instructor_id: instructorId }).first();
        if (!row) throw notFound('teacher');
        const owners = await trx('class_teachers').where({ class_id: cls.id, role: 'owner' }).count({ n: '*' });
        if (row.role === 'owner' && Number(owners[0].n) <= 1) throw new HttpError(409, 'last_owner', 'a class keeps at least one owner; add another owner first');
        await trx('class_teachers').where({ id: row.id }).delete();
      });
      ctx.body = (await teachersOf(cls.id)).map(teacherView);
    },
  });

  // ---- enrollment -------------------------------------------------------------------------
  table.add({
    method: 'get', path: '/api/v1/classes/:id/students', access: 'instructor', tag: 'classes', summary: 'Students enrolled in a class (skip, limit)', scope: { class: { param: 'id' } },
    responses: { 200: 'a page of students', 404: 'no such class' },
    handler: async (ctx) => {
      const cls = await getClass(db, idParam(ctx, 'id', 'class'));
      const query = db('class_enrollments as e').join('students as s', 's.id', 'e.student_id').select('s.*', 'e.enrolled_at').where('e.class_id', cls.id);
      const { items, total } = await page<StudentRow & { enrolled_at: string }>(query, await pagination(ctx), 's.id');
      ctx.set('X-Total-Count', String(total));
      ctx.body = items.map((s) => ({ ...studentView(s), enrolled_at: iso(s.enrolled_at) }));
    },
  });
  table.add({
    method: 'post', path: '/api/v1/classes/:id/students', access: 'instructor', tag: 'classes', scope: { class: { param: 'id' } },
    summary: 'Enroll a student: an existing one by student_id or email, or by Jupyter user name (user_id; created if new)',
    body: lmsSchemas.enroll, responses: { 201: 'enrolled', 404: 'no such class or student', 409: 'already enrolled', 422: 'invalid body' },
    handler: async (ctx) => {
      const cls = await getClass(db, idParam(ctx, 'id', 'class'));
      const input = await validate(lmsSchemas.enroll, await readJson(ctx));
      let student: StudentRow | undefined;
      if (input.student_id) student = await db<StudentRow>('students').where({ id: input.student_id }).first();
      else if (input.user_id) student = await ensureStudent(db, input.user_id, { name: input.name, email: input.email?.toLowerCase() });
      else student = await db<StudentRow>('students').whereRaw('lower(email) = ?', [input.email!.toLowerCase()]).first();
      if (!student) throw notFound('student');
      try {
        await db('class_enrollments').insert({ class_id: cls.id, student_id: student.id, enrolled_at: now() });
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpError(409, 'already_enrolled', 'the student is already in this class');
        throw err;
      }
      // Enrolling gives this class's teachers the student's activity: say who did it.
      log.info({ event: 'enrolled', classId: cls.id, studentId: student.id, by: authOf(ctx).instructor.id }, 'student enrolled');
      ctx.status = 201;
      ctx.body = { class_id: cls.id, student: studentView(student) };
    },
  });
  table.add({
    method: 'delete', path: '/api/v1/classes/:id/students/:studentId', access: 'instructor', tag: 'classes', summary: 'Remove a student from a class', scope: { class: { param: 'id' } },
    responses: { 200: 'removed', 404: 'no such class or enrollment' },
    handler: async (ctx) => {
      const cls = await getClass(db, idParam(ctx, 'id', 'class'));
      const studentId = idParam(ctx, 'studentId', 'student');
      const removed = await db('class_enrollments').where({ class_id: cls.id, student_id: studentId }).delete();
      if (!removed) throw notFound('enrollment');
      ctx.body = { class_id: cls.id, student_id: studentId, removed: true };
    },
  });

  // ---- assignments ------------------------------------------------------------------------
  table.add({
    method: 'post', path: '/api/v1/assignments', access: 'instructor', tag: 'assignments', summary: 'Create an assignment for a class', scope: { class: { body: 'class_id' } },
    body: lmsSchemas.assignmentCreate, responses: { 201: 'created', 404: 'no such class', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(lmsSchemas.assignmentCreate, await readJson(ctx));
      await getClass(db, input.class_id);
      const [row] = await db('class_assignments')
        .insert({
          class_id: input.class_id,
          notebook_path: input.notebook_path,
          title: input.title,
          description: input.description ?? null,
          due_date: input.due_date ? new Date(input.due_date).toISOString() : null,
          created_at: now(),
          updated_at: now(),
        })
        .returning('id');
      ctx.status = 201;
      ctx.body = assignmentView(await getAssignment(db, insertedId(row)));
    },
  });
  table.add({
    method: 'get', path: '/api/v1/assignments', access: 'instructor', tag: 'assignments', summary: 'List assignments (skip, limit, class_id)', scope: 'own_classes',
    responses: { 200: 'a page of assignments', 422: 'bad query' },
    handler: async (ctx) => {
      const classId = idQuery(ctx, 'class_id');
      const who = authOf(ctx);
      const query = db('class_assignments').modify((q) => {
        if (classId) q.where({ class_id: classId });
        if (!isAdmin(who)) q.whereIn('class_id', taughtClassIds(db, who.instructor.id));
      });
      const { items, total } = await page<AssignmentRow>(query, await pagination(ctx), 'id');
      ctx.set('X-Total-Count', String(total));
      ctx.body = items.map(assignmentView);
    },
  });
  table.add({
    method: 'get', path: '/api/v1/assignments/:id', access: 'instructor', tag: 'assignments', summary: 'One assignment', scope: { assignment: { param: 'id' } },
    responses: { 200: 'the assignment', 404: 'no such assignment' },
    handler: async (ctx) => {
      ctx.body = assignmentView(await getAssignment(db, idParam(ctx, 'id', 'assignment')));
    },
  });
  table.add({
    method: 'put', path: '/api/v1/assignments/:id', access: 'instructor', tag: 'assignments', summary: 'Update an assignment (partial)', scope: { assignment: { param: 'id' } },
    body: lmsSchemas.assignmentUpdate, responses: { 200: 'updated', 404: 'no such assignment', 422: 'invalid body' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'assignment');
      const input = await validate(lmsSchemas.assignmentUpdate, await readJson(ctx));
      await getAssignment(db, id);
      const changes: Record<string, unknown> = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      if (typeof changes.due_date === 'string') changes.due_date = new Date(changes.due_date).toISOString();
      await db('class_assignments').where({ id }).update({ ...changes, updated_at: now() });
      ctx.body = assignmentView(await getAssignment(db, id));
    },
  });
  table.add({
    method: 'delete', path: '/api/v1/assignments/:id', access: 'instructor', tag: 'assignments', summary: 'Delete an assignment and its submissions', scope: { assignment: { param: 'id' } },
    responses: { 200: 'the deleted assignment', 404: 'no such assignment' },
    handler: async (ctx) => {
      const row = await getAssignment(db, idParam(ctx, 'id', 'assignment'));
      await db('class_assignments').where({ id: row.id }).delete();
      ctx.body = assignmentView(row);
    },
  });

  // ---- submissions ------------------------------------------------------------------------
  table.add({
    method: 'post', path: '/api/v1/submissions', access: 'instructor', tag: 'submissions', summary: "Record a submission on a student's behalf", scope: { assignment: { body: 'assignment_id' } }, bodyLimit: parts.submissionMaxBytes,
    body: lmsSchemas.submissionCreate, responses: { 201: 'created', 404: 'no such assignment or student', 422: 'invalid body' },
    handler: async (ctx) => {
      const input = await validate(lmsSchemas.submissionCreate, await readJson(ctx, parts.submissionMaxBytes));
      const assignment = await getAssignment(db, input.assignment_id);
      const student = await db<StudentRow>('students').where({ id: input.student_id }).first();
      if (!student) throw notFound('student');
      const submittedAt = input.submitted_at ? new Date(input.submitted_at).toISOString() : now();
      const id = await insertSubmission(db, { assignment, studentId: student.id, notebook: input.notebook_content, comment: input.submission_comment ?? null, submittedAt, keep: parts.submissionsKept });
      ctx.status = 201;
      ctx.body = submissionView(await getSubmission(db, id));
    },
  });
  table.add({
    method: 'get', path: '/api/v1/submissions', access: 'instructor', tag: 'submissions', summary: 'List submissions (skip, limit, assignment_id, student_id); without the notebooks', scope: 'own_classes',
    responses: { 200: 'a page of submissions', 422: 'bad query' },
    handler: async (ctx) => {
      const assignmentId = idQuery(ctx, 'assignment_id');
      const studentId = idQuery(ctx, 'student_id');
      const who = authOf(ctx);
      const query = db('assignment_submissions as s')
        .join('students as st', 'st.id', 's.student_id')
        .select('s.*', 'st.user_id')
        .modify((q) => {
          if (assignmentId) q.where('s.assignment_id', assignmentId);
          if (studentId) q.where('s.student_id', studentId);
          if (!isAdmin(who)) q.whereIn('s.assignment_id', db('class_assignments').select('id').whereIn('class_id', taughtClassIds(db, who.instructor.id)));
        });
      const { items, total } = await page<SubmissionRow & { user_id: string }>(query, await pagination(ctx), 's.id');
      ctx.set('X-Total-Count', String(total));
      ctx.body = items.map((s) => submissionView(s));
    },
  });
  table.add({
    method: 'get', path: '/api/v1/submissions/:id', access: 'instructor', tag: 'submissions', summary: 'One submission with its notebook', scope: { submission: { param: 'id' } },
    responses: { 200: 'the submission', 404: 'no such submission' },
    handler: async (ctx) => {
      ctx.body = submissionView(await getSubmission(db, idParam(ctx, 'id', 'submission')), { withNotebook: true });
    },
  });
  table.add({
    method: 'put', path: '/api/v1/submissions/:id', access: 'instructor', tag: 'submissions', scope: { submission: { param: 'id' } },
    summary: 'Grade a submission (score 0-100, feedback); the student is notified (assignment_graded)',
    body: lmsSchemas.grade, responses: { 200: 'graded', 404: 'no such submission', 422: 'invalid body (score outside 0-100)' },
    handler: async (ctx) => {
      const id = idParam(ctx, 'id', 'submission');
      const input = await validate(lmsSchemas.grade, await readJson(ctx));
      const before = await getSubmission(db, id);
      const changes: Record<string, unknown> = {};
      if (input.feedback !== undefined) changes.feedback = input.feedback;
      if (input.score !== undefined) Object.assign(changes, { score: input.score, status: 'graded', graded_at: now(), graded_by: authOf(ctx).instructor.id });
      if (Object.keys(changes).length > 0) await db('assignment_submissions').where({ id }).update(changes);
      const row = await getSubmission(db, id);
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
        // Seed 003's per-student channel, for any other consumer of the deployment's Redis.
        await parts.redis?.publish(`notifications:${before.user_id}`, JSON.stringify(message)).catch((err: Error) => log.warn({ err }, 'notification not published'));
        log.info({ event: 'graded', submissionId: row.id, by: authOf(ctx).instructor.id }, 'submission graded');
      }
      ctx.body = submissionView(row);
    },
  });
  table.add({
    method: 'delete', path: '/api/v1/submissions/:id', access: 'instructor', tag: 'submissions', summary: 'Delete a submission', scope: { submission: { param: 'id' } },
    responses: { 200: 'the deleted submission', 404: 'no such submission' },
    handler: async (ctx) => {
      const row = await getSubmission(db, idParam(ctx, 'id', 'submission'));
      await db('assignment_submissions').where({ id: row.id }).delete();
      ctx.body = submissionView(row);
    },
  });
}

/**
 * Stores a hand-in, keeping at most `keep` per student and assignment: the oldest ungraded ones give
 * way (a graded one is never deleted; when `keep` are graded, a further hand-in is 409).
 */
export async function insertSubmission(
  db: Knex,
  input: { assignment: AssignmentRow; studentId: number; notebook: unknown; comment: string | null; submittedAt: string; keep: number },
): Promise<number> {
  return writeTransaction(db, async (trx) => {
    const existing: Array<{ id: number; status: string }> = await trx('assignment_submissions')
      .where({ assignment_id: input.assignment.id, student_id: input.studentId })
      .orderBy('id', 'asc')
      .select('id', 'status');
    const excess = existing.length - (input.keep - 1);
    if (excess > 0) {
      const removable = existing.filter((s) => s.status !== 'graded').slice(0, excess).map((s) => s.id);
      if (removable.length < excess) {
        throw new HttpError(409, 'submission_limit_reached', `at most ${input.keep} submissions are kept per assignment and student, and that many are graded already`);
      }
      await trx('assignment_submissions').whereIn('id', removable).delete();
    }
    const [row] = await trx('assignment_submissions')
      .insert({
        assignment_id: input.assignment.id,
        student_id: input.studentId,
        notebook_content: JSON.stringify(input.notebook),
        submission_comment: input.comment,
        submitted_at: input.submittedAt,
        is_late: isLate(input.submittedAt, input.assignment.due_date),
        status: 'submitted',
      })
      .returning('id');
    return insertedId(row);
  });
}
