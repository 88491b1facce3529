/**
 * Fair persistence (issue 18 item 3): one student's backlog does not hold another student's event
 * behind it. The real buffer file (embedded) or the real Redis Stream holds 3,000 events of one
 * student and then one event of another; the persister (real SQLite or PostgreSQL store) stores the
 * second student's event in its first batch, keeps each student's order, and — stopped after that
 * batch and started again on the same buffer/stream, as after a crash — stores everything exactly once.
 */
import { performance } from 'node:perf_hooks';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CellEvent } from '@cell-monitor/shared';
import { createDb, createLogger, migrateLatest } from '@cell-monitor/collector';
import { createBufferWriter } from '../../../collector/src/buffer/bufferWriter.ts';
import { openBufferCursor } from '../../../collector/src/buffer/bufferCursor.ts';
import { createPersister } from '../../../collector/src/persist/createPersister.ts';
import { createEventStore } from '../../../collector/src/pipeline/projections.ts';
import { createBufferSource } from '../../../collector/src/persist/sources/bufferSource.ts';
import { createRedisStreamSource } from '../../../collector/src/persist/sources/redisStreamSource.ts';
import type { EventSource } from '../../../collector/src/persist/sources/eventSource.ts';
import { createRedis } from '../../../collector/src/redis/createRedis.ts';
import { STREAM_KEY } from '../../../collector/src/redis/streamNames.ts';
import { waitFor } from '../../helpers/services.ts';
import { buildCellEvent, countRows, modesToTest, startServices } from '../../helpers/stack.ts';

const HEAVY = 3_000;
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

for (const mode of modesToTest()) {
  const it = suite(`fair persistence [${mode}]`);

  it(`one student's ${HEAVY}-event backlog: another student's event goes in the first batch; order per student; exactly once after a restart`, async () => {
    const services = await startServices(mode);
    const dataDir = services.env().DATA_DIR;
    const db = createDb(services.databaseUrl);
    await migrateLatest(db);
    const heavy = Array.from({ length: HEAVY }, (_, i) => buildCellEvent({ userId: 'heavy', eventTime: new Date(Date.UTC(2026, 10, 23, 9, 0, 0, i)).toISOString(), code: `x = ${i}` }));
    const other = buildCellEvent({ userId: 'other', eventTime: new Date().toISOString() });
    const bodies = [...heavy, other].map((e) => ({ eventId: e.eventId, body: JSON.stringify(e) }));

    const writer = createBufferWriter({ dataDir, sync: 'normal', retentionHours: 24, log });
    const cursor = openBufferCursor(dataDir);
    const redis = services.redis ? createRedis(services.redis.url, 'test', log) : undefined;
    const blocking = services.redis ? createRedis(services.redis.url, 'test-blocking', log) : undefined;
    if (redis) {
      await waitFor(() => (redis.status === 'ready' && blocking!.status === 'ready') || undefined, 10_000, 'redis connections');
      const pipe = redis.pipeline();
      for (const b of bodies) pipe.xadd(STREAM_KEY, '*', 'id', b.eventId, 'e', b.body);
      await pipe.exec();
    } else {
      await writer.append(bodies);
    }
    const source = (): EventSource =>
      redis ? createRedisStreamSource({ redis, blocking: blocking!, consumer: 'fair-test', log }) : createBufferSource(cursor);

    // First run: stopped right after its first batch (a crash between batches).
    const batches: CellEvent[][] = [];
    const started = performance.now();
    let otherStoredMs = 0;
    let stopped: Promise<void> | undefined;
    const first = createPersister({
      source: source(),
      db,
      writeEvents: createEventStore(),
      log,
      onPersisted: async (events) => {
        batches.push(events);
        if (events.some((e) => e.userId === 'other')) otherStoredMs = performance.now() - started;
        stopped ??= first.close(); // this batch is acked, then the loop ends
      },
    });
    first.start();
    await waitFor(() => (stopped ? true : undefined), 30_000, 'the first batch');
    await stopped;
    assert.is(batches.length, 1);
    console.log(`# [${mode}] the other student's event stored ${otherStoredMs.toFixed(0)} ms after the persister started, behind ${HEAVY} events of one student (in arrival order it would wait for ${Math.ceil(HEAVY / 500)} batches of 500)`);
    assert.ok(batches[0].some((e) => e.userId === 'other'), "the other student's event is in the first batch");
    const firstHeavy = batches[0].filter((e) => e.userId === 'heavy').map((e) => e.eventId);
    assert.ok(firstHeavy.length <= 100, `at most the student's share of one batch (${firstHeavy.length})`);
    assert.equal(firstHeavy, heavy.slice(0, firstHeavy.length).map((e) => e.eventId), "the heavy student's oldest events, in order");

    // Second run on the same buffer/stream: the rest, each event once.
    const stored: CellEvent[] = [];
    const second = createPersister({ source: source(), db, writeEvents: createEventStore(), log, onPersisted: async (events) => void stored.push(...events) });
    second.start();
    await waitFor(async () => (await countRows(db, 'events')) === HEAVY + 1 || undefined, 60_000, 'every event stored');
    await waitFor(() => (second.idle ? true : undefined), 10_000, 'the persister idle');
    await second.close();
    const heavyOrder = stored.filter((e) => e.userId === 'heavy').map((e) => e.eventId);
    assert.equal(heavyOrder, heavy.slice(firstHeavy.length).map((e) => e.eventId), 'the rest once each, in order, none broadcast twice');
    if (redis) assert.is(await redis.xlen(STREAM_KEY), 0, 'every stream entry acked and deleted');
    else assert.is(cursor.pendingCount(), 0, 'every buffer row delivered');

    redis?.disconnect();
    blocking?.disconnect();
    cursor.close();
    writer.close();
    await db.destroy();
    await services.stop();
  });

  it.run();
}
