/**
 * Students who enrol themselves: a v1 client's self-report under LEGACY_CLASS_CODE
 * (v1/selfReported.ts decides who and with what). The class's rules for such an enrolment:
 *
 * - a student not yet in the class is enrolled from her first event in the batch (so the class
 *   shows that event; never later than now), with the name and email she gave as the class's own;
 * - an enrolment keeps its display name and email; the self-report fills them only while empty;
 * - the team is the class's team of the reported name (created if new) and becomes the enrolment's
 *   while it has no team or still has the one a self-report set (`self_reported_team_id`): a team
 *   set from the roster or the dashboard is kept.
 *
 * A few queries per batch, whatever the number of students: updates only where something changes.
 */
import type { Knex } from 'knex';
import { now } from '../db/rows.ts';

/** One self-enrolling student, as v1/selfReported.ts reads her batch. */
export interface SelfEnrolment {
  studentId: number;
  name: string | null;
  email: string | null;
  team?: string;
  /** Her first event's time in the batch (ISO 8601 UTC). */
  firstSeen?: string;
}

/** The earlier of two ISO 8601 UTC times (an event may be stamped a little ahead of this clock). */
const earlier = (a: string | undefined, b: string) => (a !== undefined && a < b ? a : b);

/** The id of the class with this class code, or undefined. */
export async function classIdByCode(db: Knex | Knex.Transaction, classCode: string): Promise<number | undefined> {
  const row: { id: number } | undefined = await db('classes').where({ class_code: classCode }).first('id');
  return row?.id;
}

export async function enrolSelfReported(trx: Knex.Transaction, classId: number, students: SelfEnrolment[]): Promise<void> {
  const ids = students.map((s) => s.studentId);
  const of = new Map(students.map((s) => [s.studentId, s]));
  // Read before inserting: an insert that hits its conflict still takes a sequence number on PostgreSQL.
  const enrolledRows: Array<{ student_id: number; team_id: number | null; self_reported_team_id: number | null; display_name: string | null; email: string | null }> = await trx('class_enrollments')
    .where({ class_id: classId })
    .whereIn('student_id', ids)
    .select('student_id', 'team_id', 'self_reported_team_id', 'display_name', 'email');
  const enrolled = new Map(enrolledRows.map((r) => [Number(r.student_id), r]));
  const nameOf = (id: number) => of.get(id)!.name;
  const emailOf = (id: number) => of.get(id)!.email;
  const newcomers = ids.filter((id) => !enrolled.has(id));
  if (newcomers.length > 0) {
    await trx('class_enrollments')
      .insert(newcomers.map((student_id) => ({ class_id: classId, student_id, enrolled_at: earlier(of.get(student_id)!.firstSeen, now()), display_name: nameOf(student_id), email: emailOf(student_id) })))
      .onConflict(['class_id', 'student_id'])
      .ignore();
    for (const id of newcomers) enrolled.set(id, { student_id: id, team_id: null, self_reported_team_id: null, display_name: nameOf(id), email: emailOf(id) });
  }
  for (const row of enrolledRows) {
    const id = Number(row.student_id);
    const name = row.display_name === null ? nameOf(id) : null;
    const email = row.email === null ? emailOf(id) : null;
    if (name !== null) await trx('class_enrollments').where({ class_id: classId, student_id: id }).whereNull('display_name').update({ display_name: name });
    if (email !== null) await trx('class_enrollments').where({ class_id: classId, student_id: id }).whereNull('email').update({ email });
  }

  const teams = [...new Set(students.map((s) => s.team).filter((t): t is string => t !== undefined))].sort();
  if (teams.length === 0) return;
  const teamId = new Map<string, number>();
  const readTeams = async () => {
    for (const t of await trx('class_teams').where({ class_id: classId }).whereIn('name', teams).select('id', 'name')) teamId.set(t.name, Number(t.id));
  };
  await readTeams();
  const missing = teams.filter((t) => !teamId.has(t));
  if (missing.length > 0) {
    await trx('class_teams').insert(missing.map((name) => ({ class_id: classId, name, created_at: now() }))).onConflict(['class_id', 'name']).ignore();
    await readTeams();
  }
  for (const row of enrolled.values()) {
    const team = of.get(Number(row.student_id))!.team;
    const id = team === undefined ? undefined : teamId.get(team);
    if (id === undefined || row.team_id === id) continue;
    // Only a team nobody set, or the one the student's last self-report set, is the student's to change.
    if (row.team_id !== null && row.team_id !== row.self_reported_team_id) continue;
    await trx('class_enrollments').where({ class_id: classId, student_id: row.student_id }).update({ team_id: id, self_reported_team_id: id });
  }
}
