/**
 * Which students a dashboard view shows: a class's enrolled students (with the class's stuck
 * threshold), or "everyone seen today" — for an admin everyone, for an instructor only the students
 * of the classes they teach.
 */
import type { Knex } from 'knex';
import type { Authenticated } from '../auth/tokens.ts';
import { errors } from '../http/errors.ts';
import { isAdmin, taughtClassIds as taughtClassIdList, taughtUserIds } from '../classes/classAccess.ts';
import type { ClassesFor } from '../classes/classBoundary.ts';
import { classForBoard } from '../classes/classReads.ts';
import { classEnrolments, namesFor, type EnrolmentRow } from '../classes/enrolments.ts';
import { DEFAULT_THRESHOLDS, type StatusThresholds } from './thresholds.ts';

export interface ClassView {
  classId: number | null;
  className: string | null;
  thresholds: StatusThresholds;
  /** The class's students; undefined for "everyone seen today" (then `canSee` filters). */
  userIds?: Set<string>;
  /** For an instructor's "everyone seen today": the students of their classes. */
  canSee?: (userId: string) => boolean;
  /** Display names as the class knows them (its enrolments; classes/enrolments.ts), all for an admin. */
  names: Map<string, string>;
  /** A class view's teams: user name → team name. */
  teams?: Map<string, string>;
  /**
   * Which classes' part of the students' data the view shows (classes/classBoundary.ts): the class, or
   * every class the instructor teaches; null for an admin's "everyone seen today" (everything).
   */
  reach: ClassesFor | null;
  /** For an instructor's "everyone seen today": the classes they teach. */
  taughtClassIds?: number[];
}

/** Reads a view from the database (a class: 404 `class_not_found` when it does not exist). */
export async function loadClassView(db: Knex, classId: number | null, who: Authenticated): Promise<ClassView> {
  if (classId !== null) {
    const cls = await classForBoard(db, classId);
    if (!cls) throw errors.notFound('class');
    const students: Array<{ user_id: string; name: string | null; team: string | null }> = (await classEnrolments(db, classId)).map((e: EnrolmentRow) => ({ user_id: e.user_id, name: e.display_name, team: e.team }));
    return {
      classId,
      className: cls.name,
      thresholds: { ...DEFAULT_THRESHOLDS, stuckErrors: Number(cls.stuck_errors) || DEFAULT_THRESHOLDS.stuckErrors },
      userIds: new Set(students.map((s) => s.user_id)),
      names: namesOf(students),
      teams: new Map(students.filter((s) => s.team).map((s) => [s.user_id, s.team!])),
      reach: { classId },
    };
  }
  const names = await namesFor(db, who);
  if (isAdmin(who)) return { classId: null, className: null, thresholds: DEFAULT_THRESHOLDS, names, reach: null };
  const taught = new Set((await taughtUserIds(db, who.instructor.id)).map((r: { user_id: string }) => r.user_id));
  const taughtClassIds = (await taughtClassIdList(db, who.instructor.id)).map((r: { class_id: number | string }) => Number(r.class_id));
  return { classId: null, className: null, thresholds: DEFAULT_THRESHOLDS, canSee: (id) => taught.has(id), names, reach: { instructorId: who.instructor.id }, taughtClassIds };
}

function namesOf(rows: Array<{ user_id: string; name: string | null }>): Map<string, string> {
  return new Map(rows.filter((r) => r.name).map((r) => [r.user_id, r.name!]));
}

/** Local midnight today: "seen today" starts here. */
export function startOfToday(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}
