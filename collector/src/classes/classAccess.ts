/**
 * Per-class authorization (security review, finding 7). A class has teachers — owners and
 * co-teachers (`class_teachers`); an instructor reads and changes only the classes they teach and
 * the data of the students enrolled in them; admins everything. The route table declares each
 * route's scope; `scopeGuard` enforces it before the handler runs, and list routes filter with
 * `taughtClassIds` / `taughtUserIds`.
 */
import type { Knex } from 'knex';
import type { Authenticated } from '../auth/tokens.ts';
import { errors } from '../http/errors.ts';
import { type Ctx, type Handler, type IdFrom, type Scope } from '../http/routeTable.ts';
import { readJson } from '../http/request.ts';
import { studentExists, studentIdOf, userIdsOfStudents } from '../students/store.ts';
import { classesShowing, loadBoundarySnapshot, type BoundarySnapshot } from './classBoundary.ts';

export const TEACHER_ROLES = ['owner', 'co_teacher'] as const;
export type TeacherRole = (typeof TEACHER_ROLES)[number];

export const isAdmin = (who: Authenticated) => who.instructor.role === 'admin';

/** Ids of the classes an instructor teaches, as a subquery. */
export function taughtClassIds(db: Knex, instructorId: number): Knex.QueryBuilder {
  return db('class_teachers').select('class_id').where({ instructor_id: instructorId });
}

/** Student ids enrolled in a class the instructor teaches, as a subquery. */
export function taughtStudentIds(db: Knex, instructorId: number): Knex.QueryBuilder {
  return db('class_enrollments').select('student_id').whereIn('class_id', taughtClassIds(db, instructorId));
}

/** Jupyter user names of those students (events are keyed by user name), as a subquery. */
export function taughtUserIds(db: Knex, instructorId: number): Knex.QueryBuilder {
  return userIdsOfStudents(db, taughtStudentIds(db, instructorId));
}

export async function teacherRole(db: Knex, instructorId: number, classId: number): Promise<TeacherRole | undefined> {
  const row = await db('class_teachers').where({ class_id: classId, instructor_id: instructorId }).first('role');
  return row?.role as TeacherRole | undefined;
}

function rawFrom(ctx: Ctx, from: IdFrom, body: unknown): unknown {
  if ('param' in from) return (ctx.params as Record<string, string>)[from.param];
  if ('query' in from) return ctx.query[from.query];
  return (body as Record<string, unknown> | undefined)?.[from.body];
}

function idFrom(ctx: Ctx, from: IdFrom, body: unknown): number | undefined {
  const raw = rawFrom(ctx, from, body);
  const id = typeof raw === 'number' ? raw : /^\d{1,9}$/.test(String(raw ?? '')) ? Number(raw) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

const notTeacher = (what: string) => errors.forbidden('not_class_teacher', `you do not teach the class of this ${what}; its owner can add you as a teacher`);

/**
 * Whose a scoped resource of another owner is: an assignment's or a hand-in's class, a help
 * request's or a notebook version's student (undefined: no such row). Given by their owners (assignments/store.ts,
 * help/helpStore.ts) where the app is composed, so this guard names no table of theirs.
 */
export interface ScopeResolvers {
  classOfAssignment(db: Knex, id: number): Promise<number | undefined>;
  classOfSubmission(db: Knex, id: number): Promise<number | undefined>;
  studentOfHelpRequest(db: Knex, id: number): Promise<number | undefined>;
  studentOfVersion(db: Knex, id: number): Promise<number | undefined>;
}

/** Whether a class of this id exists (the scope guard's 404). */
async function classExists(db: Knex, id: number): Promise<boolean> {
  return (await db('classes').where({ id }).first('id')) !== undefined;
}

async function classesOf(db: Knex, resolvers: ScopeResolvers, kind: 'class' | 'assignment' | 'submission', id: number): Promise<number | undefined> {
  if (kind === 'class') return (await classExists(db, id)) ? id : undefined;
  return kind === 'assignment' ? resolvers.classOfAssignment(db, id) : resolvers.classOfSubmission(db, id);
}

type ScopeKind = 'class' | 'assignment' | 'submission' | 'student' | 'student_user' | 'help_request' | 'version';

async function requireTaughtStudent(db: Knex, who: Authenticated, studentId: number, next: () => Promise<unknown>): Promise<unknown> {
  const taught = await db('class_enrollments').where({ student_id: studentId }).whereIn('class_id', taughtClassIds(db, who.instructor.id)).first('id');
  if (!taught) throw errors.forbidden('not_class_teacher', 'this student is not in a class you teach');
  return next();
}

/**
 * The guard for a route's declared scope. Runs after the token guard; admins pass. An id that is
 * not a valid id is left to the handler (its validation answers 404/422 without touching data).
 */
export function scopeGuard(db: Knex, resolvers: ScopeResolvers, scope: Exclude<Scope, 'own_classes'>, bodyLimit?: number): Handler {
  return async (ctx, next) => {
    const who = ctx.state.auth as Authenticated;
    if (isAdmin(who)) return next();
    const [kind, from] = Object.entries(scope).find(([k]) => k !== 'role') as [ScopeKind, IdFrom];
    const body = 'body' in from ? await readJson(ctx, bodyLimit) : undefined;
    if (kind === 'student_user') {
      const userId = rawFrom(ctx, from, body);
      if (typeof userId !== 'string' || userId === '') return next();
      const studentId = await studentIdOf(db, userId);
      if (studentId === undefined) throw errors.notFound('student');
      return requireTaughtStudent(db, who, studentId, next);
    }
    const id = idFrom(ctx, from, body);
    if (id === undefined) return next();
    if (kind === 'student') {
      if (!(await studentExists(db, id))) throw errors.notFound('student');
      return requireTaughtStudent(db, who, id, next);
    }
    if (kind === 'help_request' || kind === 'version') {
      const studentId = await (kind === 'version' ? resolvers.studentOfVersion(db, id) : resolvers.studentOfHelpRequest(db, id));
      if (studentId === undefined) throw errors.notFound(kind);
      return requireTaughtStudent(db, who, studentId, next);
    }
    const classId = await classesOf(db, resolvers, kind as 'class' | 'assignment' | 'submission', id);
    if (classId === undefined) throw errors.notFound(kind);
    const role = await teacherRole(db, who.instructor.id, classId);
    if (!role) throw notTeacher(kind);
    if ('role' in scope && scope.role === 'owner' && role !== 'owner') throw errors.forbidden('not_class_owner', 'only an owner of the class may do this');
    return next();
  };
}

/** How often a live socket re-reads which students its instructor may see (enrollments change). */
export const ROSTER_REFRESH_MS = 10_000;

/**
 * For a non-admin's live socket: whether an event is one the instructor's classes show (the class
 * boundary, classBoundary.ts: her classes from enrolment on, never another class's assignment
 * notebook). The enrolments, assignment paths and taught classes are read once before the socket
 * gets any event, re-read every ROSTER_REFRESH_MS, and at once (`refresh`) when the instructor
 * leaves a class.
 */
export async function createRosterFilter(db: Knex, instructorId: number): Promise<{ canSee(event: { userId: string; eventTime: string; notebookPath?: string | null }): boolean; refresh(): Promise<void>; stop(): void }> {
  let snapshot: BoundarySnapshot = { enrolments: new Map(), assignments: new Map() };
  let taught = new Set<number>();
  const refresh = async () => {
    const classes: Array<{ class_id: number | string }> = await taughtClassIds(db, instructorId);
    const next = await loadBoundarySnapshot(db);
    taught = new Set(classes.map((c) => Number(c.class_id)));
    snapshot = next;
  };
  await refresh();
  const timer = setInterval(() => void refresh().catch(() => undefined), ROSTER_REFRESH_MS);
  timer.unref();
  return {
    canSee: (event) => classesShowing(snapshot, event.userId, Date.parse(event.eventTime), event.notebookPath).some((id) => taught.has(id)),
    refresh,
    stop: () => clearInterval(timer),
  };
}
