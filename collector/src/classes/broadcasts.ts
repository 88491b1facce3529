/**
 * A class broadcast ("10 minutes left"): one class_broadcasts row and one notification per enrolled
 * student (students/notifications.ts `notifyMany`), in one transaction, so every student gets it
 * exactly once.
 */
import type { Knex } from 'knex';
import type { BroadcastPayload, BroadcastView } from '@cell-monitor/shared';
import { writeTransaction } from '../db/createDb.ts';
import { insertedId, now } from '../db/rows.ts';
import { notifyMany } from '../students/notifications.ts';
import { enrolledStudentIds } from './enrolments.ts';

export async function sendBroadcast(db: Knex, cls: { id: number; name: string }, message: string, sender: { id: number; name: string }): Promise<BroadcastView> {
  const sentAt = now();
  return writeTransaction(db, async (trx) => {
    const students = await enrolledStudentIds(trx, cls.id);
    const [row] = await trx('class_broadcasts').insert({ class_id: cls.id, message, sent_by: sender.id, sent_at: sentAt, recipients: students.length }).returning('id');
    const id = insertedId(row);
    const payload = { broadcast_id: id, class_id: cls.id, class_name: cls.name, message, sent_by: sender.name, sent_at: sentAt } satisfies BroadcastPayload;
    await notifyMany(trx, students, 'broadcast', payload, sentAt);
    return { id, classId: cls.id, message, sentAt, sentBy: { id: sender.id, name: sender.name }, recipients: students.length } satisfies BroadcastView;
  });
}
