/**
 * Students' kernel environments: written by the persister from `kernel_environment` events (one row
 * per distinct environment per student: the same environment again only moves `last_seen_at`), read
 * by the environment routes. Both engines.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { EVENT_TYPES, type CellEvent, type EnvironmentSnapshot, type KernelEnvironment, type KernelEnvironmentMetadata } from '@cell-monitor/shared';
import type { OwnTableProjection } from '../persist/projection.ts';
import { iso } from '../db/rows.ts';
import type { ClassesFor } from '../classes/classBoundary.ts';
import { firstEnrolledAt } from '../classes/classReads.ts';
import { userRowsIn } from '../classes/rowScopes.ts';

const MAX_PACKAGES = 5_000;
/**
 * Distinct environments kept per student: a new one beyond this replaces the one seen longest ago
 * (24 made-up environments of 5,000 packages each grew the data directory by 72 MB).
 */
export const MAX_ENVIRONMENTS_PER_STUDENT = 10;

/** What a `kernel_environment` event reports, or null when it is not usable. */
export function reportedEnvironment(event: CellEvent): KernelEnvironment | null {
  // The payload as shared/kernelEnvironment.ts declares it, every field still checked: a body is untrusted.
  const env = (event.metadata as { [K in keyof KernelEnvironmentMetadata]?: { [F in keyof KernelEnvironment]?: unknown } } | undefined)?.environment;
  if (!env || typeof env !== 'object' || typeof env.python !== 'string') return null;
  const packages: Record<string, string> = {};
  if (env.packages && typeof env.packages === 'object') {
    for (const [name, version] of Object.entries(env.packages as Record<string, unknown>).slice(0, MAX_PACKAGES)) {
      if (typeof version === 'string' && name.length <= 200 && version.length <= 100) packages[name] = version;
    }
  }
  const text = (value: unknown, max: number) => (typeof value === 'string' ? value.slice(0, max) : '');
  return {
    python: env.python.slice(0, 32),
    implementation: text(env.implementation, 32),
    platform: text(env.platform, 255),
    kernelName: typeof env.kernelName === 'string' ? env.kernelName.slice(0, 255) : null,
    packages: Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b))),
  };
}

export async function writeEnvironments(trx: Knex.Transaction, events: CellEvent[]): Promise<void> {
  for (const event of events) {
    const env = reportedEnvironment(event);
    if (!env) continue;
    const hash = createHash('sha256').update(JSON.stringify([env.python, env.implementation, env.platform, env.packages])).digest('hex');
    const seen = event.eventTime;
    const existing = await trx('student_environments').where({ user_id: event.userId, hash }).first('id', 'first_seen_at', 'last_seen_at');
    if (existing) {
      const update: Record<string, string> = {};
      if (Date.parse(seen) > Date.parse(iso(existing.last_seen_at)!)) update.last_seen_at = seen;
      if (Date.parse(seen) < Date.parse(iso(existing.first_seen_at)!)) update.first_seen_at = seen;
      if (Object.keys(update).length) await trx('student_environments').where({ id: existing.id }).update(update);
      continue;
    }
    await trx('student_environments')
      .insert({ user_id: event.userId, hash, python: env.python, implementation: env.implementation, platform: env.platform, kernel_name: env.kernelName, package_count: Object.keys(env.packages).length, packages: JSON.stringify(env.packages), first_seen_at: seen, last_seen_at: seen })
      .onConflict(['user_id', 'hash'])
      .ignore();
    await dropOldestEnvironments(trx, event.userId);
  }
}

/** Keeps the student's MAX_ENVIRONMENTS_PER_STUDENT most recently seen environments. */
async function dropOldestEnvironments(trx: Knex.Transaction, userId: string): Promise<void> {
  const kept = trx('student_environments').where({ user_id: userId }).orderBy('last_seen_at', 'desc').orderBy('id', 'desc').limit(MAX_ENVIRONMENTS_PER_STUDENT).select('id');
  await trx('student_environments').where({ user_id: userId }).whereNotIn('id', kept).delete();
}

interface EnvironmentRow {
  id: number;
  user_id: string;
  python: string;
  implementation: string;
  platform: string;
  kernel_name: string | null;
  package_count: number;
  packages: string;
  first_seen_at: string | Date;
  last_seen_at: string | Date;
}

export function snapshotView(row: EnvironmentRow, withPackages: boolean): EnvironmentSnapshot {
  return {
    id: Number(row.id),
    userId: row.user_id,
    python: row.python,
    implementation: row.implementation,
    platform: row.platform,
    kernelName: row.kernel_name,
    packageCount: Number(row.package_count),
    firstSeenAt: iso(row.first_seen_at)!,
    lastSeenAt: iso(row.last_seen_at)!,
    ...(withPackages ? { packages: JSON.parse(row.packages) as Record<string, string> } : {}),
  };
}

/** Rows of the given students that `reach` shows (seen since enrolment), first-seen times clamped to the enrolment; null: all. */
async function environmentRows(db: Knex, userIds: string[], reach: ClassesFor | null): Promise<EnvironmentRow[]> {
  const rows: EnvironmentRow[] = await db('student_environments as se')
    .whereIn('se.user_id', userIds)
    .modify((q) => userRowsIn(db, reach)?.(q, { user: 'se.user_id', time: 'se.last_seen_at' }))
    .orderBy([{ column: 'se.last_seen_at', order: 'desc' }, { column: 'se.id', order: 'desc' }])
    .select('se.*');
  if (!reach || rows.length === 0) return rows;
  // An environment counts for a class only from enrolment on (classes/classBoundary.ts): a
  // snapshot first seen earlier shows as first seen then.
  const since = await firstEnrolledAt(db, userIds, reach);
  return rows.map((row) => {
    const from = since.get(row.user_id);
    return from && Date.parse(iso(row.first_seen_at)!) < Date.parse(from) ? { ...row, first_seen_at: from } : row;
  });
}

/** The environment each of these students' kernels reported last (as far as `reach` shows; null: all). */
export async function currentEnvironments(db: Knex, userIds: string[], reach: ClassesFor | null): Promise<Map<string, EnvironmentSnapshot>> {
  const current = new Map<string, EnvironmentSnapshot>();
  for (let i = 0; i < userIds.length; i += 500) {
    for (const row of await environmentRows(db, userIds.slice(i, i + 500), reach)) if (!current.has(row.user_id)) current.set(row.user_id, snapshotView(row, true));
  }
  return current;
}

/** Every distinct environment of the student, newest first (as far as `reach` shows; null: all). */
export async function snapshots(db: Knex, userId: string, reach: ClassesFor | null): Promise<EnvironmentRow[]> {
  return environmentRows(db, [userId], reach);
}

/** Kernel environments are stored per student (deduplicated by content), never as events. */
export const environmentsProjection: OwnTableProjection = {
  kind: 'own',
  name: 'student_environments',
  accepts: (event) => event.eventType === EVENT_TYPES.kernelEnvironment,
  write: writeEnvironments,
};
