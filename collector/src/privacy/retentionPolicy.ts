/**
 * Which retention applies to which of a student's rows, read from the classes at the start of each
 * sweep. A class's retention is its `retention_days`, or the global RETENTION_DAYS when that is
 * NULL; 0 means forever. A row of student S (a personal table of the registry, registry.ts) follows:
 *
 * | the row                                                        | retention                       |
 * |----------------------------------------------------------------|---------------------------------|
 * | on a notebook that is an assignment of one or more of S's classes | the class that owns it for her: of those, the one she joined first (classes/classBoundary.ts, first claimer) |
 * | any other row (another notebook, or none: sessions, environments) | S's HOME class's (classes/classBoundary.ts `homeClassOf`: her earliest enrolment) |
 * | S is in no class                                               | the global RETENTION_DAYS       |
 * | a hand-in (assignment_submissions)                             | its assignment's class's        |
 *
 * So a class that enrols a student who is already in another class cannot keep her other rows
 * longer (or shorter): a "forever" class keeps only the rows of its own assignment notebooks, and
 * not even those when it copies a path another class of hers assigned first.
 * Rows are grouped by their retention, so each group is one statement per table (no id lists).
 */
import type { Knex } from 'knex';
import { STUDENTS, type PersonalTable } from './registry.ts';

const DAY_MS = 86_400_000;
const FOREVER = Number.POSITIVE_INFINITY;

export interface RowGroup {
  days: number;
  cutoff: Date;
  /** Narrows a query on `table` to the rows that follow this retention. */
  rowsOf(q: Knex.QueryBuilder, table: PersonalTable): void;
}

export interface ClassGroup {
  days: number;
  cutoff: Date;
  classIds: number[];
}

export interface RetentionPolicy {
  /** Rows by their (finite) retention. */
  rows: RowGroup[];
  /** Classes whose retention is finite (their hand-ins and broadcasts), by retention. */
  classes: ClassGroup[];
  /** Students in no class: the global cutoff, when RETENTION_DAYS > 0. */
  unenrolled?: Date;
  /** The latest cutoff in effect (the shortest retention): delivered buffer rows, orphaned notebooks. */
  shortest?: Date;
  /** The earliest cutoff, only when no retention in effect is "forever": the streams and dead letters. */
  longest?: Date;
  /** Per user: the shortest retention among her classes (the global one in no class), for the InfluxDB copy. */
  strictestByUser(): Promise<Map<string, Date>>;
}

const placeholders = (ids: readonly number[]) => ids.map(() => '?').join(', ');

/** The student id of a row: its `student_id`, or the student of its `user_id`. */
function studentOf(table: PersonalTable): string {
  return table.key === 'student_id' ? `${table.table}.student_id` : `(SELECT cb_s.id FROM ${STUDENTS.table} cb_s WHERE cb_s.user_id = ${table.table}.user_id)`;
}

/** `homeClassOf` as SQL: the home class of `student` (an SQL expression) is one of `classIds`. */
function homeClassIn(student: string, classIds: readonly number[]): [string, number[]] {
  return [
    `EXISTS (SELECT 1 FROM class_enrollments cb_h WHERE cb_h.student_id = ${student} AND cb_h.class_id IN (${placeholders(classIds)}) AND NOT EXISTS (` +
      'SELECT 1 FROM class_enrollments cb_h2 WHERE cb_h2.student_id = cb_h.student_id AND (cb_h2.enrolled_at < cb_h.enrolled_at OR (cb_h2.enrolled_at = cb_h.enrolled_at AND cb_h2.class_id < cb_h.class_id))))',
    [...classIds],
  ];
}

/** The notebook `path` is an assignment of one of the student's classes (any of them). */
function claimed(student: string, path: string): string {
  return `EXISTS (SELECT 1 FROM class_enrollments cb_c JOIN class_assignments cb_a ON cb_a.class_id = cb_c.class_id WHERE cb_c.student_id = ${student} AND cb_a.notebook_path = ${path})`;
}

/**
 * The class that owns `path` for the student is one of `classIds`: of her classes that assign it,
 * the one she joined first (ties: the lower class id) — classBoundary.ts's first claimer, as SQL.
 */
function ownedBy(student: string, path: string, classIds: readonly number[]): [string, number[]] {
  return [
    `EXISTS (SELECT 1 FROM class_enrollments cb_c JOIN class_assignments cb_a ON cb_a.class_id = cb_c.class_id WHERE cb_c.student_id = ${student} AND cb_a.notebook_path = ${path} AND cb_c.class_id IN (${placeholders(classIds)}) AND NOT EXISTS (` +
      `SELECT 1 FROM class_enrollments cb_c2 JOIN class_assignments cb_a2 ON cb_a2.class_id = cb_c2.class_id WHERE cb_c2.student_id = cb_c.student_id AND cb_a2.notebook_path = ${path} AND (cb_c2.enrolled_at < cb_c.enrolled_at OR (cb_c2.enrolled_at = cb_c.enrolled_at AND cb_c2.class_id < cb_c.class_id))))`,
    [...classIds],
  ];
}

export async function loadRetentionPolicy(db: Knex, options: { now: Date; globalDays: number }): Promise<RetentionPolicy> {
  const days = (value: number) => (value > 0 ? value : FOREVER);
  const global = days(options.globalDays);
  const cutoff = (d: number) => new Date(options.now.getTime() - d * DAY_MS);
  const rows: Array<{ id: number; retention_days: number | string | null }> = await db('classes').select('id', 'retention_days');
  const classDays = new Map(rows.map((r) => [Number(r.id), r.retention_days === null ? global : days(Number(r.retention_days))]));
  const idsWith = (test: (d: number) => boolean) => [...classDays].filter(([, d]) => test(d)).map(([id]) => id);

  const finite = [...new Set([global, ...classDays.values()])].filter((d) => d !== FOREVER).sort((a, b) => a - b);
  const groups: RowGroup[] = finite.map((d) => {
    const same = idsWith((x) => x === d);
    return {
      days: d,
      cutoff: cutoff(d),
      rowsOf(q, table) {
        const student = studentOf(table);
        const parts: Array<[string, number[]]> = [];
        const path = table.notebookPath;
        if (same.length > 0) {
          const home = homeClassIn(student, same);
          if (path) {
            parts.push(ownedBy(student, path, same));
            parts.push([`(NOT ${claimed(student, path)} AND ${home[0]})`, home[1]]);
          } else parts.push(home);
        }
        if (d === global) parts.push([`NOT EXISTS (SELECT 1 FROM class_enrollments cb_n WHERE cb_n.student_id = ${student})`, []]);
        if (parts.length === 0) q.whereRaw('1 = 0');
        else q.whereRaw(`(${parts.map((p) => p[0]).join(' OR ')})`, parts.flatMap((p) => p[1]));
      },
    };
  });

  const inEffect = [...new Set([global, ...classDays.values()])];
  const finiteInEffect = inEffect.filter((d) => d !== FOREVER);
  return {
    rows: groups,
    classes: finite.map((d) => ({ days: d, cutoff: cutoff(d), classIds: idsWith((x) => x === d) })).filter((g) => g.classIds.length > 0),
    unenrolled: global === FOREVER ? undefined : cutoff(global),
    shortest: finiteInEffect.length > 0 ? cutoff(Math.min(...finiteInEffect)) : undefined,
    longest: finiteInEffect.length === inEffect.length ? cutoff(Math.max(...finiteInEffect)) : undefined,
    async strictestByUser() {
      const out = new Map<string, Date>();
      const shortest = new Map<string, number>();
      for (const r of await db('students as s').leftJoin('class_enrollments as e', 'e.student_id', 's.id').select('s.user_id', 'e.class_id')) {
        const d = r.class_id === null ? global : classDays.get(Number(r.class_id)) ?? global;
        shortest.set(r.user_id, Math.min(shortest.get(r.user_id) ?? FOREVER, d));
      }
      for (const [user, d] of shortest) if (d !== FOREVER) out.set(user, cutoff(d));
      return out;
    },
  };
}
