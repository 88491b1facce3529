/**
 * The demo's rows: seeded before the collector starts (`seedDemo`), removed for good by
 * `removeDemo` — each demo student through the erasure every student gets (privacy/studentData.ts
 * eraseStudent: every table, the buffer, the streams), then the demo class, then the demo instructor.
 * Each table is written through its owner's functions; this module names none.
 */
import type { Knex } from 'knex';
import { DEMO_ACCOUNT } from '@cell-monitor/shared';
import { enrol } from '../classes/enrolments.ts';
import { createClass, deleteClass, demoClassIds, markDemoClass } from '../classes/store.ts';
import { createInstructor, deleteInstructor, findByEmail } from '../instructors/store.ts';
import { eraseStudent, type ErasureCounts, type Transports } from '../privacy/studentData.ts';
import { ensureStudent } from '../students/store.ts';
import { DEMO_CLASS, DEMO_STUDENTS } from './demoRoster.ts';

/** How far back the demo students' enrolment is dated: late-arriving work (catching up) stays in the class. */
const ENROLLED_BEFORE_MS = 24 * 3_600_000;

export class DemoAccountTakenError extends Error {}

/** The demo instructor, class and students (made once; a second run reuses them): the class id. */
export async function seedDemo(db: Knex): Promise<number> {
  const existing = await demoClassIds(db);
  let instructor = await findByEmail(db, DEMO_ACCOUNT.email);
  if (instructor && existing.length === 0) throw new DemoAccountTakenError(`an instructor ${DEMO_ACCOUNT.email} already exists and is not the demo's`);
  instructor ??= await createInstructor(db, { email: DEMO_ACCOUNT.email, name: DEMO_ACCOUNT.name, password: DEMO_ACCOUNT.password, role: 'instructor' });
  if (existing.length > 0) return existing[0];
  const classId = await createClass(db, { ...DEMO_CLASS }, instructor.id);
  for (const student of DEMO_STUDENTS) {
    const row = await ensureStudent(db, student.userId, { name: student.name });
    await enrol(db, { classId, studentId: row.id, displayName: student.name, email: null });
  }
  await markDemoClass(db, classId, new Date(Date.now() - ENROLLED_BEFORE_MS));
  return classId;
}

export interface DemoRemoval {
  classes: number;
  students: number;
  instructor: boolean;
  rows: ErasureCounts;
}

/** Removes every demo class, each demo student everywhere, and the demo instructor. */
export async function removeDemo(db: Knex, transports: Transports = {}): Promise<DemoRemoval> {
  const classIds = await demoClassIds(db);
  const rows: ErasureCounts = {};
  let students = 0;
  // The roster's own names (all `demo-…`): a real student enrolled in the demo class by hand is left alone.
  for (const { userId } of DEMO_STUDENTS) {
    const counts = await eraseStudent(db, userId, transports);
    if (Object.values(counts).some((n) => n > 0)) students += 1;
    for (const [table, n] of Object.entries(counts)) rows[table] = (rows[table] ?? 0) + n;
  }
  for (const classId of classIds) await deleteClass(db, classId);
  const instructor = await findByEmail(db, DEMO_ACCOUNT.email);
  const removed = instructor ? await deleteInstructor(db, instructor.id) : false;
  return { classes: classIds.length, students, instructor: removed, rows };
}
