import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/services.ts';
import { buildEvents, countRows, modesToTest, openStore, postEvents, settle, spawnCollector, startServices } from '../helpers/stack.ts';

const N = 500;

for (const mode of modesToTest()) {
  const it = suite(`crash [${mode}]`);

  it('SIGKILL right after the 202 for N events: after restart all N are stored exactly once', async () => {
    const services = await startServices(mode);
    const env = services.env(); // the same DATA_DIR across the restart: the buffer is the WAL
    const store = openStore(services.databaseUrl);
    try {
      const first = await spawnCollector(env);
      const batches = Array.from({ length: N / 100 }, () => buildEvents(100, { userId: 'crash-test' }));
      const replies = await Promise.all(batches.map((b) => postEvents(first.url, b)));
      first.child.kill('SIGKILL');
      assert.equal(replies.map((r) => r.status), batches.map(() => 202));
      assert.is(replies.reduce((n, r) => n + r.body.accepted, 0), N);
      await first.exited;
      const beforeRestart = await countRows(store, 'events', { user_id: 'crash-test' }).catch(() => 0);
      console.log(`# [${mode}] ${beforeRestart}/${N} persisted when the collector was killed`);

      const second = await spawnCollector(env);
      try {
        await waitFor(async () => (await countRows(store, 'events', { user_id: 'crash-test' })) >= N || undefined, 30_000, 'all events after restart');
        await settle(second.url, store); // a late duplicate would be stored before this sentinel
        const ids = batches.flat().map((e) => e.eventId);
        const [{ n: distinct }] = await store('events').whereIn('event_id', ids).countDistinct({ n: 'event_id' });
        assert.is(Number(distinct), N);
        assert.is(await countRows(store, 'events', { user_id: 'crash-test' }), N);
        const [{ n: executions }] = await store('cell_executions').whereIn('event_id', ids).count({ n: '*' });
        assert.is(Number(executions), N, 'derived rows written once too');
      } finally {
        second.child.kill('SIGTERM');
        assert.is(await second.exited, 0, 'SIGTERM exits cleanly');
        assert.ok(second.output().includes('stopped cleanly'));
        // Redis is up the whole time: a start that warns about it (a command sent before the
        // connection was ready) tells an admin of a fault there is not.
        const warnings = second.output().split('\n').filter((l) => /persister source failed|forward to redis failed|redis connection error/.test(l));
        assert.equal(warnings, [], 'no Redis warning on a start with Redis up');
      }
    } finally {
      await store.destroy();
      await services.stop();
    }
  });

  it.run();
}
