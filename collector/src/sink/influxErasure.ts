/**
 * Deleting from the InfluxDB copy (sink/influxSink.ts writes it): a student's points on erasure,
 * and points past their retention on the sweep. InfluxDB v2's delete API,
 * `POST /api/v2/delete?org=…&bucket=…` with `{ start, stop, predicate }`, the predicate on the
 * `userId` tag of the `student_progress` measurement. InfluxDB answers 204 and no count.
 *
 * The retention sweep deletes, per student, what is older than the SHORTEST retention among her
 * classes (the global RETENTION_DAYS for a student in no class): the copy never outlives any row
 * the store keeps of hers (its points carry a notebook's file name, not the path the per-class
 * rule needs, so the copy takes the strictest of her rules).
 */
import type { InfluxConfig } from '../core/config.ts';
import type { OwnedSink } from '../db/ownedTables.ts';
import { MEASUREMENT } from './influxSink.ts';

const EPOCH = '1970-01-01T00:00:00Z';
const TIMEOUT_MS = 30_000;

export class InfluxDeleteError extends Error {
  constructor(readonly status: number | undefined, message: string) {
    super(message);
  }
}

/** A string literal of InfluxDB's delete predicate syntax (double quotes; `\` and `"` escaped). */
export function predicateString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The predicate selecting one user's points. */
export function userPredicate(userId: string): string {
  return `_measurement=${predicateString(MEASUREMENT)} AND userId=${predicateString(userId)}`;
}

export interface InfluxEraser {
  /** Deletes all the user's points. */
  eraseUser(userId: string): Promise<void>;
  /** Deletes the user's points before `before`. */
  eraseUserBefore(userId: string, before: Date): Promise<void>;
}

export function createInfluxEraser(influx: InfluxConfig, fetchImpl: typeof fetch = fetch): InfluxEraser {
  async function remove(predicate: string, stop: Date): Promise<void> {
    const url = new URL('/api/v2/delete', influx.url);
    url.searchParams.set('org', influx.org);
    url.searchParams.set('bucket', influx.bucket);
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method: 'POST',
        headers: { authorization: `Token ${influx.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ start: EPOCH, stop: stop.toISOString(), predicate }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new InfluxDeleteError(undefined, `influxdb delete failed: ${(err as Error).message}`);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new InfluxDeleteError(res.status, `influxdb delete answered ${res.status}`);
  }
  return {
    // `stop` a day ahead: points stamped slightly in the future (a skewed student clock) go too.
    eraseUser: (userId) => remove(userPredicate(userId), new Date(Date.now() + 86_400_000)),
    eraseUserBefore: (userId, before) => remove(userPredicate(userId), before),
  };
}

/**
 * The InfluxDB copy as a sink of the privacy registry: erased after the store (a copy of stored
 * rows; InfluxDB answers no count, `influxdb: 1` says the delete was accepted — a refusal throws,
 * and the erasure reports it after erasing everything else); swept per student at the strictest of
 * her retentions.
 */
export const INFLUX_SINK: OwnedSink<InfluxEraser> = {
  name: 'influxdb',
  owner: 'sink',
  stage: 'downstream',
  async eraseUser(influx, userId) {
    await influx.eraseUser(userId);
    return { influxdb: 1 };
  },
  async sweepBefore(influx, cutoffs, signal) {
    let users = 0;
    for (const [userId, cutoff] of await cutoffs.strictestByUser()) {
      if (signal?.aborted) break;
      await influx.eraseUserBefore(userId, cutoff);
      users++;
    }
    return { influxdb_users: users };
  },
};
