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
 *   the enrolment's display name and email (the class's own, classes/enrolments.ts) taken from the
 *   self-report while it has none; the team is the class's team of that name (created if new) and
 *   becomes the enrollment's team while that has no team or still has the one a self-report set
 *   (`self_reported_team_id`). A team set from the roster or the dashboard is kept. No class of
 *   that code: nothing is enrolled.
 *
 * The owners write their tables: students/studentQueries.ts `fillMissingContact`, and
 * classes/selfEnrolment.ts the enrolment and team. A few queries per batch, whatever the number of
 * students: updates only where something changes.
 */
import type { Knex } from 'knex';
import { isSelfReportedUser, SELF_REPORTED_PREFIX, SELF_REPORTED_MAX_CHARS, type CellEvent, type SelfReported } from '@cell-monitor/shared';
import { enrolSelfReported, classIdByCode } from '../classes/selfEnrolment.ts';
import { latestBy } from '../persist/eventRows.ts';
import type { GatedProjection } from '../persist/projection.ts';
import { fillMissingContact } from '../students/studentQueries.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type SelfReport = SelfReported;

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
  await fillMissingContact(trx, new Map([...reports].map(([user, report]) => [studentId.get(user)!, { name: report.name, email: addressOf(user) }])));

  if (!classCode) return;
  const classId = await classIdByCode(trx, classCode);
  if (classId === undefined) return;
  // A student joins with her first event: the class shows her from it on (classes/classBoundary.ts).
  const firstSeen = new Map<string, string>();
  for (const e of events) if (reports.has(e.userId) && !(firstSeen.get(e.userId)! <= e.eventTime)) firstSeen.set(e.userId, e.eventTime);
  await enrolSelfReported(
    trx,
    classId,
    [...reports].map(([user, report]) => ({ studentId: studentId.get(user)!, name: report.name ?? null, email: addressOf(user) ?? null, team: report.team, firstSeen: firstSeen.get(user) })),
  );
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
