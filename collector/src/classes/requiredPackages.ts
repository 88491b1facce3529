/**
 * The packages a class requires of its students' environments (`classes.required_packages`, JSON
 * `[{ name, spec }]`): read and set for the environment routes, and the requirements of each class a
 * student is in (environment/environmentRoutes.ts checks her environment against them).
 */
import type { Knex } from 'knex';
import type { PackageRequirement } from '@cell-monitor/shared';
import { now } from '../db/rows.ts';
import { joinStudents } from '../students/store.ts';
import { taughtClassIds } from './classAccess.ts';

const parse = (text: string | null | undefined) => JSON.parse(text ?? '[]') as PackageRequirement[];

/** The packages the class requires (none set: an empty list). */
export async function classRequirements(db: Knex, classId: number): Promise<PackageRequirement[]> {
  const row = await db('classes').where({ id: classId }).first('required_packages');
  return parse(row?.required_packages);
}

export async function setClassRequirements(db: Knex, classId: number, packages: PackageRequirement[]): Promise<void> {
  await db('classes').where({ id: classId }).update({ required_packages: JSON.stringify(packages), updated_at: now() });
}

/** Each class the student (by user name) is in, with its requirements: of those an instructor teaches, when given. */
export async function requirementsOfStudentClasses(db: Knex, userId: string, taughtBy?: number): Promise<Array<{ id: number; name: string; requirements: PackageRequirement[] }>> {
  const classes: Array<{ id: number; name: string; required_packages: string }> = await db('class_enrollments as e')
    .modify(joinStudents, 's', 'e.student_id')
    .join('classes as c', 'c.id', 'e.class_id')
    .where('s.user_id', userId)
    .modify((q) => (taughtBy === undefined ? q : q.whereIn('c.id', taughtClassIds(db, taughtBy))))
    .select('c.id', 'c.name', 'c.required_packages');
  return classes.map((c) => ({ id: c.id, name: c.name, requirements: parse(c.required_packages) }));
}
