/** The tables instructors owns: accounts and their status history (instructors' data, no student's). */
import type { OwnedTable } from '../db/ownedTables.ts';

export const TABLES: readonly OwnedTable[] = [
  { table: 'instructors', owner: 'instructors' },
  { table: 'instructor_status_history', owner: 'instructors', refersTo: ['instructors'] },
];
