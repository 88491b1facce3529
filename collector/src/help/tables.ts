/**
 * The table help owns: `help_requests`, by student id; a request is old once it was resolved (else
 * cancelled) before the cutoff — open ones stay — and follows the class rule of its notebook.
 */
import type { OwnedTable } from '../db/ownedTables.ts';

export const TABLES: readonly OwnedTable[] = [
  {
    table: 'help_requests', owner: 'help', refersTo: ['students', 'instructors'],
    personal: { key: 'student_id', pk: 'id', time: 'COALESCE(help_requests.resolved_at, help_requests.cancelled_at)', notebookPath: 'help_requests.notebook_path' },
  },
];
