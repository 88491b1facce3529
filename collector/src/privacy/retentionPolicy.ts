/**
 * Who keeps their data how long, read from the classes at the start of each sweep.
 *
 * A class's retention is its `retention_days`, or the global RETENTION_DAYS when that is NULL; 0
 * means forever. A student's retention is the LONGEST of their classes' (forever wins): a student
 * in a 30-day class and a 60-day class keeps 60 days. Students in no class use the global value.
 * Students are grouped by their retention, so each group is one query per table (no id lists).
 */
import type { Knex } from 'knex';

const DAY_MS = 86_400_000;
const FOREVER = Number.POSITIVE_INFINITY;

/** Narrows a query on one table to the group's students, by a student id or a Jupyter user name column. */
type Restrict = (q: Knex.QueryBuilder, column: string) => void;

export interface StudentGroup {
  days: number;
  cutoff: Date;
  byStudentId: Restrict;
  byUserId: Restrict;
}

export interface ClassGroup {
  days: number;
  cutoff: Date;
  classIds: number[];
}

export interface RetentionPolicy {
  /** Groups of students whose retention is finite. */
  students: StudentGroup[];
  /** Classes whose retention is finite (their hand-ins and broadcasts), by retention. */
  classes: ClassGroup[];
  /** Students in no class: the global cutoff, when RETENTION_DAYS > 0. */
  unenrolled?: Date;
  /** The latest cutoff in effect (the shortest retention): delivered buffer rows, orphaned notebooks. */
  shortest?: Date;
  /** The earliest cutoff, only when no retention in effect is "forever": the streams and dead letters. */
  longest?: Date;
}

export async function loadRetentionPolicy(db: Knex, options: { now: Date; globalDays: number }): Promise<RetentionPolicy> {
  const days = (value: number) => (value > 0 ? value : FOREVER);
  const global = days(options.globalDays);
  const cutoff = (d: number) => new Date(options.now.getTime() - d * DAY_MS);
  const rows: Array<{ id: number; retention_days: number | string | null }> = await db('classes').select('id', 'retention_days');
  const classDays = new Map(rows.map((r) => [r.id, r.retention_days === null ? global : days(Number(r.retention_days))]));
  const idsWith = (test: (d: number) => boolean) => [...classDays].filter(([, d]) => test(d)).map(([id]) => id);
  const enrolledIn = (classIds: number[]) => db('class_enrollments').select('student_id').whereIn('class_id', classIds);

  const finite = [...new Set(classDays.values())].filter((d) => d !== FOREVER).sort((a, b) => a - b);
  const students: StudentGroup[] = finite.map((d) => {
    const same = idsWith((x) => x === d);
    const longer = idsWith((x) => x > d);
    const byStudentId: Restrict = (q, column) => {
      q.whereIn(column, enrolledIn(same));
      if (longer.length > 0) q.whereNotIn(column, enrolledIn(longer));
    };
    return { days: d, cutoff: cutoff(d), byStudentId, byUserId: (q, column) => void q.whereIn(column, db('students').select('user_id').where((s) => byStudentId(s, 'id'))) };
  });
  if (global !== FOREVER) {
    students.push({
      days: global,
      cutoff: cutoff(global),
      // cells.student_id may be NULL (rows from before cells were per student): the global rule.
      byStudentId: (q, column) => void q.where((w) => w.whereNull(column).orWhereNotIn(column, db('class_enrollments').select('student_id'))),
      byUserId: (q, column) => void q.whereNotIn(column, db('students as s').join('class_enrollments as ce', 'ce.student_id', 's.id').select('s.user_id')),
    });
  }

  const inEffect = [...new Set([global, ...classDays.values()])];
  const finiteInEffect = inEffect.filter((d) => d !== FOREVER);
  return {
    students,
    classes: finite.map((d) => ({ days: d, cutoff: cutoff(d), classIds: idsWith((x) => x === d) })),
    unenrolled: global === FOREVER ? undefined : cutoff(global),
    shortest: finiteInEffect.length > 0 ? cutoff(Math.min(...finiteInEffect)) : undefined,
    longest: finiteInEffect.length === inEffect.length ? cutoff(Math.max(...finiteInEffect)) : undefined,
  };
}
