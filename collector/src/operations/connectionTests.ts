/**
 * Connection checks (seed: the extension's "test connection"): they travel through buffer and stream
 * like any event and land in their own table, which `GET /api/v1/test/events/:id` reads.
 */
import type { Knex } from 'knex';
import { EVENT_TYPES, type CellEvent } from '@cell-monitor/shared';
import type { OwnTableProjection } from '../persist/projection.ts';

/** Test events are kept 10 minutes: older ones go as new ones arrive. */
export const CONNECTION_TEST_KEEP_MS = 10 * 60_000;

async function writeConnectionTests(trx: Knex.Transaction, tests: CellEvent[]): Promise<void> {
  const storedAt = new Date().toISOString();
  await trx('connection_tests')
    .insert(tests.map((e) => ({ event_id: e.eventId, user_id: e.userId, sent_at: e.eventTime, stored_at: storedAt })))
    .onConflict('event_id')
    .ignore();
  await trx('connection_tests').where('stored_at', '<', new Date(Date.now() - CONNECTION_TEST_KEEP_MS).toISOString()).delete();
}

export const connectionTestsProjection: OwnTableProjection = {
  kind: 'own',
  name: 'connection_tests',
  accepts: (e) => e.eventType === EVENT_TYPES.connectionTest,
  write: writeConnectionTests,
};

/** The stamped student's stored test event, if any (a student reads only her own). */
export function findConnectionTest(db: Knex, eventId: string, userId: string): Promise<{ event_id: string; sent_at: string | Date; stored_at: string | Date } | undefined> {
  return db('connection_tests').where({ event_id: eventId, user_id: userId }).first();
}
