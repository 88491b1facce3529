/**
 * The buffer admin (seed 000's Offline API) on real parts, both modes: a dead-lettered event is
 * listed with its reason, retried once its cause is fixed, and stored exactly once; clearing needs
 * the explicit confirmation; only admins get in.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { login, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/services.ts';
import { addInstructors, blockEvent, buildCellEvent, countRows, modesToTest, openStore, postEvents, settle, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';

const SECRET = 'offline-admin-jwt-secret-0123456789-abcdef';

for (const mode of modesToTest()) {
  const it = suite(`buffer admin [${mode}]`);
  let services: Services;
  let app: RunningCollector;
  let admin: string;
  let teacher: string;
  const api = (method: string, route: string, body?: unknown, token = admin) => request(app.url, method, route, { token, body });
  const pg = mode !== 'embedded';

  /** The store refuses `eventId` as a data error (dead-lettered) while `on`; dropping that is the fix. */
  async function block(eventId: string, on: boolean): Promise<void> {
    const store = openStore(services.databaseUrl);
    try {
      await blockEvent(store, eventId, on);
    } finally {
      await store.destroy();
    }
  }

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET }));
    [admin, teacher] = await addInstructors(app, [
      { email: 'root@example.org', name: 'Root', password: 'root-password-1', role: 'admin' },
      { email: 't@example.org', name: 'Teacher', password: 'teacher-password-1', role: 'instructor' },
    ]);
  });
  it.after(async () => {
    await app.close();
    await services.stop();
  });

  it('a dead-lettered event is listed with its reason, retried after the cause is fixed, and arrives once', async () => {
    const blocked = buildCellEvent({ eventId: `blocked-${mode}`, userId: 'alice' });
    await block(blocked.eventId, true);
    assert.is((await postEvents(app.url, [blocked, buildCellEvent({ userId: 'bob' })])).status, 202);
    const failed = await waitFor(async () => {
      const list = (await api('get', '/api/v1/offline/failed')).body as Array<{ id: string; eventId: string; reason: string; userId: string; eventType: string }>;
      return list.length ? list : undefined;
    }, 15_000, 'the dead letter');
    assert.equal(failed.map((f) => [f.eventId, f.userId, f.eventType]), [[blocked.eventId, 'alice', 'cell_execution_complete']]);
    assert.match(failed[0].reason, pg ? /pg_23514/ : /sqlite_constraint/);
    assert.match(failed[0].id, pg ? /^stream:/ : /^buffer:/);
    const status = (await api('get', '/api/v1/offline/status')).body;
    assert.equal([status.mode, status.deadLetters, typeof status.fileBytes, status.unforwarded], [pg ? 'redis' : 'embedded', 1, 'number', 0]);
    const store = openStore(services.databaseUrl);
    try {
      assert.is(await countRows(store, 'events', { event_id: blocked.eventId }), 0);
      await block(blocked.eventId, false); // the cause is fixed
      const retried = await api('post', '/api/v1/offline/failed/retry', { ids: [failed[0].id, 'buffer:999999'] });
      assert.equal(retried.body, { retried: 1, unknown: ['buffer:999999'] });
      await waitFor(async () => (await countRows(store, 'events', { event_id: blocked.eventId })) === 1 || undefined, 15_000, 'the retried event is stored');
      await settle(app.url, store);
      assert.is(await countRows(store, 'events', { event_id: blocked.eventId }), 1, 'once');
      assert.is(await countRows(store, 'cell_executions', { event_id: blocked.eventId }), 1);
      assert.equal((await api('get', '/api/v1/offline/failed')).body, []);
      assert.is((await postEvents(app.url, [blocked])).body.duplicates, 1, 'a resend is still a duplicate');
    } finally {
      await store.destroy();
    }
  });

  it('clearing needs the explicit confirmation; the queue pages; sync now; only admins', async () => {
    const doomed = buildCellEvent({ eventId: `doomed-${mode}`, userId: 'carol' });
    await block(doomed.eventId, true);
    try {
      await postEvents(app.url, [doomed]);
      await waitFor(async () => ((await api('get', '/api/v1/offline/failed')).body.length === 1) || undefined, 15_000, 'dead letter');
    } finally {
      await block(doomed.eventId, false);
    }
    assert.is((await api('delete', '/api/v1/offline/failed')).status, 415, 'no body at all');
    for (const body of [{}, { confirm: 'yes' }]) {
      const refused = await api('delete', '/api/v1/offline/failed', body);
      assert.is(refused.status, 422, JSON.stringify(body));
    }
    assert.is((await api('get', '/api/v1/offline/failed')).body.length, 1, 'nothing cleared without the words');
    assert.equal((await api('delete', '/api/v1/offline/failed', { confirm: 'clear dead letters' })).body, { cleared: 1 });
    assert.equal((await api('get', '/api/v1/offline/failed')).body, []);
    const queue = await api('get', '/api/v1/offline/queue?limit=10');
    assert.is(queue.status, 200);
    assert.ok(Array.isArray(queue.body));
    assert.is((await api('post', '/api/v1/offline/sync')).body.nudged, true);
    for (const [method, route] of [['get', '/api/v1/offline/status'], ['get', '/api/v1/offline/failed'], ['post', '/api/v1/offline/failed/retry'], ['delete', '/api/v1/offline/failed']] as const) {
      assert.is((await api(method, route, undefined, teacher)).status, 403, `${method} ${route} as an instructor`);
      assert.is((await request(app.url, method, route)).status, 401);
    }
  });

  it.run();
}
