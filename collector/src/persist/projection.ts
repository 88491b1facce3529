/**
 * A projection: one feature's rows derived from events, written in the transaction of the batch
 * that admitted them. The persister knows no feature; the pipeline composes the projections
 * (pipeline/projections.ts), each living in its feature's folder beside the tables it owns.
 *
 * - `gated` projections see only the events the `events` insert admitted (new ones): a resend or a
 *   second collector racing on the same entry writes nothing twice. They run in the composed order;
 *   one may leave row ids for those after it in `refs` (the cell facts for the error logs).
 * - `own` projections take events that never enter the `events` table (connection tests, kernel
 *   environments) and store them idempotently themselves.
 */
import type { Knex } from 'knex';
import type { CellEvent } from '@cell-monitor/shared';

/** Row ids an event refers to, once the cell-facts projection wrote them (null before, or when none). */
export interface EventRefs {
  notebook(event: CellEvent): number | null;
  cell(event: CellEvent): number | null;
  session(event: CellEvent): number | null;
}

export const NO_REFS: EventRefs = { notebook: () => null, cell: () => null, session: () => null };

export interface ProjectionBatch {
  trx: Knex.Transaction;
  /** The new events of the batch this projection accepts, in batch order. */
  events: CellEvent[];
  /** students.id of every user id among the new events (the writer's `identify` upserted them). */
  studentId: ReadonlyMap<string, number>;
  refs: EventRefs;
}

export interface GatedProjection {
  kind: 'gated';
  /** The tables it writes (logs, docs). */
  name: string;
  accepts(event: CellEvent): boolean;
  /** Writes its rows; may return the refs the projections after it read. */
  write(batch: ProjectionBatch): Promise<EventRefs | void>;
}

export interface OwnTableProjection {
  kind: 'own';
  name: string;
  accepts(event: CellEvent): boolean;
  write(trx: Knex.Transaction, events: CellEvent[]): Promise<void>;
}

export type Projection = GatedProjection | OwnTableProjection;

/** Upserts the students of a batch's new events (last seen = their latest event); their row ids by user id. */
export type IdentifyStudents = (trx: Knex.Transaction, events: CellEvent[]) => Promise<Map<string, number>>;
