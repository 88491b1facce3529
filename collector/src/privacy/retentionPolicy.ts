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
 * The class boundary's part of it, as SQL, is the classes folder's (classes/retentionScopes.ts).
 */
import type { Knex } from 'knex';
import { claimed, classRetentionDays, homeClassIn, inNoClass, ownedBy, withEnrolledClasses } from '../classes/retentionScopes.ts';
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

/** The student id of a row: its `student_id`, or the student of its `user_id`. */
function studentOf(table: PersonalTable): string {
  return table.key === 'student_id' ? `${table.table}.student_id` : `(SELECT cb_s.id FROM ${STUDENTS.table} cb_s WHERE cb_s.user_id = ${table.table}.user_id)`;
}

export async function loadRetentionPolicy(db: Knex, options: { now: Date; globalDays: number }): Promise<RetentionPolicy> {
  const days = (value: number) => (value > 0 ? value : FOREVER);
  const global = days(options.globalDays);
  const cutoff = (d: number) => new Date(options.now.getTime() - d * DAY_MS);
  const rows = await classRetentionDays(db);
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
        if (d === global) parts.push(inNoClass(student));
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
      for (const r of await withEnrolledClasses(db(`${STUDENTS.table} as s`).select('s.user_id'), 's.id')) {
        const d = r.class_id === null ? global : classDays.get(Number(r.class_id)) ?? global;
        shortest.set(r.user_id, Math.min(shortest.get(r.user_id) ?? FOREVER, d));
      }
      for (const [user, d] of shortest) if (d !== FOREVER) out.set(user, cutoff(d));
      return out;
    },
  };
}
