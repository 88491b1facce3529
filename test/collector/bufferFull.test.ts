import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildEvents, countRows, openStore, postEvents, startCollector, startServices } from '../helpers/stack.ts';
import { waitFor } from '../helpers/services.ts';

// Needs the real parts: the buffer only stays full while forwarding is stalled (Redis down).
test('a full buffer answers 503 buffer_unavailable with Retry-After, acks nothing it did not store, and recovers', async () => {
  const services = await startServices('postgres+redis');
  // BUFFER_MAX_MB caps the buffer file: SQLite then fails the write with SQLITE_FULL, as on a full disk.
  const app = await startCollector(services.env({ BUFFER_MAX_MB: '0.5' }));
  const store = openStore(services.databaseUrl);
  try {
    await services.redis!.stop();
    const acked: string[] = [];
    let refused: Awaited<ReturnType<typeof postEvents>> | undefined;
    let refusedIds: string[] = [];
    for (let i = 0; i < 400 && !refused; i++) {
      const batch = buildEvents(20, { code: 'x'.repeat(2000), userId: 'filler' });
      const reply = await postEvents(app.url, batch);
      if (reply.status === 202) acked.push(...batch.map((e) => e.eventId));
      else {
        refused = reply;
        refusedIds = batch.map((e) => e.eventId);
      }
    }
    assert.ok(refused, 'the buffer never filled up');
    assert.is(refused!.status, 503);
    assert.is(refused!.body.error, 'buffer_unavailable');
    assert.ok(refused!.headers.get('retry-after'));
    assert.ok(acked.length > 0);
    assert.is((await fetch(`${app.url}/healthz`)).status, 200, 'the process keeps running');

    await services.redis!.start();
    // Everything acked reaches the store; nothing of the refused batch does; ingest works again.
    await waitFor(async () => (await countRows(store, 'events')) === acked.length || undefined, 30_000, 'acked events persisted');
    const leaked = await store('events').whereIn('event_id', refusedIds).count({ n: '*' });
    assert.is(Number(leaked[0].n), 0);
    const after = await postEvents(app.url, buildEvents(20, { code: 'x'.repeat(2000) }));
    assert.is(after.status, 202, 'forwarded rows make room again');
  } finally {
    await app.close();
    await store.destroy();
    await services.stop();
  }
});

test.run();
