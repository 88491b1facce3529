/**
 * The class capture policy through the real API: an instructor sets it per class; a student (through
 * the companion's credential) reads her default (home class) and a policy per assignment notebook
 * (the class she joined first among those that assign it); a later class cannot strip another's, not
 * even by assigning the same path; bad values are refused.
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

  it("a student in no class has no cap; the default is her home class's (earliest enrolment), each assignment notebook its class's", async () => {
    assert.equal((await policyOf('kenji')).body, { policy: 'code_and_output', home_class_id: null, classes: [], notebooks: {} });
    const a = (await request(app.url, 'post', '/api/v1/classes', { token, body: { name: 'Stats', class_code: 'ST1' } })).body.id;
    const b = (await request(app.url, 'post', '/api/v1/classes', { token, body: { name: 'Exam prep', class_code: 'EX1' } })).body.id;
    for (const id of [a, b]) assert.is((await request(app.url, 'post', `/api/v1/classes/${id}/students`, { token, body: { user_id: 'kenji' } })).status, 201);
    for (const [id, path] of [[a, 'stats/hw1.ipynb'], [b, 'exam/mock.ipynb'], [a, 'shared.ipynb'], [b, 'shared.ipynb']] as const) {
      assert.is((await request(app.url, 'post', '/api/v1/assignments', { token, body: { class_id: id, notebook_path: path, title: path } })).status, 201);
    }
    assert.equal((await request(app.url, 'get', `/api/v1/classes/${a}/capture-policy`, { token })).body, { classId: a, policy: 'code_and_output' });
    assert.is((await request(app.url, 'put', `/api/v1/classes/${b}/capture-policy`, { token, body: { policy: 'metadata' } })).status, 200);
    assert.equal((await policyOf('kenji')).body, {
      policy: 'code_and_output',
      home_class_id: a,
      classes: [{ id: a, name: 'Stats', policy: 'code_and_output' }, { id: b, name: 'Exam prep', policy: 'metadata' }],
      notebooks: { 'exam/mock.ipynb': 'metadata', 'shared.ipynb': 'code_and_output', 'stats/hw1.ipynb': 'code_and_output' },
    }, "the later class decides its own notebooks (a notebook both assign: the class she joined first), not the rest");
    assert.is((await request(app.url, 'put', `/api/v1/classes/${a}/capture-policy`, { token, body: { policy: 'code' } })).status, 200);
    const policy = (await policyOf('kenji')).body as StudentPolicy;
    assert.equal([policy.policy, policy.notebooks], ['code', { 'exam/mock.ipynb': 'metadata', 'shared.ipynb': 'code', 'stats/hw1.ipynb': 'code' }]);
    assert.is(((await policyOf('someone-else')).body as StudentPolicy).policy, 'code_and_output', "another student's classes do not apply");
  });

  it("a foreign class that enrols Ann's student cannot strip what Ann's class receives (issue 18: the review's repro)", async () => {
    await createInstructor(app.collector.db, { email: 'ben@example.org', name: 'Mr Ben', password: 'ben-password-1', role: 'instructor' });
    const ben = await login(app.url, 'ben@example.org', 'ben-password-1');
    const ann = (await request(app.url, 'post', '/api/v1/classes', { token, body: { name: 'Ann', class_code: 'ANN1' } })).body.id;
    await request(app.url, 'post', `/api/v1/classes/${ann}/students`, { token, body: { user_id: 'hana' } });
    await request(app.url, 'post', '/api/v1/assignments', { token, body: { class_id: ann, notebook_path: 'ann/hw1.ipynb', title: 'HW1' } });
    const before = (await policyOf('hana')).body as StudentPolicy;
    const bens = (await request(app.url, 'post', '/api/v1/classes', { token: ben, body: { name: 'Ben', class_code: 'BEN1' } })).body.id;
    assert.is((await request(app.url, 'post', `/api/v1/classes/${bens}/students`, { token: ben, body: { user_id: 'hana' } })).status, 201);
    assert.is((await request(app.url, 'put', `/api/v1/classes/${bens}/capture-policy`, { token: ben, body: { policy: 'metadata' } })).status, 200);
    const after = (await policyOf('hana')).body as StudentPolicy;
    assert.equal([after.policy, after.home_class_id, after.notebooks], [before.policy, ann, { 'ann/hw1.ipynb': 'code_and_output' }], "Ann's notebook and the default are unchanged");
    assert.is(after.policy, 'code_and_output');
    // Nor by assigning Ann's notebook in his own class: the path stays the class's she joined first.
    assert.is((await request(app.url, 'post', '/api/v1/assignments', { token: ben, body: { class_id: bens, notebook_path: 'ann/hw1.ipynb', title: 'Mine now' } })).status, 201);
    assert.equal(((await policyOf('hana')).body as StudentPolicy).notebooks, { 'ann/hw1.ipynb': 'code_and_output' }, "Ben's claim of the same path changes nothing");
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
