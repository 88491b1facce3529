/**
 * Students' environments: version rules (pure), and through the real API on both engines — kernel
 * environments arrive as events, are stored once per distinct environment, and a class's required
 * packages find the students who lack them.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { EnvironmentAnalysis } from '@cell-monitor/shared';
import { diffPackages, problems, satisfies, validSpec } from '../../../collector/src/environment/versions.ts';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { login, request } from '../../helpers/http.ts';
import { waitFor } from '../../helpers/services.ts';
import { countRows, modesToTest, openStore, postEvents, settle, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

const unit = suite('environment versions (pure)');
unit('specifiers: >=, ==, !=, <, ~=, wildcards and several clauses', () => {
  const cases: Array<[string, string, boolean]> = [
    ['2.2.3', '>=2', true], ['1.5.3', '>=2', false], ['2.0.0rc1', '>=2', true], ['1.26.4', '==1.26.4', true], ['1.26.5', '==1.26.4', false],
    ['1.4', '>=1.3,<2', true], ['2.0', '>=1.3,<2', false], ['2.1.9', '~=2.1', true], ['3.0', '~=2.1', false], ['2.1.3', '~=2.1.3', true], ['2.2.0', '~=2.1.3', false],
    ['1.26.1', '==1.26.*', true], ['1.27.0', '==1.26.*', false], ['0.9', '', true], ['5', '!=5', false],
  ];
  for (const [version, spec, expected] of cases) assert.is(satisfies(version, spec), expected, `${version} ${spec}`);
  assert.ok(validSpec('>=1.3, <2'));
  assert.not.ok(validSpec('latest'));
});
unit('problems: missing and wrong versions, names compared normalised; diff', () => {
  const found = problems({ pandas: '1.5.3', 'scikit_learn': '1.4.0', numpy: '2.0.1' }, [{ name: 'pandas', spec: '>=2' }, { name: 'Scikit-Learn', spec: '' }, { name: 'matplotlib', spec: '>=3.5' }]);
  assert.equal(found, [{ package: 'pandas', required: '>=2', found: '1.5.3', kind: 'wrong_version' }, { package: 'matplotlib', required: '>=3.5', found: null, kind: 'missing' }]);
  assert.equal(diffPackages({ a: '1', b: '1' }, { b: '2', c: '1' }), { added: [{ name: 'c', version: '1' }], removed: [{ name: 'a', version: '1' }], changed: [{ name: 'b', from: '1', to: '2' }] });
});
unit.run();

const SECRET = 'environments-test-jwt-secret-0123456789-abc';
const environmentEvent = (userId: string, packages: Record<string, string>, agoMs = 0) => ({
  eventId: `env-${userId}-${Math.random().toString(36).slice(2)}`,
  eventType: 'kernel_environment',
  eventTime: new Date(Date.now() - agoMs).toISOString(),
  userId,
  sessionId: `s-${userId}`,
  notebookPath: 'lab.ipynb',
  metadata: { environment: { python: '3.11.7', implementation: 'CPython', platform: 'Linux-6.1-x86_64', kernelName: 'python3', packages } },
});

for (const mode of modesToTest()) {
  const it = suite(`environments API [${mode}]`);
  let services: Services;
  let app: RunningCollector;
  let token: string;
  let classId: number;
  const api = (method: string, route: string, body?: unknown) => request(app.url, method, route, { token, body });

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET }));
    await createInstructor(app.collector.db, { email: 'sato@example.org', name: 'Ms Sato', password: 'sato-password-1', role: 'instructor' });
    token = await login(app.url, 'sato@example.org', 'sato-password-1');
    classId = (await api('post', '/api/v1/classes', { name: 'Data', class_code: 'DATA1' })).body.id;
    for (const user of ['ada', 'ben', 'cy', 'dee']) await api('post', `/api/v1/classes/${classId}/students`, { user_id: user });
    // Some environments below were seen a minute ago: the students were enrolled before (an
    // environment counts for a class only from enrolment on, lms/classBoundary.ts).
    await app.collector.db('class_enrollments').where({ class_id: classId }).update({ enrolled_at: new Date(Date.now() - 24 * 3_600_000).toISOString() });
  });
  it.after(async () => {
    await app.close();
    await services.stop();
  });

  it('environments are stored once per distinct environment per student, out of the events; current, snapshots, packages, diff', async () => {
    const store = openStore(services.databaseUrl);
    try {
      const old = { pandas: '1.5.3', numpy: '1.26.4' };
      const fresh = { pandas: '2.2.3', numpy: '1.26.4', matplotlib: '3.9.0' };
      assert.is((await postEvents(app.url, [environmentEvent('ada', old, 60_000), environmentEvent('ada', old, 30_000), environmentEvent('ada', fresh, 1_000), environmentEvent('ben', old), environmentEvent('cy', { numpy: '2.0.0' })])).status, 202);
      await settle(app.url, store);
      await waitFor(async () => (await countRows(store, 'student_environments')) === 4 || undefined, 10_000, 'four distinct environments');
      assert.is(await countRows(store, 'events', { event_type: 'kernel_environment' }), 0, 'not in the analytics');
    } finally {
      await store.destroy();
    }
    const current = (await api('get', '/api/v1/environments/ada/current')).body;
    assert.equal([current.python, current.packages.pandas, current.packageCount], ['3.11.7', '2.2.3', 3]);
    assert.is((await api('get', '/api/v1/environments/ada/snapshots')).body.length, 2);
    assert.equal((await api('get', '/api/v1/environments/ada/packages')).body, { matplotlib: '3.9.0', numpy: '1.26.4', pandas: '2.2.3' });
    const diff = (await api('get', '/api/v1/environments/ada/diff')).body;
    assert.equal([diff.added, diff.removed, diff.changed], [[{ name: 'matplotlib', version: '3.9.0' }], [], [{ name: 'pandas', from: '1.5.3', to: '2.2.3' }]]);
    assert.is((await api('get', '/api/v1/environments/dee/current')).body.error, 'environment_not_found');
  });

  it("a class's required packages: analyze lists who lacks what, health per student; bad specs are refused", async () => {
    assert.is((await api('put', `/api/v1/classes/${classId}/environment/requirements`, { packages: [{ name: 'pandas', spec: 'newest' }] })).status, 422);
    assert.is((await api('put', `/api/v1/classes/${classId}/environment/requirements`, { packages: [{ name: 'pandas', spec: '>=2' }, { name: 'numpy', spec: '' }] })).status, 200);
    const analysis = (await api('get', `/api/v1/classes/${classId}/environment/analyze`)).body as EnvironmentAnalysis;
    const byUser = Object.fromEntries(analysis.students.map((s) => [s.userId, s.problems.map((p) => `${p.kind}:${p.package}`)]));
    assert.equal(byUser, { ada: [], ben: ['wrong_version:pandas'], cy: ['missing:pandas'], dee: [] });
    assert.equal(analysis.summary, [{ package: 'pandas', required: '>=2', missing: 1, wrongVersion: 1, unknown: 1 }]);
    assert.is(analysis.students.find((s) => s.userId === 'dee')!.seenAt, null, 'never reported: unknown, not fine');
    const health = (await api('get', '/api/v1/environments/ben/health')).body;
    assert.equal([health.ok, health.classes[0].problems[0].found], [false, '1.5.3']);
  });

  it.run();
}
