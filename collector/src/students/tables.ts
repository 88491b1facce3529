/**
 * The tables students owns: the student's own row (`students`, by user name: the parent every
 * `student_id` points at, so the erasure deletes it last; the sweep takes it once she is in no
 * class, was last seen before the global cutoff and no row refers to her) and her notifications
 * (old when created_at < the cutoff).
 */
import type { OwnedTable } from '../db/ownedTables.ts';

export const TABLES: readonly OwnedTable[] = [
  {
    table: 'students', owner: 'students', role: 'student',
    personal: { key: 'user_id', pk: 'id', kept: 'swept apart (privacy/retention.ts): once she is in no class, was last seen before the global cutoff and nothing refers to her' },
  },
  { table: 'student_notifications', owner: 'students', refersTo: ['students'], personal: { key: 'student_id', pk: 'id', time: 'student_notifications.created_at', json: ['payload'] } },
];
