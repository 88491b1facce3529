import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Knex } from 'knex';
import { waitFor } from '../helpers/services.ts';
import { buildCellEvent, modesToTest, openStore, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';

const KEY = 'k3y-for-tests-0123456789';

for (const mode of modesToTest()) {
  const it = suite<{ services: Services; app: RunningCollector; store: Knex }>(`INGEST_KEY [${mode}]`);
  it.before(async (ctx) => {
    ctx.services = await startServices(mode);
    ctx.app = await startCollector(ctx.services.env({ INGEST_KEY: KEY }));
    ctx.store = openStore(ctx.services.databaseUrl);
  });
  it.after(async (ctx) => {
    await ctx.app?.close();
    await ctx.store?.destroy();
    await ctx.services?.stop();
  });

  it('no key → 401 unauthorized with WWW-Authenticate', async ({ app }) => {
    const reply = await postEvents(app.url, [buildCellEvent()], { headers: { 'x-cell-monitor-user': 'alice' } });
    assert.is(reply.status, 401);
    assert.is(reply.body.error, 'unauthorized');
    assert.is(reply.headers.get('www-authenticate'), 'Bearer');
  });

  it('wrong key → 401, and the wrong key is not echoed back', async ({ app }) => {
    const reply = await postEvents(app.url, [buildCellEvent()], {
      headers: { authorization: 'Bearer not-the-key-at-all', 'x-cell-monitor-user': 'alice' },
    });
    assert.is(reply.status, 401);
    assert.not.ok(JSON.stringify(reply.body).includes('not-the-key'));
  });

  it('right key without the user header → 400 missing_user_header', async ({ app }) => {
    const reply = await postEvents(app.url, [buildCellEvent()], { headers: { authorization: `Bearer ${KEY}` } });
    assert.is(reply.status, 400);
    assert.is(reply.body.error, 'missing_user_header');
  });

  it('the X-Cell-Monitor-User header overrides the userId in the body', async ({ app, store }) => {
    const event = buildCellEvent({ userId: 'mallory' });
    const reply = await postEvents(app.url, [event], { headers: { authorization: `Bearer ${KEY}`, 'x-cell-monitor-user': 'alice' } });
    assert.is(reply.status, 202);
    const row = await waitFor(() => store('events').where({ event_id: event.eventId }).first(), 10_000, 'stamped event');
    assert.is(row.user_id, 'alice');
    const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
    assert.is(payload.userId, 'alice');
    assert.ok(await store('students').where({ user_id: 'alice' }).first());
    assert.not.ok(await store('students').where({ user_id: 'mallory' }).first());
  });

  it.run();
}
