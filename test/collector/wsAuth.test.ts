/**
 * `/ws` and `/instructor/ws` need an instructor token (`?token=` or the `cell-monitor.bearer`
 * subprotocol); refused upgrades get HTTP 401 before any socket exists. Instructors receive
 * `status_update` messages — across collectors through Redis in the real mode.
 */
import jwt from 'jsonwebtoken';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { waitFor } from '../helpers/services.ts';
import { buildEvents, modesToTest, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';
import { openSocket, upgradeStatus } from '../helpers/wsClient.ts';

const SECRET = 'ws-test-jwt-secret-0123456789-abcdefghijkl';

async function login(base: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  assert.is(res.status, 200);
  return ((await res.json()) as { token: string }).token;
}

for (const mode of modesToTest()) {
  const it = suite(`websocket authentication [${mode}]`);
  let services: Services;
  let a: RunningCollector;
  let b: RunningCollector;
  let ids: { ada: number; tom: number };

  it.before(async () => {
    services = await startServices(mode);
    // Two collectors on the same store (and, in the real mode, the same Redis).
    a = await startCollector(services.env({ JWT_SECRET: SECRET }));
    b = mode === 'embedded' ? a : await startCollector(services.env({ JWT_SECRET: SECRET }));
    ids = {
      ada: (await createInstructor(a.collector.db, { email: 'ada@example.org', name: 'Ada', password: 'ada-password-1', role: 'admin' })).id,
      tom: (await createInstructor(a.collector.db, { email: 'tom@example.org', name: 'Tom', password: 'tom-password-1', role: 'instructor' })).id,
    };
  });
  it.after(async () => {
    if (b !== a) await b.close();
    await a.close();
    await services.stop();
  });

  it('no, forged, expired or revoked tokens are refused with 401 on /ws and /instructor/ws', async () => {
    const ws = a.url.replace('http', 'ws');
    const revoked = await login(a.url, 'tom@example.org', 'tom-password-1');
    await fetch(`${a.url}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${revoked}` } });
    const options = { subject: String(ids.ada), issuer: 'cell-monitor', audience: 'cell-monitor-instructor', jwtid: 'x' };
    const forged = jwt.sign({ role: 'admin' }, 'another-secret-that-is-long-enough-000', { ...options, expiresIn: 60 });
    const expired = jwt.sign({ role: 'admin', exp: Math.floor(Date.now() / 1000) - 5 }, SECRET, options);
    for (const path of ['/ws', '/instructor/ws']) {
      assert.is(await upgradeStatus(`${ws}${path}`), 401, `${path} without a token`);
      for (const [what, token] of Object.entries({ forged, expired, revoked })) {
        assert.is(await upgradeStatus(`${ws}${path}?token=${token}`), 401, `${path} ${what}`);
        assert.is(await upgradeStatus(`${ws}${path}`, ['cell-monitor.bearer', token]), 401, `${path} ${what} (subprotocol)`);
      }
    }
  });

  it('with a token (query or subprotocol) /ws streams the persisted events', async () => {
    const token = await login(a.url, 'ada@example.org', 'ada-password-1');
    const ws = a.url.replace('http', 'ws');
    const byQuery = await openSocket(`${ws}/ws?token=${token}`);
    const bySubprotocol = await openSocket(`${ws}/ws`, ['cell-monitor.bearer', token]);
    assert.is(bySubprotocol.ws.protocol, 'cell-monitor.bearer');
    assert.is(byQuery.messages[0].type, 'hello');
    const events = buildEvents(5);
    assert.is((await postEvents(a.url, events)).status, 202);
    const seen = (m: { messages: any[] }) => new Set(m.messages.filter((x) => x.type === 'events').flatMap((x) => x.events.map((e: { eventId: string }) => e.eventId)));
    await waitFor(() => events.every((e) => seen(byQuery).has(e.eventId) && seen(bySubprotocol).has(e.eventId)), 10_000, 'events on both sockets');
    byQuery.ws.close();
    bySubprotocol.ws.close();
  });

  it('/instructor/ws greets with the instructor and delivers status_update when any instructor changes status (through Redis across collectors)', async () => {
    const ada = await login(a.url, 'ada@example.org', 'ada-password-1');
    const tom = await login(b.url, 'tom@example.org', 'tom-password-1');
    const socket = await openSocket(`${a.url.replace('http', 'ws')}/instructor/ws?token=${ada}`);
    assert.is(socket.messages[0].type, 'hello');
    assert.is(socket.messages[0].instructor.email, 'ada@example.org');
    assert.is(socket.messages[0].instructor.password_hash, undefined);
    const res = await fetch(`${b.url}/api/v1/instructor_status/${ids.tom}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tom}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'in_session', current_session_id: 'lab-3' }),
    });
    assert.is(res.status, 200);
    const update = await waitFor(() => socket.messages.find((m) => m.type === 'status_update' && m.instructor_id === ids.tom && m.status === 'in_session'), 10_000, 'status_update');
    assert.is(update.current_session_id, 'lab-3');
    socket.ws.close();
  });

  it.run();
}
