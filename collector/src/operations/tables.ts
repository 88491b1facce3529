/**
 * The table operations owns: `connection_tests`, a student's "Check connection" probes by user
 * name; old when stored_at < the cutoff (the ingest path also drops them after 10 minutes).
 */
import type { OwnedTable } from '../db/ownedTables.ts';

export const TABLES: readonly OwnedTable[] = [
  { table: 'connection_tests', owner: 'operations', personal: { key: 'user_id', pk: 'event_id', time: 'connection_tests.stored_at' } },
];
