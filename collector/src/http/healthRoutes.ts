import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import type { EventBuffer } from '../buffer/createBuffer.ts';
import type { RouteTable } from './routeTable.ts';

async function probe(check: () => unknown, timeoutMs = 2000): Promise<string> {
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
    return `failing: ${(err as Error).message.slice(0, 200)}`;
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz`: the process answers. `/readyz`: buffer, main database and Redis (when used) all answer. */
export function addHealthRoutes(table: RouteTable, parts: { buffer: EventBuffer; db: Knex; redis?: Redis }): void {
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
      buffer: await probe(() => parts.buffer.check()),
      database: await probe(() => parts.db.raw('select 1')),
    };
    if (parts.redis) checks.redis = await probe(() => parts.redis!.ping());
    const ready = Object.values(checks).every((c) => c === 'ok');
    ctx.status = ready ? 200 : 503;
    ctx.body = ready ? { status: 'ready', checks } : { error: 'not_ready', message: 'a dependency is failing', details: checks };
  } });
}
