/**
 * Quotas (security review, finding 8): one student cannot flood ingest (429 + Retry-After, other
 * students unaffected), submissions are capped in size and in number per student and assignment,
 * and the buffer has a disk cap by default.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '@cell-monitor/collector';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { login } from '../helpers/http.ts';
import { buildEvents, companionHeaders, modesToTest, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';

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
    app = await startCollector(services.env({ JWT_SECRET: SECRET, INGEST_KEY: KEY, INGEST_RATE_LIMIT: '150', SUBMISSION_MAX_BYTES: String(64 * 1024), SUBMISSIONS_KEPT: '3' }));
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
  assert.is(config.submissionsKept, 10);
});

defaults.run();
