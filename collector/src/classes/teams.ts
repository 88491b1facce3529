/**
 * A class's teams (class_teams): named groups inside one class, created by name as a roster or a
 * roster line names them. Deleting a team leaves its members in the class, without a team.
 */
import type { Knex } from 'knex';
import type { TeamView } from '@cell-monitor/shared';
import { writeTransaction } from '../db/createDb.ts';
import { insertedId, now } from '../db/rows.ts';
import { errors } from '../http/errors.ts';
import { joinStudents } from '../students/store.ts';

export async function readTeams(db: Knex, classId: number): Promise<TeamView[]> {
  const teams: Array<{ id: number; name: string }> = await db('class_teams').where({ class_id: classId }).select('id', 'name');
  const members: Array<{ team_id: number; user_id: string }> = await db('class_enrollments as e').modify(joinStudents, 's', 'e.student_id').where('e.class_id', classId).whereNotNull('e.team_id').select('e.team_id', 's.user_id');
  return teams
    .map((t) => ({ id: t.id, name: t.name, members: members.filter((m) => m.team_id === t.id).map((m) => m.user_id).sort() }))
    .sort((a, b) => a.name.localeCompare(b.name, 'ja', { numeric: true }));
}

/** The class's teams by name. */
export async function teamIdsByName(db: Knex, classId: number): Promise<Map<string, number>> {
  const rows: Array<{ id: number; name: string }> = await db('class_teams').where({ class_id: classId }).select('id', 'name');
  return new Map(rows.map((t) => [t.name, t.id]));
}

/** A new team: its id (a name the class already has fails with a unique violation). */
export async function createTeam(db: Knex | Knex.Transaction, classId: number, name: string, createdAt = now()): Promise<number> {
  const [row] = await db('class_teams').insert({ class_id: classId, name, created_at: createdAt }).returning('id');
  return insertedId(row);
}

/** The id of the class's team of that name, created if new. */
export async function teamIdFor(trx: Knex.Transaction, classId: number, name: string): Promise<number> {
  const existing = await trx('class_teams').where({ class_id: classId, name }).first('id');
  if (existing) return existing.id;
  return createTeam(trx, classId, name);
}

/** Renames a team: false when the class has no such team (a taken name fails with a unique violation). */
export async function renameTeam(db: Knex, classId: number, id: number, name: string): Promise<boolean> {
  return (await db('class_teams').where({ id, class_id: classId }).update({ name })) > 0;
}

/** Deletes a team, its members staying in the class without one; the 404 `team_not_found` when the class has no such team. */
export async function deleteTeam(db: Knex, classId: number, id: number): Promise<void> {
  await writeTransaction(db, async (trx) => {
    await trx('class_enrollments').where({ class_id: classId, team_id: id }).update({ team_id: null });
    const removed = await trx('class_teams').where({ id, class_id: classId }).delete();
    if (!removed) throw errors.notFound('team');
  });
}
