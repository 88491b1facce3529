/**
 * What the persister derives from events, in order: each projection lives in the folder that owns
 * its tables (persist/projection.ts says what a projection is). The error logs come after the cell
 * facts, whose row ids they refer to; the cell progress and error groups after the rows they sum.
 */
import { cellFactsProjection } from '../activity/cellFacts.ts';
import { cellProgressProjection } from '../activity/cellProgress.ts';
import { errorGroupsProjection } from '../activity/errorGroups.ts';
import { errorLogsProjection } from '../activity/errorLogs.ts';
import { environmentsProjection } from '../environment/store.ts';
import { helpRequestsProjection } from '../help/helpProjection.ts';
import { snapshotsProjection } from '../history/snapshotProjection.ts';
import { connectionTestsProjection } from '../operations/connectionTests.ts';
import { createEventWriter, type WriteEvents } from '../persist/writeEvents.ts';
import { upsertSeenStudents } from '../students/store.ts';
import { selfReportedProjection } from '../v1/selfReported.ts';

/** `legacyClassCode`: LEGACY_CLASS_CODE, the class self-reported (v1) students join. */
export function createEventStore(options: { legacyClassCode?: string } = {}): WriteEvents {
  return createEventWriter({
    identify: upsertSeenStudents,
    projections: [
      connectionTestsProjection,
      environmentsProjection,
      snapshotsProjection,
      selfReportedProjection(options.legacyClassCode),
      cellFactsProjection,
      cellProgressProjection,
      errorLogsProjection,
      errorGroupsProjection,
      helpRequestsProjection,
    ],
  });
}
