/**
 * What a v1 client reports about its student (`metadata.selfReported`: userName, teamName; see
 * shared/legacyEvent.ts), written in the events' transaction for the events it inserted. Only for
 * self-reported students: user ids in the `v1:` namespace, which only an event the collector marked
 * as a v1 client's has (persist/sources/eventSource.ts checks the mark against the user id), never a
 * credentialed student. The rules:
 *
 * - `students.name` from the name only while the student has none: a roster name is never
 *   overwritten (and a roster import later replaces a self-reported one); `students.email` from
 *   the user id (the v1 emailAddress) likewise.
 * - With LEGACY_CLASS_CODE naming a class (this collector's configuration, the same on every
 *   collector of a deployment; never a field of the event): the student is enrolled in it if not yet,
 *   from the time of her first event in the batch that enrolls her (so the class shows that event),
 *   the enrolment's display name and email (the class's own, lms/enrolments.ts) taken from the
 *   self-report while it has none; the team is the class's team of that name (created if new) and
 *   becomes the enrollment's team while that has no team or still has the one a self-report set
 *   (`self_reported_team_id`). A team set from the roster or the dashboard is kept. No class of
 *   that code: nothing is enrolled.
 *
 * A few queries per batch, whatever the number of students: updates only where something changes.
 */
import type { Knex } from 'knex';
import { isSelfReportedUser, SELF_REPORTED_PREFIX, SELF_REPORTED_MAX_CHARS, type CellEvent, type SelfReported } from '@cell-monitor/shared';
import { now } from '../db/rows.ts';
import { latestBy } from '../persist/eventRows.ts';
import type { GatedProjection } from '../persist/projection.ts';

const CHUNK = 500;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type SelfReport = SelfReported;

/** The earlier of two ISO 8601 UTC times (an event may be stamped a little ahead of this clock). */
const earlier = (a: string | undefined, b: string) => (a !== undefined && a < b ? a : b);

/** The email a self-reported user id (`v1:<email>`) names, when it is one. */
function addressOf(user: string): string | undefined {
  const address = user.slice(SELF_REPORTED_PREFIX.length);
  return EMAIL.test(address) ? address : undefined;
}

function selfReportOf(event: CellEvent): SelfReport | undefined {
  if (!isSelfReportedUser(event.userId)) return undefined;
  const report = event.metadata?.selfReported as SelfReported | undefined;
  const clip = (text: unknown) => (typeof text === 'string' && text.trim() ? [...text.trim()].slice(0, SELF_REPORTED_MAX_CHARS).join('') : undefined);
  return { name: clip(report?.name), team: clip(report?.team) };
}

/** `classCode`: LEGACY_CLASS_CODE of the collector persisting the events (unset: no class is joined). */
export async function writeSelfReported(trx: Knex.Transaction, events: CellEvent[], studentId: ReadonlyMap<string, number>, classCode?: string): Promise<void> {
  const reports = latestBy(events.filter((e) => selfReportOf(e)), (e) => e.userId, (e) => selfReportOf(e)!);
  if (reports.size === 0) return;
  const ids = [...reports.keys()].map((user) => studentId.get(user)!);
  const userOf = new Map([...reports.keys()].map((user) => [studentId.get(user)!, user]));

  for (let i = 0; i < ids.length; i += CHUNK) {
    const bare: Array<{ id: number; name: string | null; email: string | null }> = await trx('students')
      .whereIn('id', ids.slice(i, i + CHUNK))
      .where((q) => q.whereNull('name').orWhereNull('email'))
      .select('id', 'name', 'email');
    for (const row of bare) {
      const user = userOf.get(row.id)!;
      const name = row.name === null ? reports.get(user)!.name : undefined;
      const address = addressOf(user);
      const email = row.email === null ? address : undefined;
      if (name !== undefined) await trx('students').where({ id: row.id }).whereNull('name').update({ name });
      if (email !== undefined) await trx('students').where({ id: row.id }).whereNull('email').update({ email });
    }
  }

  if (!classCode) return;
  // A student joins with her first event: the class shows her from it on (lms/classBoundary.ts).
  const firstSeen = new Map<string, string>();
  for (const e of events) if (reports.has(e.userId) && !(firstSeen.get(e.userId)! <= e.eventTime)) firstSeen.set(e.userId, e.eventTime);
  await enrollSelfReported(trx, classCode, reports, studentId, firstSeen);
}

async function enrollSelfReported(trx: Knex.Transaction, classCode: string, reports: Map<string, SelfReport>, studentId: ReadonlyMap<string, number>, firstSeen: Map<string, string>): Promise<void> {
  const cls: { id: number } | undefined = await trx('classes').where({ class_code: classCode }).first('id');
  if (!cls) return;
  const ids = [...reports.keys()].map((user) => studentId.get(user)!);
  const userOf = new Map([...reports.keys()].map((user) => [studentId.get(user)!, user]));
  // Read before inserting: an insert that hits its conflict still takes a sequence number on PostgreSQL.
  const enrolledRows: Array<{ student_id: number; team_id: number | null; self_reported_team_id: number | null; display_name: string | null; email: string | null }> = await trx('class_enrollments')
    .where({ class_id: cls.id })
    .whereIn('student_id', ids)
    .select('student_id', 'team_id', 'self_reported_team_id', 'display_name', 'email');
  const enrolled = new Map(enrolledRows.map((r) => [Number(r.student_id), r]));
  // The class's name and email of the student (per enrolment): the self-report's only while it has none.
  const nameOf = (id: number) => reports.get(userOf.get(id)!)!.name ?? null;
  const emailOf = (id: number) => addressOf(userOf.get(id)!) ?? null;
  const newcomers = ids.filter((id) => !enrolled.has(id));
  if (newcomers.length > 0) {
    await trx('class_enrollments')
      .insert(newcomers.map((student_id) => ({ class_id: cls.id, student_id, enrolled_at: earlier(firstSeen.get(userOf.get(student_id)!), now()), display_name: nameOf(student_id), email: emailOf(student_id) })))
      .onConflict(['class_id', 'student_id'])
      .ignore();
    for (const id of newcomers) enrolled.set(id, { student_id: id, team_id: null, self_reported_team_id: null, display_name: nameOf(id), email: emailOf(id) });
  }
  for (const row of enrolledRows) {
    const id = Number(row.student_id);
    const name = row.display_name === null ? nameOf(id) : null;
    const email = row.email === null ? emailOf(id) : null;
    if (name !== null) await trx('class_enrollments').where({ class_id: cls.id, student_id: id }).whereNull('display_name').update({ display_name: name });
    if (email !== null) await trx('class_enrollments').where({ class_id: cls.id, student_id: id }).whereNull('email').update({ email });
  }

  const teams = [...new Set([...reports.values()].map((r) => r.team).filter((t): t is string => t !== undefined))].sort();
  if (teams.length === 0) return;
  const teamId = new Map<string, number>();
  const readTeams = async () => {
    for (const t of await trx('class_teams').where({ class_id: cls.id }).whereIn('name', teams).select('id', 'name')) teamId.set(t.name, Number(t.id));
  };
  await readTeams();
  const missing = teams.filter((t) => !teamId.has(t));
  if (missing.length > 0) {
    await trx('class_teams').insert(missing.map((name) => ({ class_id: cls.id, name, created_at: now() }))).onConflict(['class_id', 'name']).ignore();
    await readTeams();
  }
  for (const row of enrolled.values()) {
    const team = reports.get(userOf.get(Number(row.student_id))!)!.team;
    const id = team === undefined ? undefined : teamId.get(team);
    if (id === undefined || row.team_id === id) continue;
    // Only a team nobody set, or the one the student's last self-report set, is the student's to change.
    if (row.team_id !== null && row.team_id !== row.self_reported_team_id) continue;
    await trx('class_enrollments').where({ class_id: cls.id, student_id: row.student_id }).update({ team_id: id, self_reported_team_id: id });
  }
}

/** The self-reported (v1) students' names, emails and LEGACY_CLASS_CODE enrolment, from their new events. */
export function selfReportedProjection(classCode: string | undefined): GatedProjection {
  return {
    kind: 'gated',
    name: 'students (self-reported names), class_enrollments, class_teams (LEGACY_CLASS_CODE)',
    accepts: (event) => isSelfReportedUser(event.userId),
    write: ({ trx, events, studentId }) => writeSelfReported(trx, events, studentId, classCode),
  };
}
