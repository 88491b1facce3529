/**
 * The error-log projection: one `error_logs` row per event that carries an error, with its masked
 * signature (errorSignature.ts; the error clusters group by it). Runs after the cell facts
 * (cellFacts.ts), whose row ids it refers to.
 */
import type { Columns } from '../db/insertRecordset.ts';
import type { GatedProjection } from '../persist/projection.ts';
import { insertFacts } from './cellFacts.ts';
import { errorSignature } from './errorSignature.ts';

const COLUMNS: Columns = {
  event_id: 'text', student_id: 'integer', notebook_id: 'integer', cell_id: 'integer', error_name: 'text', error_message: 'text',
  signature: 'text', cell_index: 'integer', traceback: 'text', occurred_at: 'timestamptz',
};

export const errorLogsProjection: GatedProjection = {
  kind: 'gated',
  name: 'error_logs',
  accepts: (e) => Boolean(e.error),
  async write(batch) {
    const { studentId, refs } = batch;
    const rows = batch.events.map((e) => ({
      event_id: e.eventId,
      student_id: studentId.get(e.userId)!,
      notebook_id: refs.notebook(e),
      cell_id: refs.cell(e),
      error_name: e.error!.name,
      error_message: e.error!.message,
      signature: errorSignature(e.error!.name, e.error!.message),
      cell_index: e.cellIndex ?? null,
      traceback: e.error!.traceback ?? null,
      occurred_at: e.eventTime,
    }));
    await insertFacts(batch, 'error_logs', COLUMNS, rows);
  },
};
