import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { waitFor } from '../helpers/services.ts';
import { buildCellEvent, buildEvents, modesToTest, openStore, postEvents, startCollector, startServices, countRows } from '../helpers/stack.ts';

test('a stream entry that is not even JSON goes to the dead-letter stream and is acked', async () => {
  const services = await startServices('postgres+redis');
  const app = await startCollector(services.env());
  const store = openStore(services.databaseUrl);
  const redis = new Redis(services.redis!.url);
  try {
    await redis.xadd('cell-monitor:events', '*', 'id', 'poison-1', 'e', '{"this is": not json');
    const good = buildCellEvent();
    assert.is((await postEvents(app.url, [good])).status, 202);
    await waitFor(() => store('events').where({ event_id: good.eventId }).first(), 10_000, 'good event stored');
    const dead = await waitFor(async () => {
      const entries = await redis.xrange('cell-monitor:events:dead', '-', '+');
      return entries.length > 0 ? entries : undefined;
    }, 10_000, 'dead letter');
    const fields = dead[0][1];
    assert.is(fields[fields.indexOf('id') + 1], 'poison-1');
    assert.is(fields[fields.indexOf('reason') + 1], 'unparseable_entry');
    const pending = (await redis.xpending('cell-monitor:events', 'persisters')) as [number, ...unknown[]];
    assert.is(pending[0], 0, 'the poison entry was acked, not left pending');
  } finally {
    redis.disconnect();
    await app.close();
    await store.destroy();
    await services.stop();
  }
});

for (const mode of modesToTest()) {
  const it = suite(`poison event [${mode}]`);
  it('an event the database refuses is dead-lettered with the reason; the rest of its batch is stored', async () => {
    const services = await startServices(mode);
    const env = services.env();
    const app = await startCollector(env);
    const store = openStore(services.databaseUrl);
    try {
      // Make the store refuse one event id, as a real data error would.
      if (mode === 'embedded') {
        await store.raw(`CREATE TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.event_id = 'poison-2' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
      } else {
        await store.raw(`ALTER TABLE events ADD CONSTRAINT refuse_poison CHECK (event_id <> 'poison-2')`);
      }
      const batch = [...buildEvents(5, { userId: 'poison-batch' }), buildCellEvent({ eventId: 'poison-2', userId: 'poison-batch' }), ...buildEvents(4, { userId: 'poison-batch' })];
      assert.is((await postEvents(app.url, batch)).status, 202);
      await waitFor(async () => (await countRows(store, 'events', { user_id: 'poison-batch' })) === 9 || undefined, 10_000, 'nine stored');
      let reason: string;
      if (mode === 'embedded') {
        const buffer = new Database(path.join(env.DATA_DIR, 'buffer.sqlite'), { readonly: true });
        const row = await waitFor(() => buffer.prepare('SELECT event_id, reason FROM dead_letters').get() as { event_id: string; reason: string } | undefined);
        buffer.close();
        assert.is(row.event_id, 'poison-2');
        reason = row.reason;
      } else {
        const redis = new Redis(services.redis!.url);
        const entries = await waitFor(async () => {
          const e = await redis.xrange('cell-monitor:events:dead', '-', '+');
          return e.length ? e : undefined;
        });
        redis.disconnect();
        const fields = entries[0][1];
        assert.is(fields[fields.indexOf('id') + 1], 'poison-2');
        reason = fields[fields.indexOf('reason') + 1];
      }
      assert.is(reason, mode === 'embedded' ? 'sqlite_constraint_trigger' : 'pg_23514');
      // The pipeline thread reports its totals after each step.
      await waitFor(() => app.collector.persister.stats.deadLettered === 1, 5_000, 'the dead letter to be counted');
      assert.is(app.collector.persister.stats.deadLettered, 1);
    } finally {
      await app.close();
      await store.destroy();
      await services.stop();
    }
  });
  it.run();
}

test.run();
