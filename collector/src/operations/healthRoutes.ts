import type { Knex } from 'knex';
import type { BufferWriter } from '../buffer/bufferWriter.ts';
import type { Coordination } from '../coordination/capabilities.ts';
import type { RouteTable } from '../http/routeTable.ts';
import { logError, type Logger } from '../core/logger.ts';
import type { PersisterStats } from '../persist/createPersister.ts';
import type { InfluxSinkStats } from '../sink/influxSink.ts';

/**
 * 'ok', or 'failing' / 'timeout': /readyz answers anyone, so the dependency's own error text (which
 * can name hosts and database users) goes to the log, never into the reply.
 */
async function probe(name: string, check: () => unknown, log: Logger, timeoutMs = 2000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(check),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch (err) {
    const timedOut = (err as Error).message === 'timeout';
    log.warn({ dependency: name, err: logError(err) }, 'readiness check failed');
    return timedOut ? 'timeout' : 'failing';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz`: the process answers. `/readyz`: buffer, main database and what the mode depends on
 * (Redis, in Redis mode: Coordination.readiness) all answer;
 * its details also count the events the pipeline had to dead-letter (ready or not: one event that can
 * never be written is the admin's to look at, not a reason to take the collector out of rotation).
 */
export function addHealthRoutes(table: RouteTable, parts: { buffer: BufferWriter; db: Knex; readiness: Coordination['readiness']; log: Logger; pipelineStats?: () => PersisterStats; influxStats?: () => InfluxSinkStats | undefined }): void {
  const log = parts.log;
  table.add({
    method: 'get',
    path: '/healthz',
    access: 'public',
    tag: 'operations',
    summary: 'Liveness: the process answers',
    responses: { 200: 'alive' },
    handler: (ctx) => {
      ctx.body = { status: 'ok' };
    },
  });
  table.add({ method: 'get', path: '/readyz', access: 'public', tag: 'operations', summary: 'Readiness: buffer, database and Redis (when used) answer', responses: { 200: 'ready', 503: 'a dependency is failing' }, handler: async (ctx) => {
    const checks: Record<string, string> = {
      buffer: await probe('buffer', () => parts.buffer.check(), log),
      database: await probe('database', () => parts.db.raw('select 1'), log),
    };
    for (const [name, check] of Object.entries(parts.readiness)) checks[name] = await probe(name, check, log);
    const stats = parts.pipelineStats?.();
    const influxStats = parts.influxStats?.();
    // InfluxDB is a secondary copy: while it is away the sink is 'degraded' here, the collector stays ready.
    const influx = influxStats
      ? { status: influxStats.status === 'ok' ? 'ok' : 'degraded', failing_since: influxStats.failingSince, queued: influxStats.queued, written: influxStats.written, dropped: influxStats.dropped, last_error: influxStats.lastError }
      : undefined;
    const pipeline = stats ? { dead_lettered: stats.deadLettered, last_dead_letter: stats.lastDeadLetter ?? null, ...(influx ? { influx } : {}) } : undefined;
    const ready = Object.values(checks).every((c) => c === 'ok');
    ctx.status = ready ? 200 : 503;
    ctx.body = ready ? { status: 'ready', checks, ...(pipeline ? { pipeline } : {}) } : { error: 'not_ready', message: 'a dependency is failing', details: { ...checks, ...(pipeline ? { pipeline } : {}) } };
  } });
}
