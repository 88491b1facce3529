/**
 * More of what other folders ask of the students table (store.ts has the rows, the sighting upsert
 * and `joinStudents`): the join by user name for rows keyed by it (events, environments), a student
 * by user name, the students list, and the global name and email filled where a student has none.
 */
import type { Knex } from 'knex';
import type { StudentRow } from './store.ts';

const CHUNK = 500;

/** Joins the students table as `alias` on `alias.user_id = userIdColumn`: `query.modify(joinStudentsByUser, 's', 'ev.user_id')`. */
export function joinStudentsByUser(query: Knex.QueryBuilder, alias: string, userIdColumn: string): Knex.QueryBuilder {
  return query.join(`students as ${alias}`, `${alias}.user_id`, userIdColumn);
}

/** The student of a Jupyter user name with her global name, or undefined when she was never seen. */
export async function studentByUserId(db: Knex, userId: string): Promise<Pick<StudentRow, 'user_id' | 'name'> | undefined> {
  return db('students').where({ user_id: userId }).first('user_id', 'name');
}

/** The students (whole rows, as `s`) whose ids every one of `among` (subqueries of ids) holds: a query to page by `s.id`. */
export function studentsAmong(db: Knex, among: Knex.QueryBuilder[]): Knex.QueryBuilder {
  return db('students as s')
    .select('s.*')
    .modify((q) => {
      for (const ids of among) q.whereIn('s.id', ids);
    });
}

/**
 * Sets a student's global name and email from `contacts` (by row id) only where she has none: a
 * name or email already stored (a roster's, the first sighting's) is never overwritten. A few
 * queries per 500 students: updates only where something is missing.
 */
export async function fillMissingContact(trx: Knex.Transaction, contacts: ReadonlyMap<number, { name?: string; email?: string }>): Promise<void> {
  const ids = [...contacts.keys()];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const bare: Array<{ id: number; name: string | null; email: string | null }> = await trx('students')
      .whereIn('id', ids.slice(i, i + CHUNK))
      .where((q) => q.whereNull('name').orWhereNull('email'))
      .select('id', 'name', 'email');
    for (const row of bare) {
      const contact = contacts.get(row.id)!;
      const name = row.name === null ? contact.name : undefined;
      const email = row.email === null ? contact.email : undefined;
      if (name !== undefined) await trx('students').where({ id: row.id }).whereNull('name').update({ name });
      if (email !== undefined) await trx('students').where({ id: row.id }).whereNull('email').update({ email });
    }
  }
}
