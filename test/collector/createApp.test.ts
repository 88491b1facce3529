/**
 * The app without a port: `createCollector` builds it, nothing listens, and light-my-request drives
 * `app.koa.callback()` directly. Every route the table declares with an access level other than
 * 'public' must be refused by its guard before any handler runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Router from '@koa/router';
import { inject } from 'light-my-request';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCollector, createLogger, loadConfig, type Collector } from '@cell-monitor/collector';
import { createRouteTable } from '../../collector/src/http/routeTable.ts';
import { tempDir } from '../helpers/services.ts';

const dataDir = tempDir('app');
let collector: Collector;

test.before(async () => {
  const config = loadConfig({ DATA_DIR: dataDir, INGEST_KEY: 'app-test-master-key-0123456789', JWT_SECRET: 'app-test-jwt-secret-0123456789-0123456789' });
  collector = await createCollector(config, createLogger('silent'));
});

test.after(async () => {
  await collector.close(1000);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const call = (method: string, url: string, headers: Record<string, string> = {}) =>
  inject(collector.app.koa.callback(), { method: method.toUpperCase() as 'GET', url, headers: { host: '127.0.0.1', ...headers }, remoteAddress: '127.0.0.1' });

test('serves /healthz and the OpenAPI document without listening on a port', async () => {
  const health = await call('get', '/healthz');
  assert.is(health.statusCode, 200);
  assert.equal(health.json(), { status: 'ok' });
  const doc = await call('get', '/api/v1/openapi.json');
  assert.is(doc.statusCode, 200);
  assert.ok(Object.keys(doc.json().paths).length >= 20, 'the document lists the routes');
});

test('an unknown route is a 404 with the plain not_found id', async () => {
  const reply = await call('get', '/api/v1/no-such-thing');
  assert.is(reply.statusCode, 404);
  assert.is(reply.json().error, 'not_found');
});

test('every non-public route is refused by its guard when the caller brings no credential', async () => {
  const specs = collector.routeSpecs().filter((s) => s.access !== 'public');
  assert.ok(specs.length >= 30, `expected the whole table, got ${specs.length} guarded routes`);
  const expected: Record<string, string> = { instructor: 'missing_token', admin: 'missing_token', metrics: 'missing_token', ingest: 'unauthorized', student: 'unauthorized' };
  const wrong: string[] = [];
  for (const spec of specs) {
    const url = spec.path.replace(/:[A-Za-z]+/g, '1');
    const reply = await call(spec.method, url, spec.method === 'get' || spec.method === 'delete' ? {} : { 'content-type': 'application/json' });
    const id = reply.statusCode === 401 ? reply.json().error : `HTTP ${reply.statusCode}`;
    if (id !== expected[spec.access]) wrong.push(`${spec.method} ${spec.path} (${spec.access}): ${id}`);
  }
  assert.equal(wrong, []);
});

test('the route table refuses to declare a guarded route whose access has no guard', () => {
  const table = createRouteTable(new Router(), { guards: () => [] });
  table.add({ method: 'get', path: '/open', access: 'public', tag: 't', summary: 's', responses: {}, handler: () => {} });
  assert.throws(
    () => table.add({ method: 'get', path: '/closed', access: 'instructor', tag: 't', summary: 's', responses: {}, handler: () => {} }),
    /access 'instructor' has no guard/,
  );
  assert.equal(table.specs.map((s) => s.path), ['/open'], 'the unguarded route was not registered');
});

test.run();
