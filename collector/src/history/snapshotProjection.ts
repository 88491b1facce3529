/**
 * The notebook-snapshot projection (own-table: a snapshot never enters `events`, whose payload
 * would keep every save's full text): each `notebook_snapshot` event becomes one version row, its
 * cells as rows pointing at content-addressed blobs (each distinct source or outputs text stored
 * once, across versions and students: blobs.ts). Idempotent on the event id: the version insert
 * (`ON CONFLICT (event_id) DO NOTHING`) decides what is new, so a resent event, or two collectors
 * racing on the same entry (the second waits on the first's unique-key lock, then inserts nothing),
 * stores nothing twice. Both engines.
 *
 * A payload that is not a snapshot was refused at ingest with its reason (ingest/companionEvent.ts,
 * `invalid_snapshot`); one that reaches here all the same (written before that check) is skipped,
 * never thrown: a throw would retry and then dead-letter the whole batch for it.
 */
import type { Knex } from 'knex';
import { checkNotebookSnapshot, EVENT_TYPES, type CellEvent, type CheckedSnapshot } from '@cell-monitor/shared';
import { ensureNotebookIds } from '../activity/notebooks.ts';
import { isPostgres } from '../db/createDb.ts';
import { CHUNK, insertRecordset, type Columns } from '../db/insertRecordset.ts';
import type { OwnTableProjection } from '../persist/projection.ts';
import { upsertSeenStudents } from '../students/store.ts';
import { contentHash, storeBlobs } from './blobs.ts';

const CELL_COLUMNS: Columns = {
  version_id: 'integer', position: 'integer', student_id: 'integer', cell_id: 'text', cell_type: 'text', source_hash: 'text', output_hash: 'text',
};

interface Snapshot {
  event: CellEvent;
  snapshot: CheckedSnapshot;
}

export async function writeSnapshots(trx: Knex.Transaction, events: CellEvent[]): Promise<void> {
  const valid: Snapshot[] = [];
  for (const event of events) {
    const checked = checkNotebookSnapshot(event.metadata);
    if (checked.ok && event.notebookPath) valid.push({ event, snapshot: checked.snapshot });
  }
  if (valid.length === 0) return;
  // A save is activity: the student is created on first sight like any event's (students/store.ts).
  const studentId = await upsertSeenStudents(trx, valid.map((v) => v.event));
  const notebookId = await ensureNotebookIds(trx, valid.map((v) => v.event.notebookPath!));
  const versionRows = valid.map(({ event, snapshot }) => ({
    event_id: event.eventId,
    student_id: studentId.get(event.userId)!,
    notebook_id: notebookId.get(event.notebookPath!)!,
    trigger: snapshot.trigger,
    saved_at: event.eventTime,
    cell_count: snapshot.cells.length,
    truncated: snapshot.truncated,
    total_cells: snapshot.totalCells,
    total_bytes: snapshot.totalBytes,
  }));
  // The idempotency gate of this projection: only the events whose version row is new go on.
  const inserted: Array<{ id: number; event_id: string }> = [];
  for (let i = 0; i < versionRows.length; i += CHUNK) {
    inserted.push(...(await trx('history_versions').insert(versionRows.slice(i, i + CHUNK)).onConflict('event_id').ignore().returning(['id', 'event_id'])));
  }
  const versionOf = new Map(inserted.map((r) => [r.event_id, Number(r.id)]));
  const fresh: Array<Snapshot & { versionId: number }> = [];
  for (const v of valid) {
    const versionId = versionOf.get(v.event.eventId);
    if (versionId === undefined) continue;
    versionOf.delete(v.event.eventId); // a duplicate inside one batch counts once
    fresh.push({ ...v, versionId });
  }
  if (fresh.length === 0) return;

  await storeVersionCells(trx, fresh.map(({ event, snapshot, versionId }) => ({ versionId, studentId: studentId.get(event.userId)!, cells: snapshot.cells })));
  // A snapshot taken when the student handed the notebook in is labelled so (its commit).
  const handedIn = fresh.filter((v) => v.snapshot.trigger === 'submission');
  if (handedIn.length > 0) {
    await trx('history_commits').insert(handedIn.map(({ event, versionId }) => ({ version_id: versionId, student_id: studentId.get(event.userId)!, message: 'handed in', kind: 'submission', made_by: null, created_at: event.eventTime })));
  }
}

/** The cells of new versions: their texts as blobs (each once), then a row per cell pointing at them. */
export async function storeVersionCells(trx: Knex.Transaction, versions: Array<{ versionId: number; studentId: number; cells: CheckedSnapshot['cells'] }>): Promise<void> {
  const blobs = new Map<string, string>();
  const hashOf = (text: string) => {
    const hash = contentHash(text);
    blobs.set(hash, text);
    return hash;
  };
  const cellRows = versions.flatMap(({ versionId, studentId, cells }) => cells.map((cell, position) => ({
    version_id: versionId,
    position,
    student_id: studentId,
    cell_id: cell.id,
    cell_type: cell.type,
    source_hash: hashOf(cell.source),
    output_hash: cell.outputs === null ? null : hashOf(cell.outputs),
  })));
  await storeBlobs(trx, blobs);
  const pg = isPostgres(trx);
  for (let i = 0; i < cellRows.length; i += CHUNK) {
    const chunk = cellRows.slice(i, i + CHUNK);
    if (pg) await insertRecordset(trx, 'history_version_cells', CELL_COLUMNS, chunk);
    else await trx('history_version_cells').insert(chunk);
  }
}

/** Snapshots are stored as versions of the student's notebook (content-addressed), never as events. */
export const snapshotsProjection: OwnTableProjection = {
  kind: 'own',
  name: 'history_versions, history_version_cells, history_blobs',
  accepts: (event) => event.eventType === EVENT_TYPES.notebookSnapshot,
  write: writeSnapshots,
};
