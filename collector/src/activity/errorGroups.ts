/**
 * The error-group projection: per student, notebook, cell, error name and signature, per UTC day,
 * one `error_groups` row — how many errors, the newest one's id (the highest) and time, the
 * earliest time — kept as errors are persisted (after the error logs, errorLogs.ts, in the batch's
 * transaction: one INSERT … SELECT over the batch's new error rows, counts added on conflict), so
 * the error clusters read groups, not errors (progressReads.ts `errorClusterSums`). Arrival order does
 * not matter: counts add up, times and ids keep the extremes. No notebook or cell is 0.
 */
import type { Knex } from 'knex';
import { isPostgres, writeTransaction } from '../db/createDb.ts';
import type { GatedProjection } from '../persist/projection.ts';

const COLUMNS = 'student_id, notebook_id, cell_id, error_name, signature, raw_message, day, n, latest_id, latest_at, first_at, cell_index, cell_key';
const KEY = 'day, student_id, notebook_id, cell_id, error_name, signature, raw_message';

/** The grouping SELECT over `error_logs e` (legacy rows without a signature: by their message's first 500 characters). */
function groupedErrors(pg: boolean, where: string): string {
  const day = pg ? `to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')` : 'substr(e.occurred_at, 1, 10)';
  const keys = `e.student_id, COALESCE(e.notebook_id, 0), COALESCE(e.cell_id, 0), e.error_name, COALESCE(e.signature, ''),
                CASE WHEN e.signature IS NULL THEN substr(e.error_message, 1, 500) ELSE '' END, ${day}`;
  return `SELECT ${keys}, COUNT(*), MAX(e.id), MAX(e.occurred_at), MIN(e.occurred_at), MAX(e.cell_index), MAX(c.cell_id)
            FROM error_logs e LEFT JOIN cells c ON c.id = e.cell_id WHERE ${where} GROUP BY ${keys}`;
}

async function addGroups(trx: Knex.Transaction, where: string, bindings: string[]): Promise<void> {
  const pg = isPostgres(trx);
  const higher = pg ? 'GREATEST(error_groups.cell_index, excluded.cell_index)' : 'MAX(COALESCE(error_groups.cell_index, excluded.cell_index), COALESCE(excluded.cell_index, error_groups.cell_index))';
  const greatest = pg ? 'GREATEST' : 'MAX';
  const least = pg ? 'LEAST' : 'MIN';
  await trx.raw(
    `INSERT INTO error_groups (${COLUMNS}) ${groupedErrors(pg, where)}
     ON CONFLICT (${KEY}) DO UPDATE SET
       n = error_groups.n + excluded.n,
       latest_id = ${greatest}(error_groups.latest_id, excluded.latest_id),
       latest_at = ${greatest}(error_groups.latest_at, excluded.latest_at),
       first_at = ${least}(error_groups.first_at, excluded.first_at),
       cell_index = ${higher}`,
    bindings,
  );
}

/**
 * After the retention sweep: the groups of days before `before`'s (UTC) day that still exist are
 * counted again from the errors left (the sweep deleted some of their errors, or all: no row).
 */
export async function rederiveErrorGroups(db: Knex, before: Date): Promise<number> {
  const day = before.toISOString().slice(0, 10);
  const next = new Date(Date.parse(day) + 86_400_000).toISOString();
  return writeTransaction(db, async (trx) => {
    const n = await trx('error_groups').where('day', '<=', day).delete();
    await addGroups(trx, 'e.occurred_at < ?', [next]);
    return n;
  });
}

export const errorGroupsProjection: GatedProjection = {
  kind: 'gated',
  name: 'error_groups',
  accepts: (e) => Boolean(e.error),
  async write(batch) {
    const ids = batch.events.map((e) => e.eventId);
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await addGroups(batch.trx, `e.event_id IN (${chunk.map(() => '?').join(', ')})`, chunk);
    }
  },
};
