/**
 * Who teaches a class (class_teachers): owners and co-teachers, with the name and email of each
 * (instructors/store.ts). A class keeps at least one owner.
 */
import type { Knex } from 'knex';
import { writeTransaction } from '../db/createDb.ts';
import { now } from '../db/rows.ts';
import { joinInstructors } from '../instructors/store.ts';
import type { TeacherRole } from './classAccess.ts';

export interface TeacherRow {
  instructor_id: number;
  role: string;
  added_at: string | Date;
  name: string;
  email: string;
}

/** The class's teachers in the order they were added. */
export async function listTeachers(db: Knex, classId: number): Promise<TeacherRow[]> {
  return db('class_teachers as t')
    .modify(joinInstructors, 'i', 't.instructor_id')
    .where('t.class_id', classId)
    .select('t.instructor_id', 't.role', 't.added_at', 'i.name', 'i.email')
    .orderBy('t.id');
}

/** Adds a teacher; a unique violation (she already teaches the class) is the caller's to answer. */
export async function addTeacher(db: Knex | Knex.Transaction, classId: number, instructorId: number, role: TeacherRole): Promise<void> {
  await db('class_teachers').insert({ class_id: classId, instructor_id: instructorId, role, added_at: now() });
}

/** Removes a teacher unless she is not one, or is the class's last owner (then nothing changes). */
export async function removeTeacher(db: Knex, classId: number, instructorId: number): Promise<'removed' | 'not_teacher' | 'last_owner'> {
  return writeTransaction(db, async (trx) => {
    const row = await trx('class_teachers').where({ class_id: classId, instructor_id: instructorId }).first();
    if (!row) return 'not_teacher';
    const owners = await trx('class_teachers').where({ class_id: classId, role: 'owner' }).count({ n: '*' });
    if (row.role === 'owner' && Number(owners[0].n) <= 1) return 'last_owner';
    await trx('class_teachers').where({ id: row.id }).delete();
    return 'removed';
  });
}
