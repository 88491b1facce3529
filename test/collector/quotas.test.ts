/**
 * Quotas (security review, finding 8): one student cannot flood ingest (429 + Retry-After, other
 * students unaffected), submissions are capped in size and in number per student and assignment,
 * and the buffer has a disk cap by default. Issue 18 item 12: a byte budget per student, a cap on
 * metadata keys, at most 10 environments kept per student.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '@cell-monitor/collector';
import { LIMITS } from '@cell-monitor/shared';
import { MAX_ENVIRONMENTS_PER_STUDENT } from '../../collector/src/environment/store.ts';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { login } from '../helpers/http.ts';
import { waitFor } from '../helpers/services.ts';
import { buildCellEvent, buildEvents, companionHeaders, countRows, modesToTest, openStore, postEvents, settle, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';

const SECRET = 'quota-test-jwt-secret-0123456789-abcdefgh';
const KEY = 'quota-test-master-key-0123456789';
const notebook = (bytes: number) => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'markdown', metadata: {}, source: 'x'.repeat(bytes) }] });

for (const mode of modesToTest()) {
  const it = suite(`quotas [${mode}]`);
  let services: Services;
  let app: RunningCollector;
  let token: string;
  let assignmentId: number;

  const student = (user: string, method: string, path: string, body?: unknown) =>
    fetch(app.url + path, { method, headers: { ...companionHeaders(KEY, user), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const instructor = (method: string, path: string, body?: unknown) =>
    fetch(app.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET, INGEST_KEY: KEY, INGEST_RATE_LIMIT: '150', INGEST_MAX_BYTES: String(256 * 1024), INGEST_BYTES_PER_MINUTE: String(1024 * 1024), SUBMISSION_MAX_BYTES: String(64 * 1024), SUBMISSIONS_KEPT: '3' }));
    await createInstructor(app.collector.db, { email: 'ada@example.org', name: 'Ada', password: 'ada-password-1', role: 'admin' });
    token = await login(app.url, 'ada@example.org', 'ada-password-1');
    const cls = (await (await instructor('POST', '/api/v1/classes', { name: 'Q', class_code: 'Q1' })).json()) as { id: number };
    assert.is((await instructor('POST', `/api/v1/classes/${cls.id}/students`, { user_id: 'alice' })).status, 201);
    assignmentId = ((await (await instructor('POST', '/api/v1/assignments', { class_id: cls.id, notebook_path: 'q.ipynb', title: 'Q' })).json()) as { id: number }).id;
  });
  it.after(async () => {
    await app.close();
    await services.stop();
  });

  it('one student over INGEST_RATE_LIMIT events a minute gets 429 with Retry-After; another student is still accepted', async () => {
    assert.is((await postEvents(app.url, buildEvents(100, { userId: 'alice' }), { headers: companionHeaders(KEY, 'alice') })).status, 202);
    const over = await postEvents(app.url, buildEvents(100, { userId: 'alice' }), { headers: companionHeaders(KEY, 'alice') });
    assert.is(over.status, 429);
    assert.is(over.body.error, 'rate_limited');
    const wait = Number(over.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
    assert.is((await postEvents(app.url, buildEvents(100, { userId: 'bob' }), { headers: companionHeaders(KEY, 'bob') })).status, 202);
  });

  if (mode === 'postgres+redis') {
    it('the budgets are shared by every collector on one Redis: a student spreading her posts over two gets one share', async () => {
      const second = await startCollector(services.env({ JWT_SECRET: SECRET, INGEST_KEY: KEY, INGEST_RATE_LIMIT: '150', INGEST_MAX_BYTES: String(256 * 1024), INGEST_BYTES_PER_MINUTE: String(1024 * 1024) }));
      try {
        assert.is((await postEvents(app.url, buildEvents(100, { userId: 'dave' }), { headers: companionHeaders(KEY, 'dave') })).status, 202);
        const elsewhere = await postEvents(second.url, buildEvents(100, { userId: 'dave' }), { headers: companionHeaders(KEY, 'dave') });
        assert.is(elsewhere.status, 429, 'the other collector counts her first 100 events too');
        assert.is(elsewhere.body.error, 'rate_limited');
        const big = () => [buildCellEvent({ userId: 'frank', code: 'x'.repeat(200 * 1024) })];
        for (let i = 0; i < 5; i++) assert.is((await postEvents(i % 2 ? second.url : app.url, big(), { headers: companionHeaders(KEY, 'frank') })).status, 202, `request ${i + 1}`);
        const over = await postEvents(second.url, big(), { headers: companionHeaders(KEY, 'frank') });
        assert.is(over.status, 429);
        assert.is(over.body.error, 'byte_budget_exceeded');
      } finally {
        await second.close();
      }
    });
  }

  it('one student over INGEST_BYTES_PER_MINUTE gets 429 byte_budget_exceeded with Retry-After, nothing of that request stored; another student is still accepted', async () => {
    const big = () => [buildCellEvent({ userId: 'carol', code: 'x'.repeat(200 * 1024) })];
    for (let i = 0; i < 5; i++) assert.is((await postEvents(app.url, big(), { headers: companionHeaders(KEY, 'carol') })).status, 202, `request ${i + 1}: 1 MiB a minute holds five of 200 KiB`);
    const refused = big();
    const over = await postEvents(app.url, refused, { headers: companionHeaders(KEY, 'carol') });
    assert.is(over.status, 429);
    assert.is(over.body.error, 'byte_budget_exceeded');
    const wait = Number(over.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
    const small = await postEvents(app.url, [buildCellEvent({ userId: 'carol' })], { headers: companionHeaders(KEY, 'carol') });
    assert.is(small.status, 429, 'a spent budget refuses before reading the body');
    assert.is((await postEvents(app.url, big(), { headers: companionHeaders(KEY, 'bob') })).status, 202);
    const store = openStore(services.databaseUrl);
    try {
      // Carol's 1 MiB is over one transaction's share per student (persist/fairWindow.ts): the
      // sentinel of another student may be stored before all of hers, so wait for hers first.
      await waitFor(async () => (await countRows(store, 'events', { user_id: 'carol' })) >= 5 || undefined, 15_000, "carol's five accepted requests stored");
      await settle(app.url, store, companionHeaders(KEY, 'sentinel'));
      assert.is(await countRows(store, 'events', { user_id: 'carol' }), 5);
      assert.is(await countRows(store, 'events', { event_id: refused[0].eventId }), 0);
    } finally {
      await store.destroy();
    }
  });

  it(`an event whose metadata holds more than ${LIMITS.maxMetadataKeys} keys is refused (422 too_many_keys); at the cap it is stored`, async () => {
    const withKeys = (n: number, nested: boolean) => {
      const keys = Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1]));
      return buildCellEvent({ userId: 'erin', metadata: nested ? { deep: { deeper: keys } } : keys });
    };
    for (const nested of [false, true]) {
      const over = await postEvents(app.url, [withKeys(LIMITS.maxMetadataKeys + 1, nested)], { headers: companionHeaders(KEY, 'erin') });
      assert.is(over.status, 422);
      assert.is(over.body.details.rejected[0].error, 'too_many_keys');
    }
    const atCap = await postEvents(app.url, [withKeys(LIMITS.maxMetadataKeys - 2, true)], { headers: companionHeaders(KEY, 'erin') });
    assert.is(atCap.status, 202, JSON.stringify(atCap.body).slice(0, 300));
    // Unknown top-level fields become metadata: they count too.
    const flat = { ...buildCellEvent({ userId: 'erin' }), ...Object.fromEntries(Array.from({ length: LIMITS.maxMetadataKeys + 1 }, (_, i) => [`extra${i}`, 1])) };
    const refused = await postEvents(app.url, [flat], { headers: companionHeaders(KEY, 'erin') });
    assert.is(refused.status, 422);
    assert.is(refused.body.details.rejected[0].error, 'too_many_keys');
  });

  it(`at most ${MAX_ENVIRONMENTS_PER_STUDENT} distinct environments are kept per student: the ones seen longest ago give way`, async () => {
    const environment = (i: number) => ({
      eventId: `env-dora-${i}-${Math.random().toString(36).slice(2)}`,
      eventType: 'kernel_environment',
      eventTime: new Date(Date.now() - (20 - i) * 60_000).toISOString(),
      userId: 'dora',
      metadata: { environment: { python: '3.11.7', implementation: 'CPython', platform: 'Linux', kernelName: 'python3', packages: { pandas: `2.${i}.0`, numpy: '1.26.4' } } },
    });
    const reports = Array.from({ length: 14 }, (_, i) => environment(i));
    assert.is((await postEvents(app.url, reports.slice(0, 7), { headers: companionHeaders(KEY, 'dora') })).status, 202);
    assert.is((await postEvents(app.url, reports.slice(7), { headers: companionHeaders(KEY, 'dora') })).status, 202);
    const store = openStore(services.databaseUrl);
    try {
      await settle(app.url, store, companionHeaders(KEY, 'sentinel'));
      const kept = await store('student_environments').where({ user_id: 'dora' }).select('packages');
      const versions = kept.map((r) => JSON.parse(r.packages).pandas as string).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
      assert.equal(versions, Array.from({ length: MAX_ENVIRONMENTS_PER_STUDENT }, (_, i) => `2.${i + 14 - MAX_ENVIRONMENTS_PER_STUDENT}.0`));
    } finally {
      await store.destroy();
    }
  });

  it('a notebook over SUBMISSION_MAX_BYTES is 413, from the student and from an instructor', async () => {
    const big = await student('alice', 'POST', '/api/v1/student/submissions', { assignment_id: assignmentId, notebook_content: notebook(100 * 1024) });
    assert.is(big.status, 413);
    assert.is(((await big.json()) as { error: string }).error, 'payload_too_large');
    const byInstructor = await instructor('POST', '/api/v1/submissions', { assignment_id: assignmentId, student_id: 1, notebook_content: notebook(100 * 1024) });
    assert.is(byInstructor.status, 413);
  });

  it('at most SUBMISSIONS_KEPT per student and assignment: the oldest ungraded give way; when all kept ones are graded, 409', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await student('alice', 'POST', '/api/v1/student/submissions', { assignment_id: assignmentId, notebook_content: notebook(10), submission_comment: `try ${i}` });
      assert.is(res.status, 201);
      ids.push(((await res.json()) as { submission_id: number }).submission_id);
    }
    const mine = (await (await student('alice', 'GET', '/api/v1/student/submissions')).json()) as Array<{ id: number; submission_comment: string }>;
    assert.equal(mine.map((s) => s.submission_comment), ['try 4', 'try 3', 'try 2'], 'the newest three are kept');
    for (const s of mine) assert.is((await instructor('PUT', `/api/v1/submissions/${s.id}`, { score: 80 })).status, 200);
    const refused = await student('alice', 'POST', '/api/v1/student/submissions', { assignment_id: assignmentId, notebook_content: notebook(10) });
    assert.is(refused.status, 409);
    assert.is(((await refused.json()) as { error: string }).error, 'submission_limit_reached');
    const after = (await (await student('alice', 'GET', '/api/v1/student/submissions')).json()) as Array<{ score: number }>;
    assert.equal(after.map((s) => s.score), [80, 80, 80], 'graded submissions are never deleted');
  });

  it.run();
}

const defaults = suite('quota defaults');
defaults('the buffer has a disk cap by default (2 GiB), submissions follow the companion limit (6 MiB)', () => {
  const config = loadConfig({});
  assert.is(config.bufferMaxBytes, 2048 * 1024 * 1024);
  assert.is(config.submissionMaxBytes, 6 * 1024 * 1024);
  assert.is(config.ingestRateLimit, 6000);
  assert.is(config.ingestBytesPerMinute, 16 * 1024 * 1024);
  assert.is(config.submissionsKept, 10);
});

defaults.run();
