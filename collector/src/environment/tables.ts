/**
 * The table environment owns: `student_environments`, each distinct kernel environment a student
 * reported, by user name; old when last_seen_at < the cutoff.
 */
import type { OwnedTable } from '../db/ownedTables.ts';

export const TABLES: readonly OwnedTable[] = [
  { table: 'student_environments', owner: 'environment', personal: { key: 'user_id', pk: 'id', time: 'student_environments.last_seen_at' } },
];
