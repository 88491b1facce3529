/**
 * The embedded store is one SQLite file written by two threads: the pipeline persisting events and
 * the HTTP thread (logins, status, submissions). A transaction that read first and then wrote failed
 * with SQLITE_BUSY_SNAPSHOT whenever the pipeline committed in between: a 500 for the instructor or
 * the student (found by the hostile-input run: 22 of 150 submissions and 67 of 150 status changes
 * failed under steady ingest). Write transactions now take the write lock first.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { buildEvents, companionHeaders, postEvents, startCollector, startServices } from '../../helpers/stack.ts';

const KEY = 'busy-test-master-key-0123456789';

test('submissions and status changes while events are persisted all succeed on the embedded store', async () => {
  const services = await startServices('embedded');
  const app = await startCollector(services.env({ JWT_SECRET: 'busy-test-jwt-secret-0123456789-abcdef', INGEST_KEY: KEY, INGEST_RATE_LIMIT: '0', SUBMISSIONS_KEPT: '3' }));
  try {
    await createInstructor(app.collector.db, { email: 'ada@example.org', name: 'Ada', password: 'ada-password-1', role: 'admin' });
    const login = await fetch(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ada@example.org', password: 'ada-password-1' }) });
    const token = ((await login.json()) as { token: string }).token;
    const api = async (method: string, path: string, body: unknown) =>
      (await fetch(app.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>;
    const cls = await api('POST', '/api/v1/classes', { name: 'Busy', class_code: 'BUSY' });
    await api('POST', `/api/v1/classes/${cls.id}/students`, { user_id: 'alice' });
    const assignment = await api('POST', '/api/v1/assignments', { class_id: cls.id, notebook_path: 'a.ipynb', title: 'A' });

    let loading = true;
    let batches = 0;
    const load = (async () => {
      while (loading) {
        assert.is((await postEvents(app.url, buildEvents(100, { userId: 'alice' }), { headers: companionHeaders(KEY, 'alice') })).status, 202);
        batches += 1;
      }
    })();
    const failures: string[] = [];
    for (let i = 0; i < 80; i++) {
      const submitted = await fetch(`${app.url}/api/v1/student/submissions`, {
        method: 'POST',
        headers: { ...companionHeaders(KEY, 'alice'), 'content-type': 'application/json' },
        body: JSON.stringify({ assignment_id: assignment.id, notebook_content: { cells: [] } }),
      });
      if (submitted.status !== 201) failures.push(`submission ${submitted.status}`);
      const status = await fetch(`${app.url}/api/v1/instructor_status/1`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ status: i % 2 ? 'busy' : 'available' }) });
      if (status.status !== 200) failures.push(`status ${status.status}`);
    }
    loading = false;
    await load;
    console.log(`# 160 writes beside ${batches} ingested batches of 100: ${failures.length} failed`);
    assert.equal(failures, []);
    assert.ok(batches > 10, 'the pipeline was busy meanwhile');
  } finally {
    await app.close();
    await services.stop();
  }
});

test.run();
