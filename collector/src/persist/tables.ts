/**
 * The table persist owns: `events`, every accepted event once (writeEvents.ts, the idempotency
 * gate). A student's events are hers by user name; retention ages them by the event's own time and
 * applies the class rule through the event's notebook path (db/ownedTables.ts says what each field means).
 */
import type { OwnedTable } from '../db/ownedTables.ts';

export const TABLES: readonly OwnedTable[] = [
  { table: 'events', owner: 'persist', personal: { key: 'user_id', pk: 'id', time: 'events.event_time', notebookPath: 'events.notebook_path', notebookByPath: true, json: ['payload'] } },
];
