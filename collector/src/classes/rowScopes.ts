/**
 * The class boundary (classBoundary.ts) as scopes for the reads of other owners: a read of student
 * rows (activity/reads.ts), of events (persist/eventReads.ts) or of environments hands its query and
 * its columns to the scope, which adds the boundary's joins and conditions — so the owner of the
 * rows never names the enrolment tables, and this folder never names theirs. `undefined` for a
 * reach of null (an admin: everything).
 */
import type { Knex } from 'knex';
import { joinStudentsByUser } from '../students/studentQueries.ts';
import { visibleSince, withinClasses, type BoundaryColumns, type ClassesFor } from './classBoundary.ts';

/** A scope over rows keyed by student id. */
export type StudentRowScope = (query: Knex.QueryBuilder, columns: BoundaryColumns) => void;

/** A scope over rows keyed by Jupyter user name (events, environments): the student is joined as `s`. */
export type UserRowScope = (query: Knex.QueryBuilder, columns: { user: string; time: string; notebookPath?: string }) => void;

/** Rows of students that `reach` shows (withinClasses: one correlated EXISTS per row). */
export function studentRowsIn(db: Knex, reach: ClassesFor | null): StudentRowScope | undefined {
  return reach ? (query, columns) => void query.where(withinClasses(db, reach, columns)) : undefined;
}

/** Rows of users that `reach` shows: joins the students table as `s` on the user name, then withinClasses. */
export function userRowsIn(db: Knex, reach: ClassesFor | null): UserRowScope | undefined {
  if (!reach) return undefined;
  return (query, columns) => {
    joinStudentsByUser(query, 's', columns.user).where(withinClasses(db, reach, { student: 's.id', time: columns.time, notebookPath: columns.notebookPath }));
  };
}

/**
 * Rows on ONE notebook that `reach` shows, by joining visibleSince (the rule evaluated once per
 * enrolment, not per row: the per-cell progress reads 240,000 runs of one notebook).
 */
export function rowsOfNotebookIn(db: Knex, reach: ClassesFor | null, notebookPath: string): StudentRowScope | undefined {
  return reach ? (query, columns) => void query.join(visibleSince(db, reach, notebookPath).as('vs'), 'vs.student_id', columns.student).whereRaw(`${columns.time} >= vs.since`) : undefined;
}
