/**
 * One guard in front of every route of the table: a path or query parameter holding a NUL or another
 * control character is a 400 `invalid_parameter` on both engines — on PostgreSQL it used to reach the
 * query and answer 500 with an error-level stack, student routes included.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { login, request } from '../../helpers/http.ts';
import { modesToTest, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

for (const mode of modesToTest()) {
  const it = suite(`control characters in parameters [${mode}]`);
  let services: Services;
  let app: RunningCollector;
  let token: string;

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: 'parameter-guard-test-secret-0123456789-abc', INGEST_KEY: 'parameter-guard-master-key-0123456789' }));
    await createInstructor(app.collector.db, { email: 'root@example.org', name: 'Root', password: 'root-password-1', role: 'admin' });
    token = await login(app.url, 'root@example.org', 'root-password-1');
  });
  it.after(async () => {
    await app.close();
    await services.stop();
  });

  for (const [label, bad] of [['a NUL', '1%00'], ['a newline', 'st01%0A'], ['an escape', '%1B%5B31m']] as const) {
    it(`every route of the table answers 400 invalid_parameter to ${label} in a path or query parameter`, async () => {
      const specs = app.collector.routeSpecs();
      assert.ok(specs.length >= 40, `the whole table (${specs.length} routes)`);
      const wrong: string[] = [];
      let student = 0;
      for (const spec of specs) {
        const hasParams = /:[A-Za-z_]+/.test(spec.path);
        const url = hasParams ? spec.path.replace(/:[A-Za-z_]+/g, bad) : `${spec.path}?q=${bad}`;
        const reply = await request(app.url, spec.method, url, { token, ...(spec.method === 'post' || spec.method === 'put' ? { body: {} } : {}) });
        if (reply.status !== 400 || reply.body?.error !== 'invalid_parameter') wrong.push(`${spec.method} ${url} (${spec.access}): ${reply.status} ${reply.body?.error}`);
        if (spec.access === 'student') student++;
      }
      assert.ok(student > 0, 'student routes are in the table');
      assert.equal(wrong, []);
    });
  }

  it('a clean parameter still reaches the route; a control character in a query name is refused too', async () => {
    assert.is((await request(app.url, 'get', '/api/v1/classes/999999', { token })).body.error, 'class_not_found');
    const reply = await request(app.url, 'get', '/api/v1/classes?a%00b=1', { token });
    assert.equal([reply.status, reply.body.error], [400, 'invalid_parameter']);
  });

  it.run();
}
