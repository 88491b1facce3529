import fs from 'node:fs';
import path from 'node:path';
import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/services.ts';
import { buildEvents, countRows, modesToTest, openStore, postEvents, spawnCollector, startCollector, startServices } from '../helpers/stack.ts';
import { connectLive, upgradeStatus } from '../helpers/wsClient.ts';

test('embedded default without JWT_SECRET: a secret is generated in DATA_DIR (0600, kept across restarts) and /ws needs a token (401) unless DEV_OPEN_WS=1', async () => {
  const services = await startServices('embedded');
  const env = services.env();
  const app = await startCollector(env);
  const secretFile = path.join(env.DATA_DIR, 'jwt-secret');
  try {
    assert.is(await upgradeStatus(`${app.url.replace('http', 'ws')}/ws`), 401);
    assert.is(await upgradeStatus(`${app.url.replace('http', 'ws')}/instructor/ws`), 401);
    assert.is(fs.statSync(secretFile).mode & 0o777, 0o600, 'only the collector user reads the secret');
    assert.ok(fs.readFileSync(secretFile, 'utf8').trim().length >= 64);
  } finally {
    await app.close();
  }
  const secret = fs.readFileSync(secretFile, 'utf8');
  const again = await startCollector(env);
  try {
    assert.is(fs.readFileSync(secretFile, 'utf8'), secret, 'a restart keeps the secret: tokens stay valid');
  } finally {
    await again.close();
  }
  const open = await startCollector(services.env({ DEV_OPEN_WS: '1' }));
  try {
    assert.is(await upgradeStatus(`${open.url.replace('http', 'ws')}/ws`), 101);
  } finally {
    await open.close();
  }
});

for (const mode of modesToTest()) {
  test(`[${mode}] a /ws client sees each persisted event once, without code or output`, async () => {
    const services = await startServices(mode);
    const app = await startCollector(services.env({ DEV_OPEN_WS: '1' }));
    try {
      const live = await connectLive(app.url);
      const events = buildEvents(30);
      await postEvents(app.url, events);
      await postEvents(app.url, events); // a resend is not rebroadcast
      await waitFor(() => events.every((e) => live.seen.has(e.eventId)), 10_000, 'all events live');
      // A sentinel after them: the live feed keeps order, so a rebroadcast of the resend would come first.
      const [sentinel] = buildEvents(1, { userId: 'sentinel' });
      await postEvents(app.url, [sentinel]);
      await waitFor(() => live.seen.has(sentinel.eventId), 10_000, 'the sentinel live');
      assert.ok([...live.seen.values()].every((n) => n === 1));
      const message = live.messages.find((m: any) => m.type === 'events') as any;
      const first = message.events[0];
      assert.is(first.code, undefined, 'cell source stays in the database');
      assert.is(first.codeChars, events[0].code.length);

      // A heavy error event goes live slim (fan-out and every board's parse stay cheap); the store keeps it whole.
      const message2000 = `ValueError: ${'x'.repeat(2_000)}`;
      const [heavy] = buildEvents(1, {
        userId: 'heavy',
        eventType: 'cell_execution_error',
        success: false,
        error: { name: 'ValueError', message: message2000, traceback: 'Traceback\n'.repeat(1_000) },
        metadata: Object.fromEntries(Array.from({ length: 500 }, (_, k) => [`k${k}`, k])),
      });
      await postEvents(app.url, [heavy]);
      await waitFor(() => live.seen.has(heavy.eventId), 10_000, 'the heavy event live');
      const shown = live.messages.flatMap((m: any) => (m.type === 'events' ? m.events : [])).find((e: any) => e.eventId === heavy.eventId);
      assert.is(shown.metadata, undefined, 'metadata stays in the database');
      assert.is(shown.metadataKeys, 500);
      assert.is(shown.error.traceback, undefined, 'the traceback stays in the database');
      assert.is(shown.error.tracebackChars, heavy.error.traceback.length);
      assert.is(shown.error.message, message2000.slice(0, 1_000));
      assert.is(shown.error.messageCut, true);
      const store = openStore(services.databaseUrl);
      try {
        const [row] = await store('events').where({ event_id: heavy.eventId }).select('payload');
        const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
        assert.is(payload.error.message, message2000, 'stored whole');
        assert.is(Object.keys(payload.metadata).length, 500);
      } finally {
        await store.destroy();
      }
      live.close();
    } finally {
      await app.close();
      await services.stop();
    }
  });
}

const it = suite('scale-out [postgres+redis]');

it('two collectors sharing Redis and PostgreSQL: each /ws client sees every event once, stored once', async () => {
  const services = await startServices('postgres+redis');
  const store = openStore(services.databaseUrl);
  const a = await spawnCollector(services.env({ DEV_OPEN_WS: '1', COLLECTOR_ID: 'collector-a' }));
  const b = await spawnCollector(services.env({ DEV_OPEN_WS: '1', COLLECTOR_ID: 'collector-b' }));
  try {
    const liveA = await connectLive(a.url);
    const liveB = await connectLive(b.url);
    const toA = Array.from({ length: 3 }, () => buildEvents(100, { userId: 'scale' }));
    const toB = Array.from({ length: 3 }, () => buildEvents(100, { userId: 'scale' }));
    const both = buildEvents(100, { userId: 'scale' }); // sent to both collectors: stored and shown once
    await Promise.all([
      ...toA.map((batch) => postEvents(a.url, batch)),
      ...toB.map((batch) => postEvents(b.url, batch)),
      postEvents(a.url, both),
      postEvents(b.url, both),
    ]);
    const ids = [...toA.flat(), ...toB.flat(), ...both].map((e) => e.eventId);
    for (const live of [liveA, liveB]) {
      await waitFor(() => ids.every((id) => live.seen.has(id)), 20_000, 'every event on every client');
    }
    // A sentinel through each collector, sent after every batch was acked: a late repeat would be live by the time both are.
    const sentinels = [buildEvents(1, { userId: 'sentinel' })[0], buildEvents(1, { userId: 'sentinel' })[0]];
    await postEvents(a.url, [sentinels[0]]);
    await postEvents(b.url, [sentinels[1]]);
    for (const live of [liveA, liveB]) await waitFor(() => sentinels.every((e) => live.seen.has(e.eventId)), 20_000, 'the sentinels live');
    for (const live of [liveA, liveB]) {
      const repeated = [...live.seen].filter(([, n]) => n > 1);
      assert.is(repeated.length, 0, `events delivered twice: ${repeated.slice(0, 3)}`);
      assert.is(live.seen.size, ids.length + sentinels.length);
    }
    assert.is(await countRows(store, 'events', { user_id: 'scale' }), ids.length);
    const [{ n }] = await store('cell_executions').whereIn('event_id', ids).count({ n: '*' });
    assert.is(Number(n), ids.length, 'no double persist of derived rows');
    liveA.close();
    liveB.close();
  } finally {
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);
    await store.destroy();
    await services.stop();
  }
});

test.run();
it.run();
