/**
 * Instructor accounts, JWT auth and instructor status, on the embedded store (SQLite) and on real
 * PostgreSQL. The auth matrix and the OpenAPI check are generated from the collector's own route
 * table and router, so a new route is covered (or fails) without anyone listing it here.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { login, request } from '../helpers/http.ts';
import { nextSecond, tempDir, waitFor } from '../helpers/services.ts';
import { modesToTest, ROOT, spawnCollector, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';

const SECRET = 'test-jwt-secret-0123456789-abcdefghijklmnop';
const ADMIN = { email: 'ada@example.org', name: 'Ada Admin', password: 'admin-password-1', role: 'admin' as const };
const TEACHER_ACCOUNT = { email: 'tom@example.org', name: 'Tom Teacher', password: 'teacher-password-1', role: 'instructor' as const };

const call = request;
const signIn = (base: string, who: { email: string; password: string }) => login(base, who.email, who.password);

for (const mode of modesToTest()) {
  const label = mode === 'embedded' ? 'sqlite' : 'postgresql';
  const it = suite(`instructors and auth [${label}]`);
  const TEACHER = { ...TEACHER_ACCOUNT }; // its password changes in a test below
  let services: Services;
  let running: RunningCollector;
  let base: string;
  let adminId: number;
  let teacherId: number;

  it.before(async () => {
    services = await startServices(mode);
    running = await startCollector(services.env({ JWT_SECRET: SECRET }));
    base = running.url;
    adminId = (await createInstructor(running.collector.db, ADMIN)).id;
    teacherId = (await createInstructor(running.collector.db, TEACHER)).id;
  });
  it.after(async () => {
    await running.close();
    await services.stop();
  });

  it('login returns the instructor and a token; me answers with it; bad logins are 401/403/422', async () => {
    const reply = await call(base, 'post', '/api/v1/auth/login', { body: { email: 'ADA@example.org ', password: ADMIN.password } });
    assert.is(reply.status, 200);
    assert.is(reply.body.token_type, 'bearer');
    assert.is(reply.body.instructor.email, ADMIN.email);
    assert.is(reply.body.instructor.role, 'admin');
    assert.is(reply.body.instructor.status, 'available', 'login sets the status');
    assert.is(reply.body.instructor.password_hash, undefined);
    assert.ok(Date.parse(reply.body.expires_at) > Date.now());
    const me = await call(base, 'get', '/api/v1/auth/me', { token: reply.body.token });
    assert.is(me.status, 200);
    assert.is(me.body.id, adminId);

    const wrong = await call(base, 'post', '/api/v1/auth/login', { body: { email: ADMIN.email, password: 'not-the-password' } });
    assert.is(wrong.status, 401);
    assert.is(wrong.body.error, 'invalid_credentials');
    const unknown = await call(base, 'post', '/api/v1/auth/login', { body: { email: 'nobody@example.org', password: 'whatever-123' } });
    assert.is(unknown.status, 401);
    assert.is(unknown.body.error, 'invalid_credentials', 'an unknown email looks the same as a wrong password');
    const missing = await call(base, 'post', '/api/v1/auth/login', { body: { email: ADMIN.email } });
    assert.is(missing.status, 422);
    assert.equal(missing.body.details.fields, [{ field: 'password', message: 'password is required' }]);
    const junk = await call(base, 'post', '/api/v1/auth/login', { raw: '{"email":' });
    assert.is(junk.status, 400);
    assert.is(junk.body.error, 'malformed_json');
  });

  it('logout revokes the token at once and sets the status offline; other tokens keep working', async () => {
    const first = await signIn(base, TEACHER);
    const second = await signIn(base, TEACHER);
    const out = await call(base, 'post', '/api/v1/auth/logout', { token: first });
    assert.is(out.status, 200);
    assert.is(out.body.message, 'Successfully logged out');
    const after = await call(base, 'get', '/api/v1/auth/me', { token: first });
    assert.is(after.status, 401);
    assert.is(after.body.error, 'token_revoked');
    const other = await call(base, 'get', '/api/v1/auth/me', { token: second });
    assert.is(other.status, 200);
    assert.is(other.body.status, 'offline');
  });

  it('password change needs the current password, refuses a weak one, and ends every other token', async () => {
    const token = await signIn(base, TEACHER);
    const otherDevice = await signIn(base, TEACHER);
    const wrong = await call(base, 'put', '/api/v1/auth/password', { token, body: { current_password: 'nope-nope-nope', new_password: 'brand-new-password' } });
    assert.is(wrong.status, 400);
    assert.is(wrong.body.error, 'wrong_current_password');
    const weak = await call(base, 'put', '/api/v1/auth/password', { token, body: { current_password: TEACHER.password, new_password: 'short' } });
    assert.is(weak.status, 422);
    assert.is(weak.body.details.fields[0].field, 'new_password');
    await nextSecond(); // tokens carry whole seconds: the change must be in a later second
    const changed = await call(base, 'put', '/api/v1/auth/password', { token, body: { current_password: TEACHER.password, new_password: 'brand-new-password' } });
    assert.is(changed.status, 200);
    assert.is((await call(base, 'get', '/api/v1/auth/me', { token: changed.body.token })).status, 200, 'the fresh token works');
    const old = await call(base, 'get', '/api/v1/auth/me', { token: otherDevice });
    assert.is(old.status, 401);
    assert.is(old.body.error, 'token_superseded');
    const oldPassword = await call(base, 'post', '/api/v1/auth/login', { body: { email: TEACHER.email, password: TEACHER.password } });
    assert.is(oldPassword.status, 401);
    TEACHER.password = 'brand-new-password';
    await signIn(base, TEACHER);
  });

  it('admins manage accounts: create (409 on a taken email), list with skip/limit/is_active, get, partial update, 404s', async () => {
    const admin = await signIn(base, ADMIN);
    const created = await call(base, 'post', '/api/v1/instructors', { token: admin, body: { email: 'Eve@Example.org', name: 'Eve', password: 'eve-password-1' } });
    assert.is(created.status, 201);
    assert.is(created.body.email, 'eve@example.org');
    assert.is(created.body.role, 'instructor');
    assert.is(created.body.is_active, true);
    const taken = await call(base, 'post', '/api/v1/instructors', { token: admin, body: { email: 'EVE@example.org', name: 'Eve 2', password: 'eve-password-2' } });
    assert.is(taken.status, 409);
    assert.is(taken.body.error, 'email_taken');
    const invalid = await call(base, 'post', '/api/v1/instructors', { token: admin, body: { email: 'not-an-email', name: '', password: 'x', role: 'owner', extra: 1 } });
    assert.is(invalid.status, 422);
    assert.equal([...new Set(invalid.body.details.fields.map((f: { field: string }) => f.field))].sort(), ['email', 'extra', 'name', 'password', 'role']);
    assert.ok(invalid.body.details.fields.some((f: { field: string; message: string }) => f.field === 'extra' && /not a known field/.test(f.message)));

    const page = await call(base, 'get', '/api/v1/instructors?skip=1&limit=1', { token: admin });
    assert.is(page.status, 200);
    assert.is(page.body.length, 1);
    assert.is(page.body[0].id, teacherId);
    assert.is(page.headers.get('x-total-count'), '3');
    for (const bad of ['limit=0', 'limit=201', 'skip=-1', 'limit=abc', 'is_active=maybe']) {
      const reply = await call(base, 'get', `/api/v1/instructors?${bad}`, { token: admin });
      assert.is(reply.status, 422, bad);
    }
    const one = await call(base, 'get', `/api/v1/instructors/${created.body.id}`, { token: admin });
    assert.is(one.body.name, 'Eve');
    const renamed = await call(base, 'put', `/api/v1/instructors/${created.body.id}`, { token: admin, body: { name: 'Eve Evans' } });
    assert.is(renamed.status, 200);
    assert.is(renamed.body.name, 'Eve Evans');
    assert.is(renamed.body.role, 'instructor', 'partial update keeps the rest');
    for (const route of ['/api/v1/instructors/9999', '/api/v1/instructors/abc']) {
      assert.is((await call(base, 'get', route, { token: admin })).status, 404, route);
    }
    const missing = await call(base, 'put', '/api/v1/instructors/9999', { token: admin, body: { name: 'x' } });
    assert.equal([missing.status, missing.body.error], [404, 'instructor_not_found'], 'one 404 id convention: <resource>_not_found');
    assert.is((await call(base, 'delete', '/api/v1/instructors/9999', { token: admin })).status, 404);
  });

  it('delete deactivates: the account cannot log in (403), its tokens stop; an admin cannot delete or demote themself', async () => {
    const admin = await signIn(base, ADMIN);
    const victim = await call(base, 'post', '/api/v1/instructors', { token: admin, body: { email: 'gone@example.org', name: 'Gone', password: 'gone-password-1' } });
    const victimToken = await signIn(base, { email: 'gone@example.org', password: 'gone-password-1' });
    const deleted = await call(base, 'delete', `/api/v1/instructors/${victim.body.id}`, { token: admin });
    assert.is(deleted.status, 200);
    assert.is(deleted.body.is_active, false);
    const again = await call(base, 'post', '/api/v1/auth/login', { body: { email: 'gone@example.org', password: 'gone-password-1' } });
    assert.is(again.status, 403);
    assert.is(again.body.error, 'account_inactive');
    const stale = await call(base, 'get', '/api/v1/auth/me', { token: victimToken });
    assert.is(stale.status, 401);
    assert.is(stale.body.error, 'account_inactive');
    const inactive = await call(base, 'get', '/api/v1/instructors?is_active=false', { token: admin });
    assert.equal(inactive.body.map((i: { id: number }) => i.id), [victim.body.id]);

    const self = await call(base, 'delete', `/api/v1/instructors/${adminId}`, { token: admin });
    assert.is(self.status, 400);
    assert.is(self.body.error, 'cannot_delete_self');
    const demote = await call(base, 'put', `/api/v1/instructors/${adminId}`, { token: admin, body: { role: 'instructor' } });
    assert.is(demote.status, 400);
  });

  it('instructor status: own changes recorded in a history with durations; others only by admins; 404 and 422', async () => {
    const teacher = await signIn(base, TEACHER);
    const admin = await signIn(base, ADMIN);
    const set = await call(base, 'put', `/api/v1/instructor_status/${teacherId}`, { token: teacher, body: { status: 'in_session', current_session_id: 'lecture-7' } });
    assert.is(set.status, 200);
    assert.is(set.body.status, 'in_session');
    assert.is(set.body.current_session_id, 'lecture-7');
    await new Promise((r) => setTimeout(r, 1100)); // time must pass: the history's durations are what is checked
    await call(base, 'put', `/api/v1/instructor_status/${teacherId}`, { token: teacher, body: { status: 'break' } });
    const got = await call(base, 'get', `/api/v1/instructor_status/${teacherId}`, { token: admin });
    assert.equal([got.body.status, got.body.current_session_id], ['break', 'lecture-7']);

    const history = await call(base, 'get', `/api/v1/instructor_status/${teacherId}/history?limit=2`, { token: teacher });
    assert.is(history.status, 200);
    assert.equal(history.body.map((h: { status: string }) => h.status), ['break', 'in_session'], 'newest first');
    assert.is(history.body[0].ended_at, null);
    assert.ok(history.body[1].ended_at);
    assert.ok(history.body[1].duration_seconds >= 1, `in_session lasted ${history.body[1].duration_seconds} s`);

    const others = await call(base, 'put', `/api/v1/instructor_status/${adminId}`, { token: teacher, body: { status: 'busy' } });
    assert.is(others.status, 403);
    const byAdmin = await call(base, 'put', `/api/v1/instructor_status/${teacherId}`, { token: admin, body: { status: 'available' } });
    assert.is(byAdmin.status, 200);
    assert.is((await call(base, 'put', `/api/v1/instructor_status/${teacherId}`, { token: teacher, body: { status: 'sleeping' } })).status, 422);
    assert.is((await call(base, 'get', '/api/v1/instructor_status/9999', { token: teacher })).status, 404);
    assert.is((await call(base, 'get', '/api/v1/instructor_status/9999/history', { token: teacher })).status, 404);
  });

  it('bulk status: 200 when every update succeeds, 207 with per-item results otherwise', async () => {
    const admin = await signIn(base, ADMIN);
    const teacher = await signIn(base, TEACHER);
    const all = await call(base, 'post', '/api/v1/instructor_status/bulk', {
      token: admin,
      body: { updates: [{ instructor_id: adminId, status: 'busy' }, { instructor_id: teacherId, status: 'in_session', current_session_id: 's-1' }] },
    });
    assert.is(all.status, 200);
    assert.is(all.body.updated_count, 2);
    const some = await call(base, 'post', '/api/v1/instructor_status/bulk', {
      token: teacher,
      body: { updates: [{ instructor_id: teacherId, status: 'available' }, { instructor_id: adminId, status: 'offline' }, { instructor_id: 9999, status: 'offline' }] },
    });
    assert.is(some.status, 207);
    assert.is(some.body.updated_count, 1);
    assert.equal(
      some.body.results.map((r: { success: boolean; error?: string }) => [r.success, r.error ?? null]),
      [
        [true, null],
        [false, 'forbidden'],
        [false, 'instructor_not_found'],
      ],
    );
    assert.is((await call(base, 'get', `/api/v1/instructor_status/${adminId}`, { token: admin })).body.status, 'busy', 'the refused item changed nothing');
    assert.is((await call(base, 'post', '/api/v1/instructor_status/bulk', { token: admin, body: { updates: [] } })).status, 422);
  });

  it('auth matrix, generated from the route table: every protected route refuses no, forged, expired and revoked tokens; instructors cannot use admin routes', async () => {
    const specs = running.collector.routeSpecs().filter((s) => s.access === 'instructor' || s.access === 'admin');
    assert.ok(specs.length >= 12, `${specs.length} protected routes`);
    const revoked = await signIn(base, TEACHER);
    await call(base, 'post', '/api/v1/auth/logout', { token: revoked });
    const teacher = await signIn(base, TEACHER);
    const claims = { role: 'admin' };
    const options = { subject: String(adminId), issuer: 'cell-monitor', audience: 'cell-monitor-instructor', jwtid: 'forged-1' };
    const forged = jwt.sign(claims, 'some-other-secret-of-enough-length-000', { ...options, expiresIn: 600 });
    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, SECRET, options);
    const cases: Array<[string, string | undefined, string]> = [
      ['no token', undefined, 'missing_token'],
      ['forged', forged, 'invalid_token'],
      ['expired', expired, 'token_expired'],
      ['revoked', revoked, 'token_revoked'],
    ];
    for (const spec of specs) {
      const route = spec.path.replace(/:[A-Za-z_]+/g, String(teacherId));
      for (const [what, token, error] of cases) {
        const reply = await call(base, spec.method, route, { token, ...(spec.method === 'get' || spec.method === 'delete' ? {} : { body: {} }) });
        assert.is(reply.status, 401, `${spec.method} ${spec.path} with ${what}: ${reply.status}`);
        assert.is(reply.body.error, error, `${spec.method} ${spec.path} with ${what}`);
      }
      if (spec.access === 'admin') {
        const reply = await call(base, spec.method, route, { token: teacher, ...(spec.method === 'get' || spec.method === 'delete' ? {} : { body: {} }) });
        assert.is(reply.status, 403, `${spec.method} ${spec.path} as an instructor`);
      }
    }
  });

  it('the OpenAPI document lists exactly the routes the router serves', async () => {
    const reply = await call(base, 'get', '/api/v1/openapi.json');
    assert.is(reply.status, 200);
    const documented = Object.entries(reply.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m} ${p}`))
      .sort();
    const served = running.collector
      .routes()
      .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`)
      .sort();
    assert.equal(documented, served);
    const login = reply.body.paths['/api/v1/auth/login'].post;
    assert.equal(login.requestBody.content['application/json'].schema.required, ['email', 'password']);
    assert.ok(reply.body.paths['/api/v1/instructors'].get.responses['403']);
  });

  it('10 wrong passwords lock that email (from this address) with 429 + Retry-After, even for the right password; other accounts are unaffected', async () => {
    await createInstructor(running.collector.db, { email: 'target@example.org', name: 'Target', password: 'target-password-1', role: 'instructor' });
    for (let i = 0; i < 10; i++) {
      const wrong = await call(base, 'post', '/api/v1/auth/login', { body: { email: 'target@example.org', password: `guess-${i}-password` } });
      assert.is(wrong.status, 401, `attempt ${i + 1}`);
    }
    const locked = await call(base, 'post', '/api/v1/auth/login', { body: { email: 'Target@example.org', password: 'target-password-1' } });
    assert.is(locked.status, 429);
    assert.is(locked.body.error, 'too_many_attempts');
    assert.ok(Number(locked.headers.get('retry-after')) > 60, `Retry-After ${locked.headers.get('retry-after')}`);
    await signIn(base, ADMIN);
  });

  it('30 parallel wrong passwords: the attempts are counted before checking, so at most 10 are verified; the HTTP thread stays responsive', async () => {
    await createInstructor(running.collector.db, { email: 'flood@example.org', name: 'Flood', password: 'flood-password-1', role: 'instructor' });
    const health: number[] = [];
    let flooding = true;
    const probe = (async () => {
      while (flooding) {
        const t = performance.now();
        await fetch(`${base}/healthz`);
        health.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(base, 'post', '/api/v1/auth/login', { body: { email: 'flood@example.org', password: `wrong-guess-${i}` }, headers: { 'x-forwarded-for': '198.51.100.7' } })),
    );
    flooding = false;
    await probe;
    const counts = { 401: 0, 429: 0 } as Record<number, number>;
    for (const r of replies) counts[r.status] = (counts[r.status] ?? 0) + 1;
    console.log(`# 30 parallel wrong logins: ${counts[401]} checked (401), ${counts[429]} refused unchecked (429); /healthz meanwhile: max ${Math.max(...health).toFixed(0)} ms over ${health.length} probes`);
    assert.is(counts[401] + counts[429], 30);
    assert.ok(counts[401] <= 10, `${counts[401]} passwords were checked`);
  });

  it('one address trying many accounts is stopped after 50 attempts; behind a trusted proxy X-Forwarded-For tells clients apart', async () => {
    const proxied = await startCollector(services.env({ JWT_SECRET: SECRET, TRUSTED_PROXY_HOPS: '1' }));
    try {
      // Until its Redis connection is up a collector counts in memory; start once it counts in Redis.
      await waitFor(async () => (await fetch(`${proxied.url}/readyz`)).status === 200, 10_000, 'collector ready');
      const attempt = (i: number, from: string) =>
        call(proxied.url, 'post', '/api/v1/auth/login', { body: { email: `nobody-${i}@example.org`, password: 'wrong-password-1' }, headers: { 'x-forwarded-for': from } });
      for (let i = 0; i < 50; i++) assert.is((await attempt(i, '203.0.113.50')).status, 401, `attempt ${i + 1}`);
      const stopped = await attempt(50, '203.0.113.50');
      assert.is(stopped.status, 429);
      assert.ok(Number(stopped.headers.get('retry-after')) > 60);
      assert.is((await attempt(51, '203.0.113.51')).status, 401, 'another client address is not locked out');
      const right = await call(proxied.url, 'post', '/api/v1/auth/login', { body: { email: ADMIN.email, password: ADMIN.password }, headers: { 'x-forwarded-for': '203.0.113.52' } });
      assert.is(right.status, 200);
    } finally {
      await proxied.close();
    }
  });

  it.run();
}

const cli = suite('instructors: CLI and configuration');

cli('create-instructor makes the first admin; with REDIS_URL start refuses to run without JWT_SECRET and names it; secrets stay out of the log', async () => {
  const dataDir = tempDir('cli');
  const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'info', DATABASE_URL: `sqlite://${path.join(dataDir, 'store.sqlite')}` };
  const main = path.join(ROOT, 'collector/src/main.ts');
  const created = spawnSync(process.execPath, ['--import', 'tsx', main, 'create-instructor', '--email', 'root@example.org', '--name', 'Root'], {
    env,
    input: 'root-password-123\n',
    encoding: 'utf8',
  });
  assert.is(created.status, 0, created.stderr);
  assert.match(created.stdout, /created admin #1 root@example.org/);
  assert.not.match(created.stdout + created.stderr, /root-password-123/);
  const twice = spawnSync(process.execPath, ['--import', 'tsx', main, 'create-instructor', '--email', 'root@example.org', '--name', 'Root'], { env, input: 'root-password-123\n', encoding: 'utf8' });
  assert.is(twice.status, 1);
  assert.match(twice.stderr, /already exists/);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', main, 'create-instructor', '--name', 'No Email'], { env, input: 'x\n', encoding: 'utf8' });
  assert.is(bad.status, 2);

  // Collectors behind one Redis must share the secret; the embedded default makes its own (live.test.ts).
  const refused = spawnSync(process.execPath, ['--import', 'tsx', main, 'start'], { env: { ...env, PORT: '0', REDIS_URL: 'redis://127.0.0.1:1' }, encoding: 'utf8', timeout: 30_000 });
  assert.is(refused.status, 2);
  assert.match(refused.stderr, /JWT_SECRET is required/);

  const collector = await spawnCollector({ DATA_DIR: dataDir, DATABASE_URL: env.DATABASE_URL, JWT_SECRET: SECRET });
  try {
    const token = await signIn(collector.url, { email: 'root@example.org', password: 'root-password-123' });
    await call(collector.url, 'put', '/api/v1/auth/password', { token, body: { current_password: 'root-password-123', new_password: 'root-password-456' } });
    await call(collector.url, 'post', '/api/v1/auth/login', { body: { email: 'root@example.org', password: 'wrong-password' } });
    await waitFor(() => collector.output().includes('login failed'), 10_000, 'the failed login logged');
    const log = collector.output();
    assert.match(log, /instructor logged in/);
    for (const secret of [SECRET, 'root-password-123', 'root-password-456', 'wrong-password', token]) assert.not.ok(log.includes(secret), 'a secret reached the log');
  } finally {
    collector.child.kill('SIGTERM');
    await collector.exited;
  }
});

cli.run();
