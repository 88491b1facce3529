import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/services.ts';
import { buildEvents, countRows, openStore, postEvents, settle, startCollector, startServices } from '../helpers/stack.ts';

test('Redis stopped: 1,000 events all get 202; Redis started: all 1,000 persisted exactly once', async () => {
  const services = await startServices('postgres+redis');
  const app = await startCollector(services.env());
  const store = openStore(services.databaseUrl);
  try {
    await services.redis!.stop();
    const batches = Array.from({ length: 10 }, () => buildEvents(100, { userId: 'outage' }));
    for (const batch of batches) {
      const reply = await postEvents(app.url, batch);
      assert.is(reply.status, 202);
      assert.is(reply.body.accepted, 100);
    }
    const ready = await fetch(`${app.url}/readyz`);
    assert.is(ready.status, 503);
    const body = await ready.json();
    assert.is(body.error, 'not_ready');
    assert.ok(String(body.details.redis).startsWith('failing'), JSON.stringify(body));
    assert.is(await countRows(store, 'events', { user_id: 'outage' }), 0, 'nothing can reach PostgreSQL without Redis');
    assert.is(app.collector.buffer.pendingCount(), 1000, 'the buffer holds every event');

    await services.redis!.start();
    await waitFor(async () => (await countRows(store, 'events', { user_id: 'outage' })) >= 1000 || undefined, 30_000, '1,000 events persisted');
    await settle(app.url, store); // a late duplicate would be stored before this sentinel
    assert.is(await countRows(store, 'events', { user_id: 'outage' }), 1000);
    const ids = batches.flat().map((e) => e.eventId);
    const [{ n }] = await store('cell_executions').whereIn('event_id', ids).count({ n: '*' });
    assert.is(Number(n), 1000);
    assert.is(app.collector.buffer.pendingCount(), 0);
    await waitFor(async () => (await fetch(`${app.url}/readyz`)).status === 200, 10_000, 'ready again');
  } finally {
    await app.close();
    await store.destroy();
    await services.stop();
  }
});

test.run();
