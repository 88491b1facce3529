/**
 * Whose status (and status history) an instructor may see — decided by the classes they teach
 * together, so it lives with `class_teachers` and is handed to instructors/ as a capability: their own, their co-teachers' — anyone who
 * teaches a class with them (`class_teachers`) — and, for an admin, everyone. Another instructor of
 * the deployment is not there at all (404, and no status_update on `/instructor/ws`).
 */
import type { Knex } from 'knex';
import type { Authenticated } from '../auth/tokens.ts';

/** Ids of the instructors who teach at least one class with `instructorId`, as a subquery. */
export function coTeacherIds(db: Knex, instructorId: number): Knex.QueryBuilder {
  return db('class_teachers as mine')
    .join('class_teachers as theirs', 'theirs.class_id', 'mine.class_id')
    .where('mine.instructor_id', instructorId)
    .distinct('theirs.instructor_id');
}

export async function maySeeInstructor(db: Knex, who: Authenticated, instructorId: number): Promise<boolean> {
  if (who.instructor.role === 'admin' || who.instructor.id === instructorId) return true;
  const row = await coTeacherIds(db, who.instructor.id).where('theirs.instructor_id', instructorId).first();
  return row !== undefined;
}
