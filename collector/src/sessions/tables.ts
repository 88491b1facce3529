/**
 * The tables sessions owns (issue 22; db/ownedTables.ts says what each field means): a class's
 * timetable and the meetings chosen by hand. Configuration of a class, like its settings: no
 * student data, kept by retention, deleted with the class.
 *
 * | table           | holds                                                      |
 * |-----------------|------------------------------------------------------------|
 * | class_schedules | one row per class: time zone and weekly slots (JSON)        |
 * | class_sessions  | manual meetings: class, [start_at, end_at), title, who made it |
 */
import type { OwnedTable } from '../db/ownedTables.ts';

export const TABLES: readonly OwnedTable[] = [
  { table: 'class_schedules', owner: 'sessions', refersTo: ['classes', 'instructors'] },
  { table: 'class_sessions', owner: 'sessions', refersTo: ['classes', 'instructors'] },
];
