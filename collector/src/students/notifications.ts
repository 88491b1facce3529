/**
 * What a student reads back through her companion (`GET /api/v1/student/notifications`): grades,
 * answered help requests, broadcasts. `notify` (one student) and `notifyMany` (a class) write them all.
 */
import type { Knex } from 'knex';
import type { StudentNotification } from '@cell-monitor/shared';
import { insertedId, json } from '../db/rows.ts';

export async function notify(db: Knex, studentId: number, type: string, payload: Record<string, unknown>): Promise<{ id: number }> {
  const [row] = await db('student_notifications')
    .insert({ student_id: studentId, type, payload: JSON.stringify(payload), created_at: new Date().toISOString() })
    .returning('id');
  return { id: insertedId(row) };
}

/**
 * The same notification to many students at once (a class broadcast), 500 rows an insert. Given the
 * caller's transaction, every student gets it exactly once with the row that announces it.
 */
export async function notifyMany(db: Knex | Knex.Transaction, studentIds: number[], type: string, payload: Record<string, unknown>, createdAt: string): Promise<void> {
  const text = JSON.stringify(payload);
  for (let i = 0; i < studentIds.length; i += 500) {
    await db('student_notifications').insert(studentIds.slice(i, i + 500).map((studentId) => ({ student_id: studentId, type, payload: text, created_at: createdAt })));
  }
}

/**
 * Her notifications after an id, oldest first (at most 100). The payload is what the notifier
 * stored: grading (assignments/submissionRoutes.ts), a resolved help request (help/helpStore.ts) or
 * a class broadcast (classes/classroomRoutes.ts).
 */
export async function notificationsAfter(db: Knex, studentId: number, after: number): Promise<StudentNotification[]> {
  const rows = await db('student_notifications').where('student_id', studentId).andWhere('id', '>', after).orderBy('id').limit(100);
  return rows.map((r) => ({ id: Number(r.id), type: r.type, ...(json(r.payload) as object) }) as StudentNotification);
}
