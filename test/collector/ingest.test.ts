import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Knex } from 'knex';
import { SEED_001_CURL_BODY, SEED_003_COMPLETE, SEED_003_ERROR, SEED_003_START } from '../helpers/seedBodies.ts';
import { waitFor } from '../helpers/services.ts';
import {
  buildCellEvent, buildEvents, countRows, modesToTest, openStore, postEvents, settle, startCollector, startServices,
  type RunningCollector, type Services,
} from '../helpers/stack.ts';

for (const mode of modesToTest()) {
  const it = suite<{ services: Services; app: RunningCollector; store: Knex }>(`ingest [${mode}]`);

  it.before(async (ctx) => {
    ctx.services = await startServices(mode);
    ctx.app = await startCollector(ctx.services.env());
    ctx.store = openStore(ctx.services.databaseUrl);
  });
  it.after(async (ctx) => {
    await ctx.app?.close();
    await ctx.store?.destroy();
    await ctx.services?.stop();
  });

  const stored = (store: Knex, eventId: string) => store('events').where({ event_id: eventId }).first();

  it('the seed 001 curl body is accepted (202) and stored normalised', async ({ app, store }) => {
    const reply = await postEvents(app.url, SEED_001_CURL_BODY);
    assert.is(reply.status, 202);
    assert.equal(reply.body, { accepted: 1, duplicates: 0, rejected: [] });
    const row = await waitFor(() => stored(store, 'test'), 10_000, 'seed 001 event in store');
    assert.is(row.event_type, 'cell_execution_complete');
    assert.is(row.user_id, 'test-user');
    assert.is(new Date(row.event_time).toISOString(), '2024-01-01T00:00:00.000Z');
    await waitFor(() => countRows(store, 'students', { user_id: 'test-user' }), 10_000, 'student row');
  });

  it('each seed 003 body is accepted (202) and lands in events, cell_executions and error_logs', async ({ app, store }) => {
    for (const body of [SEED_003_START, SEED_003_COMPLETE, SEED_003_ERROR]) {
      const reply = await postEvents(app.url, [body]);
      assert.is(reply.status, 202, JSON.stringify(reply.body));
      assert.is(reply.body.accepted, 1);
    }
    const rows = await waitFor(async () => {
      const r = await store('cell_executions as x')
        .join('students as s', 's.id', 'x.student_id')
        .where('s.user_id', 'user123')
        .select('x.status', 'x.execution_count', 'x.duration_ms')
        .orderBy('x.id');
      return r.length === 3 ? r : undefined;
    }, 10_000, 'three seed 003 executions');
    assert.equal(rows.map((r) => r.status), ['running', 'success', 'error']);
    assert.is(Number(rows[1].duration_ms), 150);
    const error = await store('error_logs').where({ error_name: 'NameError' }).first();
    assert.is(error.error_message, "name 'x' is not defined");
    const session = await store('sessions').where({ session_id: 'sess-abc' }).first();
    assert.ok(session, 'session row exists');
    assert.is(await countRows(store, 'cells', { cell_id: 'cell-123' }), 1);
  });

  it('a seed 003 body sent twice is stored once (derived event id)', async ({ app, store }) => {
    const body = { ...SEED_003_COMPLETE, student_id: 'resender', timestamp: '2025-01-19T13:00:00Z' };
    const first = await postEvents(app.url, [body]);
    assert.is(first.body.accepted, 1, JSON.stringify(first.body));
    const again = await postEvents(app.url, [body]);
    assert.is(again.status, 202);
    assert.equal(again.body, { accepted: 0, duplicates: 1, rejected: [] });
    await waitFor(() => countRows(store, 'events', { user_id: 'resender' }), 10_000);
    assert.is(await countRows(store, 'events', { user_id: 'resender' }), 1);
  });

  it('the same batch sent twice is stored once', async ({ app, store }) => {
    const batch = buildEvents(50, { userId: 'twice' });
    const first = await postEvents(app.url, batch);
    const second = await postEvents(app.url, batch);
    assert.equal(first.body, { accepted: 50, duplicates: 0, rejected: [] });
    assert.equal(second.body, { accepted: 0, duplicates: 50, rejected: [] });
    await settle(app.url, store);
    assert.is(await countRows(store, 'events', { user_id: 'twice' }), 50);
    const executions = await store('cell_executions').whereIn('event_id', batch.map((e) => e.eventId)).count({ n: '*' });
    assert.is(Number(executions[0].n), 50);
  });

  it('gzip bodies and { events: [...] } bodies are accepted', async ({ app, store }) => {
    const gz = buildCellEvent({ userId: 'gzip-user' });
    const wrapped = buildCellEvent({ userId: 'wrapped-user' });
    assert.is((await postEvents(app.url, [gz], { gzip: true })).status, 202);
    assert.is((await postEvents(app.url, { events: [wrapped] })).status, 202);
    await waitFor(() => stored(store, gz.eventId), 10_000, 'gzip event');
    await waitFor(() => stored(store, wrapped.eventId), 10_000, 'wrapped event');
  });

  it('a mixed batch keeps the valid events and reports each rejected one by index', async ({ app, store }) => {
    const good = buildCellEvent({ userId: 'mixed' });
    const reply = await postEvents(app.url, [{ eventType: 'no id or user' }, good, 'not an object']);
    assert.is(reply.status, 202);
    assert.is(reply.body.accepted, 1);
    assert.equal(reply.body.rejected.map((r: { index: number }) => r.index), [0, 2]);
    assert.ok(reply.body.rejected.every((r: { error: string; message: string }) => r.error === 'invalid_event' && r.message));
    await waitFor(() => stored(store, good.eventId), 10_000);
  });

  it('NUL characters in code or output are stored as U+FFFD instead of losing the event', async ({ app, store }) => {
    const event = buildCellEvent({ code: 'print("a\u0000b")', output: { text: 'x\u0000y' } });
    assert.is((await postEvents(app.url, [event])).status, 202);
    const row = await waitFor(() => store('cell_executions').where({ event_id: event.eventId }).first(), 10_000, 'NUL event stored');
    assert.is(row.code, 'print("a\ufffdb")');
    const output = typeof row.output === 'string' ? JSON.parse(row.output) : row.output;
    assert.equal(output, { text: 'x\ufffdy' });
  });

  it('malformed JSON → 400 malformed_json, nothing stored', async ({ app, store }) => {
    await settle(app.url, store);
    const before = await countRows(store, 'events');
    const buffered = app.collector.buffer.pendingCount();
    const reply = await postEvents(app.url, null, { raw: '[{"eventId": "broken", "eventType": "cell_execution_complete", "eventTime": "2026-11-23T09:00:00Z", "userId": "broken-json"}' });
    assert.is(reply.status, 400);
    assert.is(reply.body.error, 'malformed_json');
    assert.ok(reply.body.message);
    assert.is(app.collector.buffer.pendingCount(), buffered, 'nothing reached the buffer');
    await settle(app.url, store);
    assert.is(await countRows(store, 'events'), before + 1, 'only the sentinel sent after it was stored');
    assert.is(await countRows(store, 'events', { user_id: 'broken-json' }), 0);
  });

  it('a body that is not valid gzip → 400 malformed_encoding', async ({ app }) => {
    const res = await fetch(`${app.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: 'definitely not gzip',
    });
    assert.is(res.status, 400);
    assert.is((await res.json()).error, 'malformed_encoding');
  });

  it('all events invalid → 422 invalid_events with per-event details; empty batch → 422', async ({ app, store }) => {
    await settle(app.url, store);
    const before = await countRows(store, 'events');
    const reply = await postEvents(app.url, [{ eventId: 'x' }, { eventId: 'y', eventType: 'bad type' }]);
    assert.is(reply.status, 422);
    assert.is(reply.body.error, 'invalid_events');
    assert.is(reply.body.details.rejected.length, 2);
    const empty = await postEvents(app.url, []);
    assert.is(empty.status, 422);
    assert.is(empty.body.error, 'empty_batch');
    const notBatch = await postEvents(app.url, { hello: 'world' });
    assert.is(notBatch.status, 422);
    assert.is(notBatch.body.error, 'invalid_batch');
    await settle(app.url, store);
    assert.is(await countRows(store, 'events'), before + 1, 'only the sentinel sent after them was stored');
  });

  it('more than 100 events → 413; a body over the byte limit → 413', async ({ app }) => {
    const tooMany = await postEvents(app.url, buildEvents(101));
    assert.is(tooMany.status, 413);
    assert.is(tooMany.body.error, 'payload_too_large');
    assert.is(tooMany.body.details.maxEvents, 100);
    const huge = await postEvents(app.url, [buildCellEvent({ code: 'x'.repeat(6 * 1024 * 1024) })]);
    assert.is(huge.status, 413);
    assert.is(huge.body.error, 'payload_too_large');
  });

  it('a gzip bomb is cut at the decompressed size limit → 413', async ({ app }) => {
    const bomb = [buildCellEvent({ code: ' '.repeat(20 * 1024 * 1024) })];
    const reply = await postEvents(app.url, bomb, { gzip: true });
    assert.is(reply.status, 413);
  });

  it.run();
}
