import type { Knex } from 'knex';
import { EVENT_TYPES, type CellEvent } from '@cell-monitor/shared';
import { iso } from '../db/rows.ts';
import type { GatedProjection, ProjectionBatch } from '../persist/projection.ts';
import { continuesAnsweredEpisode, isHelpHeartbeat, type LatestHelpRequest } from '../v1/helpHeartbeat.ts';

/** The student's latest request at or before the event (on its notebook, or on none): what a v1 heartbeat continues. */
async function latestRequest(trx: Knex.Transaction, studentId: number, event: CellEvent): Promise<LatestHelpRequest | undefined> {
  const row: { requested_at: string | Date; resolved_at: unknown; cancelled_at: unknown } | undefined = await trx('help_requests')
    .where({ student_id: studentId })
    .where('requested_at', '<=', event.eventTime)
    .modify((q) => (event.notebookPath ? q.where((w) => w.where('notebook_path', event.notebookPath!).orWhereNull('notebook_path')) : q))
    .orderBy([{ column: 'requested_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .first('requested_at', 'resolved_at', 'cancelled_at');
  return row && { requestedAt: iso(row.requested_at)!, resolved: row.resolved_at !== null, cancelled: row.cancelled_at !== null };
}

/**
 * help_request opens a request, help_cancel closes the student's open ones (on that notebook when it
 * names one), in event-time order. A second request while one is open on the same notebook is the
 * same request (a reloaded page that lost its button state, a v1 client's heartbeat), not a new one
 * in the queue; a v1 heartbeat after a resolve does not reopen it either (v1/helpHeartbeat.ts).
 */
async function writeHelpRequests({ trx, events, studentId }: ProjectionBatch): Promise<void> {
  const help = events
    .filter((e) => e.eventType === EVENT_TYPES.helpRequest || e.eventType === EVENT_TYPES.helpCancel)
    .sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0));
  for (const e of help) {
    const student = studentId.get(e.userId)!;
    const open = trx('help_requests').where({ student_id: student }).whereNull('resolved_at').whereNull('cancelled_at');
    if (e.notebookPath) open.where((q) => q.where({ notebook_path: e.notebookPath }).orWhereNull('notebook_path'));
    if (e.eventType === EVENT_TYPES.helpCancel) {
      await open.update({ cancelled_at: e.eventTime });
    } else if (!(await open.clone().first('id')) && !(isHelpHeartbeat(e) && (await continuesAnsweredEpisode(trx, e, await latestRequest(trx, student, e))))) {
      await trx('help_requests').insert({
        event_id: e.eventId,
        student_id: student,
        notebook_path: e.notebookPath ?? null,
        cell_id: e.cellId ?? null,
        cell_index: e.cellIndex ?? null,
        requested_at: e.eventTime,
      });
    }
  }
}

export const helpRequestsProjection: GatedProjection = {
  kind: 'gated',
  name: 'help_requests',
  accepts: (e) => e.eventType === EVENT_TYPES.helpRequest || e.eventType === EVENT_TYPES.helpCancel,
  write: writeHelpRequests,
};
