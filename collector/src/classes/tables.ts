/**
 * The tables classes owns: classes and their configuration. Kept by retention (configuration, not
 * activity), except a class's broadcasts (old when sent_at < the class's cutoff). Enrolments name a
 * student by id (exported and erased with her; kept while she is in the class); seat maps name her
 * inside their JSON placements (her seat is exported and removed on erasure; the map is kept).
 */
import type { EmbeddedPersonal, OwnedTable } from '../db/ownedTables.ts';

type Placement = { kind: string; key: string; x: number; y: number };

/** A seat map's placements: hers (a student placement keyed by her user id) as `seat` records, and the others. */
const seatsOf: EmbeddedPersonal['split'] = (value, userId, classId) => {
  const all = value as Placement[];
  const mine = all.filter((p) => p.kind === 'student' && p.key === userId);
  return { mine: mine.map((p) => ({ kind: 'seat', classId, x: p.x, y: p.y })), rest: all.filter((p) => !mine.includes(p)) };
};

export const TABLES: readonly OwnedTable[] = [
  { table: 'classes', owner: 'classes' },
  { table: 'class_teachers', owner: 'classes', refersTo: ['classes', 'instructors'] },
  { table: 'class_teams', owner: 'classes', refersTo: ['classes'] },
  {
    table: 'class_enrollments', owner: 'classes', refersTo: ['classes', 'students', 'class_teams'],
    personal: { key: 'student_id', pk: 'id', kept: 'membership in a class is configuration; it goes when she leaves the class or is erased' },
  },
  {
    table: 'class_seat_maps', owner: 'classes', refersTo: ['classes', 'instructors'],
    embedded: { column: 'placements', pk: 'class_id', how: 'her seat (JSON keyed by user id): exported and removed on erasure; seat maps are kept', split: seatsOf },
  },
  { table: 'class_broadcasts', owner: 'classes', refersTo: ['classes', 'instructors'], classRetention: { pk: 'id', time: 'class_broadcasts.sent_at', classId: 'class_broadcasts.class_id' } },
];
