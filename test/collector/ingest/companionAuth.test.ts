/**
 * Who may send events and use the student routes (security review, findings 2 and 9): with
 * INGEST_KEY set only the stamped user's own credential works — not the master key, not another
 * student's; without it, only senders on this machine, never the student routes, and only Host
 * names of this machine (DNS rebinding). Names outside Latin-1 travel percent-encoded.
 */
import http from 'node:http';
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Knex } from 'knex';
import { studentCredential } from '../../../collector/src/auth/studentCredential.ts';
import { waitFor } from '../../helpers/services.ts';
import { buildCellEvent, companionHeaders, countRows, modesToTest, openStore, postEvents, ROOT, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';
import { upgradeStatus } from '../../helpers/wsClient.ts';

const KEY = 'master-key-for-tests-0123456789abcdef';
const vectors = JSON.parse(fs.readFileSync(`${ROOT}/test/vectors/student-credentials.json`, 'utf8')).vectors as Array<{ masterKey: string; user: string; credential: string; userHeader: string }>;

/** A raw request, for headers fetch will not send (another Host). */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

suite('student credentials')('the derivation matches the shared test vectors (the Python helper checks the same file)', () => {
  assert.ok(vectors.length >= 5);
  for (const v of vectors) {
    assert.is(studentCredential(v.masterKey, v.user), v.credential, v.user);
    assert.is(decodeURIComponent(v.userHeader), v.user);
  }
});

for (const mode of modesToTest()) {
  const it = suite<{ services: Services; app: RunningCollector; store: Knex }>(`ingest with INGEST_KEY [${mode}]`);
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

  it('no credential → 401 unauthorized with WWW-Authenticate', async ({ app }) => {
    const reply = await postEvents(app.url, [buildCellEvent()], { headers: { 'x-cell-monitor-user': 'alice' } });
    assert.is(reply.status, 401);
    assert.is(reply.body.error, 'unauthorized');
    assert.is(reply.headers.get('www-authenticate'), 'Bearer');
  });

  it('the master key itself is not a credential, and a wrong one is not echoed back', async ({ app }) => {
    const master = await postEvents(app.url, [buildCellEvent()], { headers: { authorization: `Bearer ${KEY}`, 'x-cell-monitor-user': 'alice' } });
    assert.is(master.status, 401);
    const wrong = await postEvents(app.url, [buildCellEvent()], { headers: { authorization: 'Bearer cmc1_not-the-credential', 'x-cell-monitor-user': 'alice' } });
    assert.is(wrong.status, 401);
    assert.not.ok(JSON.stringify(wrong.body).includes('not-the-credential'));
  });

  it("alice's credential cannot send as bob: 401 and nothing stored for bob", async ({ app, store }) => {
    const alice = companionHeaders(KEY, 'alice');
    const reply = await postEvents(app.url, [buildCellEvent({ userId: 'bob' })], { headers: { ...alice, 'x-cell-monitor-user': 'bob' } });
    assert.is(reply.status, 401);
    const ok = buildCellEvent({ userId: 'bob' });
    assert.is((await postEvents(app.url, [ok], { headers: alice })).status, 202);
    await waitFor(() => store('events').where({ event_id: ok.eventId }).first(), 10_000, "alice's event");
    assert.is(await countRows(store, 'events', { user_id: 'bob' }), 0);
  });

  it('a credential without the user header → 400 missing_user_header; a malformed header → 400', async ({ app }) => {
    const credential = companionHeaders(KEY, 'alice').authorization;
    const missing = await postEvents(app.url, [buildCellEvent()], { headers: { authorization: credential } });
    assert.is(missing.status, 400);
    assert.is(missing.body.error, 'missing_user_header');
    const malformed = await postEvents(app.url, [buildCellEvent()], { headers: { authorization: credential, 'x-cell-monitor-user': '%E0%A4%A' } });
    assert.is(malformed.status, 400);
    assert.is(malformed.body.error, 'invalid_user_header');
  });

  it('the stamp overrides the userId in the body; 王小明 arrives percent-encoded and is stored as 王小明', async ({ app, store }) => {
    const event = buildCellEvent({ userId: 'mallory' });
    const reply = await postEvents(app.url, [event], { headers: companionHeaders(KEY, '王小明') });
    assert.is(reply.status, 202);
    const row = await waitFor(() => store('events').where({ event_id: event.eventId }).first(), 10_000, 'stamped event');
    assert.is(row.user_id, '王小明');
    const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
    assert.is(payload.userId, '王小明');
    assert.ok(await store('students').where({ user_id: '王小明' }).first());
    assert.not.ok(await store('students').where({ user_id: 'mallory' }).first());
  });

  it('only JSON: text/plain (a cross-site form post) and Content-Encoding br → 415', async ({ app }) => {
    const headers = companionHeaders(KEY, 'alice');
    const plain = await fetch(`${app.url}/api/v1/events`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: JSON.stringify([buildCellEvent()]) });
    assert.is(plain.status, 415);
    assert.is(((await plain.json()) as { error: string }).error, 'unsupported_media_type');
    const br = await postEvents(app.url, [buildCellEvent()], { headers: { ...headers, 'content-encoding': 'br' } });
    assert.is(br.status, 415);
  });

  it.run();
}

const keyless = suite<{ app: RunningCollector; proxied: RunningCollector; services: Services }>('without INGEST_KEY');
keyless.before(async (ctx) => {
  ctx.services = await startServices('embedded');
  ctx.app = await startCollector(ctx.services.env());
  // One hop of trusted proxy: X-Forwarded-For says who the client is, as behind a load balancer.
  ctx.proxied = await startCollector(ctx.services.env({ TRUSTED_PROXY_HOPS: '1' }));
});
keyless.after(async (ctx) => {
  await ctx.app?.close();
  await ctx.proxied?.close();
  await ctx.services?.stop();
});

keyless('ingest from this machine works; from another address it is 403 loopback_only', async ({ app, proxied }) => {
  assert.is((await postEvents(app.url, [buildCellEvent()])).status, 202);
  const local = await postEvents(proxied.url, [buildCellEvent()], { headers: { 'x-forwarded-for': '127.0.0.1' } });
  assert.is(local.status, 202);
  const remote = await postEvents(proxied.url, [buildCellEvent()], { headers: { 'x-forwarded-for': '203.0.113.9' } });
  assert.is(remote.status, 403);
  assert.is(remote.body.error, 'loopback_only');
});

keyless('the student routes are closed (401): without a key nothing tells one student from another', async ({ app }) => {
  for (const path of ['/api/v1/student/assignments', '/api/v1/student/notifications']) {
    const res = await fetch(app.url + path, { headers: { 'x-cell-monitor-user': 'alice' } });
    assert.is(res.status, 401, path);
    assert.is(((await res.json()) as { error: string }).error, 'student_routes_disabled');
  }
});

keyless('another Host name (DNS rebinding) gets 403 host_not_allowed on HTTP and WebSocket; localhost names pass', async ({ app }) => {
  const port = new URL(app.url).port;
  const events = JSON.stringify([buildCellEvent()]);
  const rebound = await rawRequest(`${app.url}/api/v1/events`, { method: 'POST', headers: { host: `attacker.example:${port}`, 'content-type': 'application/json' }, body: events });
  assert.is(rebound.status, 403);
  assert.is(rebound.body.error, 'host_not_allowed');
  assert.is((await rawRequest(`${app.url}/healthz`, { headers: { host: 'attacker.example' } })).status, 403);
  assert.is((await rawRequest(`${app.url}/healthz`, { headers: { host: `localhost:${port}` } })).status, 200);
  assert.is((await rawRequest(`${app.url}/api/v1/events`, { method: 'POST', headers: { host: `[::1]:${port}`, 'content-type': 'application/json' }, body: events })).status, 202);
  const ws = await new Promise<number>((resolve, reject) => {
    const req = http.request(`${app.url}/ws`, { headers: { host: 'attacker.example', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    req.on('response', (res) => resolve(res.statusCode ?? 0));
    req.on('upgrade', () => resolve(101));
    req.on('error', reject);
    req.end();
  });
  assert.is(ws, 403);
  assert.is(await upgradeStatus(`${app.url.replace('http', 'ws')}/ws`), 401, 'no token: the upgrade is refused, not opened');
});

keyless.run();
