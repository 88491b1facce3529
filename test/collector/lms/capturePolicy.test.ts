/**
 * The class capture policy through the real API: an instructor sets it per class; a student (through
 * the companion's credential) reads the strictest policy of their classes; bad values are refused.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { StudentPolicy } from '@cell-monitor/shared';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { login, request } from '../../helpers/http.ts';
import { companionHeaders, modesToTest, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

const SECRET = 'capture-policy-jwt-secret-0123456789-abcdef';
const KEY = 'capture-policy-master-key-0123456789';

for (const mode of modesToTest()) {
  const it = suite(`class capture policy [${mode}]`);
  let services: Services;
  let app: RunningCollector;
  let token: string;
  const policyOf = async (user: string) => request(app.url, 'get', '/api/v1/student/policy', { headers: companionHeaders(KEY, user) });

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET, INGEST_KEY: KEY }));
    await createInstructor(app.collector.db, { email: 'sato@example.org', name: 'Ms Sato', password: 'sato-password-1', role: 'instructor' });
    token = await login(app.url, 'sato@example.org', 'sato-password-1');
  });
  it.after(async () => {
    await app.close();
    await services.stop();
  });

  it('a student in no class has no cap; each class defaults to code and output; the strictest class wins', async () => {
    assert.equal((await policyOf('kenji')).body, { policy: 'code_and_output', classes: [] });
    const a = (await request(app.url, 'post', '/api/v1/classes', { token, body: { name: 'Stats', class_code: 'ST1' } })).body.id;
    const b = (await request(app.url, 'post', '/api/v1/classes', { token, body: { name: 'Exam prep', class_code: 'EX1' } })).body.id;
    for (const id of [a, b]) await request(app.url, 'post', `/api/v1/classes/${id}/students`, { token, body: { user_id: 'kenji' } });
    assert.equal((await request(app.url, 'get', `/api/v1/classes/${a}/capture-policy`, { token })).body, { classId: a, policy: 'code_and_output' });
    assert.is((await request(app.url, 'put', `/api/v1/classes/${b}/capture-policy`, { token, body: { policy: 'code' } })).status, 200);
    assert.is(((await policyOf('kenji')).body as StudentPolicy).policy, 'code');
    assert.is((await request(app.url, 'put', `/api/v1/classes/${a}/capture-policy`, { token, body: { policy: 'metadata' } })).status, 200);
    const policy = (await policyOf('kenji')).body as StudentPolicy;
    assert.equal(policy, { policy: 'metadata', classes: [{ id: a, name: 'Stats', policy: 'metadata' }, { id: b, name: 'Exam prep', policy: 'code' }] });
    assert.is(((await policyOf('someone-else')).body as StudentPolicy).policy, 'code_and_output', "another student's classes do not apply");
  });

  it('an unknown policy is a 422 naming the choices; a student without a credential gets nothing', async () => {
    const cls = (await request(app.url, 'post', '/api/v1/classes', { token, body: { name: 'Other', class_code: 'OT1' } })).body.id;
    const bad = await request(app.url, 'put', `/api/v1/classes/${cls}/capture-policy`, { token, body: { policy: 'everything' } });
    assert.is(bad.status, 422);
    assert.match(JSON.stringify(bad.body), /metadata, code, code_and_output/);
    const anonymous = await request(app.url, 'get', '/api/v1/student/policy', { headers: { 'x-cell-monitor-user': 'kenji' } });
    assert.is(anonymous.status, 401);
  });

  it.run();
}
