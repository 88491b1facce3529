import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { waitFor } from '../helpers/services.ts';
import { buildEvents, countRows, openStore, startCollector, startServices } from '../helpers/stack.ts';

test('stream entries a dead collector left pending are taken over by a live one and persisted once', async () => {
  const services = await startServices('postgres+redis');
  const redis = new Redis(services.redis!.url);
  const store = openStore(services.databaseUrl);
  try {
    // A collector that read 20 entries and died before persisting them.
    await redis.xgroup('CREATE', 'cell-monitor:events', 'persisters', '0', 'MKSTREAM');
    const events = buildEvents(20, { userId: 'orphaned' });
    for (const e of events) await redis.xadd('cell-monitor:events', '*', 'id', e.eventId, 'e', JSON.stringify({ schemaVersion: 1, ...e }));
    const taken = (await redis.xreadgroup('GROUP', 'persisters', 'dead-collector', 'COUNT', 100, 'STREAMS', 'cell-monitor:events', '>')) as [string, unknown[]][];
    assert.is(taken[0][1].length, 20);

    const app = await startCollector(services.env({ STREAM_CLAIM_IDLE_MS: '500', COLLECTOR_ID: 'survivor' }));
    try {
      await waitFor(async () => (await countRows(store, 'events', { user_id: 'orphaned' })) === 20 || undefined, 15_000, 'orphaned entries persisted');
      await waitFor(async () => ((await redis.xpending('cell-monitor:events', 'persisters')) as [number])[0] === 0, 5_000, 'all acked');
    } finally {
      await app.close();
    }
  } finally {
    redis.disconnect();
    await store.destroy();
    await services.stop();
  }
});

test.run();
