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

/** 1,000 CJK characters that do not compress: over 3,000 bytes, too big for a btree index entry. */
function incompressibleCjk(n: number): string {
  let seed = 12345;
  return Array.from({ length: n }, () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return String.fromCharCode(0x4e00 + (seed % 20000));
  }).join('');
}

test('an event PostgreSQL can never index (SQLSTATE 54000) is dead-lettered; a later event of another student persists within 5 s; /readyz shows it', async () => {
  const services = await startServices('postgres+redis');
  const app = await startCollector(services.env());
  const store = openStore(services.databaseUrl);
  const redis = new Redis(services.redis!.url);
  try {
    // Straight into the stream, as an event accepted before the edge limited paths in bytes would be.
    const poison: Record<string, unknown> = { ...buildCellEvent({ userId: 'chen', eventId: 'too-big-for-index' }), schemaVersion: 1, notebookPath: incompressibleCjk(1000) };
    await redis.xadd('cell-monitor:events', '*', 'id', 'too-big-for-index', 'e', JSON.stringify(poison));
    const started = Date.now();
    const later = buildCellEvent({ userId: 'dana' });
    assert.is((await postEvents(app.url, [later])).status, 202);
    await waitFor(() => store('events').where({ event_id: later.eventId }).first(), 5_000, "the other student's later event");
    console.log(`# the later event persisted ${Date.now() - started} ms after the poison entry`);
    const dead = await waitFor(async () => {
      const entries = await redis.xrange('cell-monitor:events:dead', '-', '+');
      return entries.find(([, f]) => f[f.indexOf('id') + 1] === 'too-big-for-index');
    }, 5_000, 'dead letter');
    assert.is(dead[1][dead[1].indexOf('reason') + 1], 'pg_54000');
    const ready = (await (await fetch(`${app.url}/readyz`)).json()) as { status: string; pipeline: { dead_lettered: number; last_dead_letter: { reason: string } } };
    assert.is(ready.status, 'ready');
    assert.is(ready.pipeline.dead_lettered, 1);
    assert.is(ready.pipeline.last_dead_letter.reason, 'pg_54000');
  } finally {
    redis.disconnect();
    await app.close();
    await store.destroy();
    await services.stop();
  }
});

test('a batch that keeps failing while the database answers is split until the one event that fails alone is dead-lettered', async () => {
  const services = await startServices('postgres+redis');
  const app = await startCollector(services.env());
  const store = openStore(services.databaseUrl);
  const redis = new Redis(services.redis!.url);
  try {
    // An error the classifier cannot know is about the data (P0001 is "retry"): only bisection finds it.
    await store.raw(`CREATE FUNCTION refuse_stuck() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.event_id = 'stuck-1' THEN RAISE EXCEPTION 'refused' USING ERRCODE = 'P0001'; END IF; RETURN NEW; END $$`);
    await store.raw('CREATE TRIGGER refuse_stuck BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_stuck()');
    const batch = [...buildEvents(6, { userId: 'bisect' }), buildCellEvent({ eventId: 'stuck-1', userId: 'bisect' }), ...buildEvents(5, { userId: 'bisect' })];
    const started = Date.now();
    assert.is((await postEvents(app.url, batch)).status, 202);
    await waitFor(async () => (await countRows(store, 'events', { user_id: 'bisect' })) === 11 || undefined, 20_000, 'the eleven others');
    const dead = await waitFor(async () => {
      const entries = await redis.xrange('cell-monitor:events:dead', '-', '+');
      return entries.find(([, f]) => f[f.indexOf('id') + 1] === 'stuck-1');
    }, 10_000, 'dead letter');
    console.log(`# isolated and dead-lettered after ${Date.now() - started} ms`);
    assert.is(dead[1][dead[1].indexOf('reason') + 1], 'persist_failed_db_p0001');
    const later = buildCellEvent({ userId: 'after-bisect' });
    assert.is((await postEvents(app.url, [later])).status, 202);
    await waitFor(() => store('events').where({ event_id: later.eventId }).first(), 5_000, 'later event');
  } finally {
    redis.disconnect();
    await app.close();
    await store.destroy();
    await services.stop();
  }
});

test('a batch failing because the database is starting (57P03) is retried whole, never split and dead-lettered', async () => {
  const services = await startServices('postgres+redis');
  const app = await startCollector(services.env());
  const store = openStore(services.databaseUrl);
  const redis = new Redis(services.redis!.url);
  try {
    // While the flag row exists every insert into events fails as a starting PostgreSQL answers a
    // new connection, though `select 1` answers: the chaos test saw an event dead-lettered so.
    await store.raw('CREATE TABLE starting_up (x int)');
    await store.raw('INSERT INTO starting_up VALUES (1)');
    await store.raw(`CREATE FUNCTION refuse_starting() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF EXISTS (SELECT 1 FROM starting_up) THEN RAISE EXCEPTION 'the database system is not yet accepting connections' USING ERRCODE = '57P03'; END IF; RETURN NEW; END $$`);
    await store.raw('CREATE TRIGGER refuse_starting BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_starting()');
    const batch = buildEvents(12, { userId: 'starting' });
    assert.is((await postEvents(app.url, batch)).status, 202);
    await new Promise((resolve) => setTimeout(resolve, 6_000)); // split to single events, this would dead-letter all twelve
    await store.raw('DELETE FROM starting_up');
    await waitFor(async () => (await countRows(store, 'events', { user_id: 'starting' })) === 12 || undefined, 20_000, 'the twelve once the database accepts');
    const dead = (await redis.xrange('cell-monitor:events:dead', '-', '+')).filter(([, f]) => batch.some((e) => e.eventId === f[f.indexOf('id') + 1]));
    assert.equal(dead, [], 'none dead-lettered');
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
      await waitFor(() => app.collector.pipeline.stats.deadLettered === 1, 5_000, 'the dead letter to be counted');
      assert.is(app.collector.pipeline.stats.deadLettered, 1);
    } finally {
      await app.close();
      await store.destroy();
      await services.stop();
    }
  });
  it.run();
}

test.run();
