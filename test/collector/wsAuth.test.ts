/**
 * `/ws` and `/instructor/ws` need an instructor token (`?token=` or the `cell-monitor.bearer`
 * subprotocol); refused upgrades get HTTP 401 before any socket exists. Instructors receive
 * `status_update` messages — across collectors through Redis in the real mode.
 */
import jwt from 'jsonwebtoken';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { login } from '../helpers/http.ts';
import { nextSecond, waitFor } from '../helpers/services.ts';
import { buildEvents, modesToTest, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';
import WebSocket from 'ws';
import { openSocket, upgradeStatus } from '../helpers/wsClient.ts';

const SECRET = 'ws-test-jwt-secret-0123456789-abcdefghijkl';

/** Resolves with the close code (and reason) of a socket, or 0 if it is still open after `ms`. */
function closedWithin(ws: WebSocket, ms: number): Promise<{ code: number; reason: string; afterMs: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve({ code: -1, reason: 'already closed', afterMs: 0 });
    const timer = setTimeout(() => resolve({ code: 0, reason: 'still open', afterMs: ms }), ms);
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: String(reason), afterMs: Date.now() - started });
    });
  });
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

  it('every spelling of a path is refused without a token: /WS, /ws/, /instructor/WS, unknown paths (401, before any socket)', async () => {
    const ws = a.url.replace('http', 'ws');
    const variants = ['/ws', '/WS', '/Ws', '/ws/', '/ws//', '//ws', '/instructor/ws', '/instructor/WS', '/instructor/ws/', '/INSTRUCTOR/ws', '/ws%2F', '/ws;x', '/', '/nothing', '/api/v1/events', '/ws?x=1'];
    for (const path of variants) assert.is(await upgradeStatus(`${ws}${path}`), 401, path);
    const token = await login(a.url, 'ada@example.org', 'ada-password-1');
    for (const path of ['/WS', '/ws/', '/instructor/WS', '/nothing']) assert.is(await upgradeStatus(`${ws}${path}?token=${token}`), 404, `${path} with a token is no route`);
  });

  it('tokens are read from the URL only for WebSocket upgrades; HTTP routes take the header alone', async () => {
    const token = await login(a.url, 'ada@example.org', 'ada-password-1');
    const viaQuery = await fetch(`${a.url}/api/v1/auth/me?token=${token}`);
    assert.is(viaQuery.status, 401);
    assert.is((await fetch(`${a.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  });

  it('a token without exp (or without jti) is refused on HTTP and WebSocket', async () => {
    const forever = jwt.sign({ role: 'admin', jti: 'never-expires' }, SECRET, { subject: String(ids.ada), issuer: 'cell-monitor', audience: 'cell-monitor-instructor' });
    const res = await fetch(`${a.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${forever}` } });
    assert.is(res.status, 401);
    assert.is(((await res.json()) as { error: string }).error, 'token_without_expiry');
    assert.is(await upgradeStatus(`${a.url.replace('http', 'ws')}/ws?token=${forever}`), 401);
  });

  it('a client message larger than 16 KiB closes the socket (1009) instead of being buffered', async () => {
    const token = await login(a.url, 'ada@example.org', 'ada-password-1');
    const socket = await openSocket(`${a.url.replace('http', 'ws')}/ws?token=${token}`);
    const closed = closedWithin(socket.ws, 5000);
    socket.ws.send('x'.repeat(1024 * 1024));
    assert.is((await closed).code, 1009);
  });

  it('logout closes the sockets of that token within 1 s — on every collector — and leaves the others open', async () => {
    const first = await login(a.url, 'tom@example.org', 'tom-password-1');
    const second = await login(a.url, 'tom@example.org', 'tom-password-1');
    const live = await openSocket(`${a.url.replace('http', 'ws')}/ws?token=${first}`);
    const status = await openSocket(`${b.url.replace('http', 'ws')}/instructor/ws`, ['cell-monitor.bearer', first]);
    const other = await openSocket(`${a.url.replace('http', 'ws')}/ws?token=${second}`);
    const closes = [closedWithin(live.ws, 1000), closedWithin(status.ws, 1000), closedWithin(other.ws, 1500)];
    assert.is((await fetch(`${b.url}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${first}` } })).status, 200);
    const [a1, b1, o1] = await Promise.all(closes);
    console.log(`# logout → sockets closed after ${a1.afterMs} ms (this collector) and ${b1.afterMs} ms (the other)`);
    assert.is(a1.code, 4003);
    assert.is(a1.reason, 'token_revoked');
    assert.is(b1.code, 4003, 'the socket on the other collector closes too');
    assert.is(o1.code, 0, 'another token of the same account stays open');
    other.ws.close();
  });

  it("password change and deactivation close the account's sockets; expiry closes at exp with 4001", async () => {
    const tom = await login(a.url, 'tom@example.org', 'tom-password-1');
    const old = await openSocket(`${a.url.replace('http', 'ws')}/ws?token=${tom}`);
    const closedOld = closedWithin(old.ws, 3000);
    await nextSecond(); // tokens carry whole seconds
    const changed = await fetch(`${b.url}/api/v1/auth/password`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tom}`, 'content-type': 'application/json' },
      body: JSON.stringify({ current_password: 'tom-password-1', new_password: 'tom-password-2' }),
    });
    assert.is(changed.status, 200);
    const fresh = ((await changed.json()) as { token: string }).token;
    assert.equal((await closedOld).code, 4003, 'the socket of the superseded token closed');
    const current = await openSocket(`${a.url.replace('http', 'ws')}/ws?token=${fresh}`);
    const closedCurrent = closedWithin(current.ws, 3000);
    const admin = await login(a.url, 'ada@example.org', 'ada-password-1');
    assert.is((await fetch(`${b.url}/api/v1/instructors/${ids.tom}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } })).status, 200);
    const deactivated = await closedCurrent;
    assert.is(deactivated.code, 4003);
    assert.is(deactivated.reason, 'account_inactive');

    const exp = Math.floor(Date.now() / 1000) + 2;
    const shortLived = jwt.sign({ role: 'admin', exp }, SECRET, { subject: String(ids.ada), issuer: 'cell-monitor', audience: 'cell-monitor-instructor', jwtid: `short-${mode}` });
    const expiring = await openSocket(`${a.url.replace('http', 'ws')}/instructor/ws?token=${shortLived}`);
    const ended = await closedWithin(expiring.ws, 5000);
    assert.is(ended.code, 4001);
    assert.is(ended.reason, 'token_expired');
    assert.ok(Date.now() >= exp * 1000 - 50, 'not before exp');
  });

  it.run();
}

const limits = suite('websocket limits');
let limitServices: Services;
let small: RunningCollector;
limits.before(async () => {
  limitServices = await startServices('embedded');
  small = await startCollector(limitServices.env({ JWT_SECRET: SECRET, WS_MAX_PER_ADDRESS: '3', WS_MAX_CLIENTS: '100', WS_HEARTBEAT_SECONDS: '1' }));
  await createInstructor(small.collector.db, { email: 'ada@example.org', name: 'Ada', password: 'ada-password-1', role: 'admin' });
});
limits.after(async () => {
  await small.close();
  await limitServices.stop();
});

limits('at most WS_MAX_PER_ADDRESS sockets per client address (429 beyond); a closed one frees its place', async () => {
  const token = await login(small.url, 'ada@example.org', 'ada-password-1');
  const url = `${small.url.replace('http', 'ws')}/ws?token=${token}`;
  const open = [await openSocket(url), await openSocket(url), await openSocket(url)];
  assert.is(await upgradeStatus(url), 429);
  const closed = closedWithin(open[0].ws, 2000);
  open[0].ws.close();
  await closed;
  // The registry frees the place when the server sees the close: retry until it has (at most 5 s).
  const again = await waitFor(() => openSocket(url).catch(() => undefined), 5_000, 'the closed socket to free its place');
  for (const s of [...open.slice(1), again]) s.ws.close();
});

limits('a peer that stops answering pings is dropped by the heartbeat', async () => {
  const token = await login(small.url, 'ada@example.org', 'ada-password-1');
  const silent = new WebSocket(`${small.url.replace('http', 'ws')}/ws?token=${token}`, { autoPong: false });
  await new Promise((resolve, reject) => {
    silent.once('open', resolve);
    silent.once('error', reject);
  });
  const ended = await closedWithin(silent, 6000);
  assert.ok(ended.code !== 0, 'dropped');
  console.log(`# silent peer dropped after ${ended.afterMs} ms (heartbeat 1 s)`);
});

limits.run();
