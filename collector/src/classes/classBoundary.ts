/**
 * The class boundary (DESIGN decision 13): which of a student's stored data a class shows. One rule,
 * used by every read that an instructor's class scope reaches (board, progress, clusters, timeline,
 * events, environments, help requests) and by the per-class settings (capture policy, retention):
 *
 * | a row of student S, at time T, on notebook P            | is part of class C when            |
 * |----------------------------------------------------------|------------------------------------|
 * | S is not enrolled in C                                   | never                              |
 * | T is before S's enrolment in C (`enrolled_at`)           | never                              |
 * | P is an assignment notebook of C, and of no class S      | yes                                |
 * |   joined before C                                        |                                    |
 * | P is also an assignment of a class S joined earlier      | no: the first claimer keeps it     |
 * | P is an assignment notebook of another class S is in,    | no: it belongs to that class       |
 * |   and not of C                                           |                                    |
 * | P is no assignment of any of S's classes, or there is no | yes, in each of S's classes        |
 * |   notebook (sessions, environments)                      |   (from each one's enrolment on)   |
 *
 * So an instructor who enrols a student who is also in someone else's class sees nothing from
 * before the enrolment and nothing of the other class's assignment notebooks, ever — not even by
 * creating an assignment of the same path (one file on her server is one class's work: the class
 * she joined first). An instructor's view of a student is the union of the classes they teach that
 * she is in. `ownerClassOf` names the class that owns a path for her (capture policy, retention).
 *
 * Her **home class** is the class of her earliest current enrolment (ties: the lower class id). Facts
 * that cannot be split by notebook after the fact (what her extension captures on a notebook no class
 * claims, how long such rows are kept) follow the home class, so a class that enrols her later
 * cannot change them. Times are compared as stored: ISO 8601 strings on SQLite, timestamptz on
 * PostgreSQL (both written by db/rows.ts `now()` and the normalised `eventTime`).
 */
import type { Knex } from 'knex';
import { joinStudents } from '../students/store.ts';

/** Which classes a read is for: one class, or every class an instructor teaches. */
export type ClassesFor = { classId: number } | { instructorId: number };

export interface BoundaryColumns {
  /** The row's student id column, e.g. `ce.student_id`. */
  student: string;
  /** The row's time column, e.g. `ce.executed_at`. */
  time: string;
  /** The row's notebook path (a column or a joined `n.path`); omit for rows without a notebook. */
  notebookPath?: string;
}

function classIdsOf(db: Knex, classes: ClassesFor): Knex.QueryBuilder | number[] {
  if ('classId' in classes) return [classes.classId];
  return db('class_teachers').select('class_id').where({ instructor_id: classes.instructorId });
}

/**
 * Restricts a query over student rows to the part the given classes show (the table above), as one
 * correlated EXISTS that both engines plan on the enrolment and assignment indexes:
 * `query.where(withinClasses(db, { classId }, { student: 'ce.student_id', time: 'ce.executed_at', notebookPath: 'n.path' }))`.
 */
export function withinClasses(db: Knex, classes: ClassesFor, columns: BoundaryColumns) {
  return function (this: Knex.QueryBuilder) {
    this.whereExists(function () {
      this.select(db.raw('1'))
        .from('class_enrollments as cb_e')
        .whereRaw('cb_e.student_id = ??', [columns.student])
        .whereIn('cb_e.class_id', classIdsOf(db, classes))
        .whereRaw('?? >= cb_e.enrolled_at', [columns.time]);
      const path = columns.notebookPath;
      if (path) {
        this.where((q) => {
          q.whereRaw('?? IS NULL', [path])
            .orWhere((own) => {
              own
                .whereRaw('?? IN (SELECT cb_a.notebook_path FROM class_assignments cb_a WHERE cb_a.class_id = cb_e.class_id)', [path])
                .whereRaw(
                  `NOT EXISTS (SELECT 1 FROM class_assignments cb_f JOIN class_enrollments cb_fe ON cb_fe.class_id = cb_f.class_id
                     WHERE cb_fe.student_id = cb_e.student_id AND cb_f.notebook_path = ?? AND cb_fe.class_id <> cb_e.class_id
                       AND (cb_fe.enrolled_at < cb_e.enrolled_at OR (cb_fe.enrolled_at = cb_e.enrolled_at AND cb_fe.class_id < cb_e.class_id)))`,
                  [path],
                );
            })
            .orWhereRaw(
              '?? NOT IN (SELECT cb_o.notebook_path FROM class_assignments cb_o JOIN class_enrollments cb_oe ON cb_oe.class_id = cb_o.class_id WHERE cb_oe.student_id = cb_e.student_id)',
              [path],
            );
        });
      }
    });
  };
}

/**
 * The same rule for rows on ONE known notebook (or on none: `notebookPath` null), as a small derived
 * table `(student_id, since)`: a row of that student on that notebook is part of the classes when
 * its time is at or after `since`. Joined instead of `withinClasses` when a query reads many rows of
 * one notebook (the per-cell progress), so the rule is evaluated once per enrolment, not per row:
 * `query.join(visibleSince(db, { classId }, path).as('vs'), 'vs.student_id', 'x.student_id').whereRaw('x.executed_at >= vs.since')`.
 */
export function visibleSince(db: Knex, classes: ClassesFor, notebookPath: string | null): Knex.QueryBuilder {
  return db('class_enrollments as vs_e')
    .whereIn('vs_e.class_id', classIdsOf(db, classes))
    .modify((q) => {
      if (notebookPath === null) return;
      q.where((w) => {
        w.where((own) => {
          own
            .whereRaw('? IN (SELECT vs_a.notebook_path FROM class_assignments vs_a WHERE vs_a.class_id = vs_e.class_id)', [notebookPath])
            .whereRaw(
              `NOT EXISTS (SELECT 1 FROM class_assignments vs_f JOIN class_enrollments vs_fe ON vs_fe.class_id = vs_f.class_id
                 WHERE vs_fe.student_id = vs_e.student_id AND vs_f.notebook_path = ? AND vs_fe.class_id <> vs_e.class_id
                   AND (vs_fe.enrolled_at < vs_e.enrolled_at OR (vs_fe.enrolled_at = vs_e.enrolled_at AND vs_fe.class_id < vs_e.class_id)))`,
              [notebookPath],
            );
        }).orWhereRaw(
          '? NOT IN (SELECT vs_o.notebook_path FROM class_assignments vs_o JOIN class_enrollments vs_oe ON vs_oe.class_id = vs_o.class_id WHERE vs_oe.student_id = vs_e.student_id)',
          [notebookPath],
        );
      });
    })
    .groupBy('vs_e.student_id')
    .select('vs_e.student_id')
    .min({ since: 'vs_e.enrolled_at' });
}

/** The class of a student's earliest current enrolment (ties: lower class id), or undefined. */
export async function homeClassOf(db: Knex | Knex.Transaction, studentId: number): Promise<number | undefined> {
  const row = await db('class_enrollments').where({ student_id: studentId }).orderBy([{ column: 'enrolled_at' }, { column: 'class_id' }]).first('class_id');
  return row ? Number(row.class_id) : undefined;
}

/**
 * The rule's inputs held in memory, for the live board (fed per persisted batch: no query per
 * event). `classesShowing` answers the table above for one row, exactly as `withinClasses` does.
 */
export interface BoundarySnapshot {
  /** Per Jupyter user name: the classes she is in and since when (epoch ms). */
  enrolments: Map<string, Array<{ classId: number; enrolledAt: number }>>;
  /** Per class: its assignment notebook paths. */
  assignments: Map<number, Set<string>>;
}

export async function loadBoundarySnapshot(db: Knex): Promise<BoundarySnapshot> {
  const enrolled: Array<{ user_id: string; class_id: number | string; enrolled_at: string | Date }> = await db('class_enrollments as e').modify(joinStudents, 's', 'e.student_id').select('s.user_id', 'e.class_id', 'e.enrolled_at');
  const assignments = await assignedPaths(db);
  const enrolments = new Map<string, Array<{ classId: number; enrolledAt: number }>>();
  for (const r of enrolled) {
    const at = r.enrolled_at instanceof Date ? r.enrolled_at.getTime() : Date.parse(String(r.enrolled_at));
    enrolments.set(r.user_id, [...(enrolments.get(r.user_id) ?? []), { classId: Number(r.class_id), enrolledAt: at }]);
  }
  return { enrolments, assignments };
}

/** The assignment notebook paths per class, of the given classes (default: every class). */
export async function assignedPaths(db: Knex, classIds?: number[]): Promise<Map<number, Set<string>>> {
  const assigned: Array<{ class_id: number | string; notebook_path: string }> = await db('class_assignments')
    .modify((q) => (classIds ? q.whereIn('class_id', classIds) : q))
    .select('class_id', 'notebook_path');
  const assignments = new Map<number, Set<string>>();
  for (const r of assigned) {
    const id = Number(r.class_id);
    if (!assignments.has(id)) assignments.set(id, new Set());
    assignments.get(id)!.add(r.notebook_path);
  }
  return assignments;
}

/** The classes that show a row of `userId` at `time` (epoch ms) on `notebookPath` (the table above). */
export function classesShowing(snapshot: BoundarySnapshot, userId: string, time: number, notebookPath: string | null | undefined): number[] {
  const mine = snapshot.enrolments.get(userId);
  if (!mine) return [];
  const visible = mine.filter((e) => time >= e.enrolledAt);
  if (notebookPath === null || notebookPath === undefined) return visible.map((e) => e.classId);
  const owner = firstClaimer(mine, snapshot.assignments, notebookPath);
  return owner === undefined ? visible.map((e) => e.classId) : visible.filter((e) => e.classId === owner).map((e) => e.classId);
}

/** Of her enrolments, the class joined first (ties: lower id) that has `path` as an assignment. */
export function firstClaimer(enrolments: Array<{ classId: number; enrolledAt: number }>, assignments: Map<number, Set<string>>, path: string): number | undefined {
  let owner: { classId: number; enrolledAt: number } | undefined;
  for (const e of enrolments) {
    if (!assignments.get(e.classId)?.has(path)) continue;
    if (!owner || e.enrolledAt < owner.enrolledAt || (e.enrolledAt === owner.enrolledAt && e.classId < owner.classId)) owner = e;
  }
  return owner?.classId;
}

/**
 * The class whose settings govern a student's rows on `notebookPath`: the first class she joined that
 * has it as an assignment, else (no class claims it, or no notebook) her home class; undefined when
 * she is in no class.
 */
export async function ownerClassOf(db: Knex | Knex.Transaction, studentId: number, notebookPath: string | null | undefined): Promise<number | undefined> {
  const rows: Array<{ class_id: number | string; enrolled_at: string | Date }> = await db('class_enrollments').where({ student_id: studentId }).select('class_id', 'enrolled_at');
  const enrolments = rows.map((r) => ({ classId: Number(r.class_id), enrolledAt: r.enrolled_at instanceof Date ? r.enrolled_at.getTime() : Date.parse(String(r.enrolled_at)) }));
  if (enrolments.length === 0) return undefined;
  if (notebookPath) {
    const claims: Array<{ class_id: number | string }> = await db('class_assignments').whereIn('class_id', enrolments.map((e) => e.classId)).where({ notebook_path: notebookPath }).select('class_id');
    const assignments = new Map(claims.map((c) => [Number(c.class_id), new Set([notebookPath])]));
    const owner = firstClaimer(enrolments, assignments, notebookPath);
    if (owner !== undefined) return owner;
  }
  return homeClassOf(db, studentId);
}
