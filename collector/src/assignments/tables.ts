/**
 * The tables assignments owns: a class's assignments (configuration, kept) and the hand-ins, by
 * student id; a hand-in is old when submitted_at < the cutoff of its assignment's class.
 */
import type { OwnedTable } from '../db/ownedTables.ts';

export const TABLES: readonly OwnedTable[] = [
  { table: 'class_assignments', owner: 'assignments', refersTo: ['classes'] },
  {
    table: 'assignment_submissions', owner: 'assignments', refersTo: ['class_assignments', 'students', 'instructors'],
    personal: {
      key: 'student_id', pk: 'id', time: 'assignment_submissions.submitted_at', json: ['notebook_content'],
      byClass: '(SELECT ca.class_id FROM class_assignments ca WHERE ca.id = assignment_submissions.assignment_id)',
    },
  },
];
