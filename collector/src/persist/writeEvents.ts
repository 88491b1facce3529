/**
 * The idempotency gate: a batch is stored in one transaction and the events that were new are
 * returned. The `events` insert (unique on eventId) decides what is new; everything derived from an
 * event — the students' last-seen, cell facts, error logs, help requests, v1 self-reports — is a
 * projection (projection.ts) written only for events the gate admitted, so a resend or a second
 * collector racing on the same entry writes nothing twice. Events some projection owns outright
 * (connection tests, kernel environments) never enter `events`: that projection stores them.
 * This module knows no feature: the pipeline hands it `identify` and the projections.
 */
import type { Knex } from 'knex';
import type { CellEvent } from '@cell-monitor/shared';
import { isPostgres } from '../db/createDb.ts';
import { CHUNK, insertRecordsetJson, type Columns } from '../db/insertRecordset.ts';
import { eventRow, eventRowsJson, withoutNul } from './eventRows.ts';
import { NO_REFS, type GatedProjection, type IdentifyStudents, type OwnTableProjection, type Projection } from './projection.ts';

const EVENT_COLUMNS: Columns = {
  event_id: 'text', event_type: 'text', event_time: 'timestamptz', user_id: 'text', session_id: 'text',
  notebook_path: 'text', cell_id: 'text', payload: 'jsonb',
};

export interface EventWriterParts {
  identify: IdentifyStudents;
  /** Run in this order (a gated projection may read the refs of one before it). */
  projections: Projection[];
}

export type WriteEvents = (db: Knex, batch: CellEvent[]) => Promise<CellEvent[]>;

export function createEventWriter(parts: EventWriterParts): WriteEvents {
  const own = parts.projections.filter((p): p is OwnTableProjection => p.kind === 'own');
  const gated = parts.projections.filter((p): p is GatedProjection => p.kind === 'gated');
  return async (db, batch) => {
    if (batch.length === 0) return [];
    const taken = new Map<OwnTableProjection, CellEvent[]>();
    const events: CellEvent[] = [];
    for (const event of batch.map(withoutNul)) {
      const owner = own.find((p) => p.accepts(event));
      if (owner) taken.set(owner, [...(taken.get(owner) ?? []), event]);
      else events.push(event);
    }
    const pg = isPostgres(db);
    return db.transaction(async (trx) => {
      for (const [projection, mine] of taken) await projection.write(trx, mine);
      const insertedIds = new Set<string>();
      for (let i = 0; i < events.length; i += CHUNK) {
        const chunk = events.slice(i, i + CHUNK);
        const returned: { event_id: string }[] = pg
          ? await insertRecordsetJson(trx, 'events', EVENT_COLUMNS, eventRowsJson(chunk), 'ON CONFLICT (event_id) DO NOTHING RETURNING event_id')
          : await trx('events').insert(chunk.map(eventRow)).onConflict('event_id').ignore().returning('event_id');
        for (const r of returned) insertedIds.add(r.event_id);
      }
      const fresh = events.filter((e) => insertedIds.delete(e.eventId)); // delete: a duplicate inside one batch counts once
      if (fresh.length === 0) return fresh;
      const studentId = await parts.identify(trx, fresh);
      let refs = NO_REFS;
      for (const projection of gated) {
        const mine = fresh.filter((e) => projection.accepts(e));
        if (mine.length === 0) continue;
        refs = (await projection.write({ trx, events: mine, studentId, refs })) ?? refs;
      }
      return fresh;
    });
  };
}
