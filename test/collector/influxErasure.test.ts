/**
 * The InfluxDB copy on erasure and retention (sink/influxErasure.ts). No InfluxDB server is
 * available here (Debian ships none; victoria-metrics accepts InfluxDB's write API but not its
 * delete API), so: the delete request is checked against InfluxDB's documented v2 delete API on a
 * recording HTTP server standing in for it (method, path, org/bucket, token, start/stop and the
 * predicate on the userId tag, escaped); with the real victoria-metrics as the sink, an erasure
 * still erases everything else and answers 502 influxdb_erasure_failed saying the copy was not
 * erased (never a silent success); both engines.
 */
import http from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Knex } from 'knex';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { sweepRetention } from '../../collector/src/privacy/retention.ts';
import { createInfluxEraser, InfluxDeleteError, userPredicate } from '../../collector/src/sink/influxErasure.ts';
import { login, request } from '../helpers/http.ts';
import { DAY_MS } from '../helpers/privacyFixtures.ts';
import { startVictoriaMetrics, waitFor, type VictoriaMetricsServer } from '../helpers/services.ts';
import { buildCellEvent, countRows, modesToTest, openStore, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';

const INFLUX = { token: 'influx-erasure-test-token', org: 'cell-monitor', bucket: 'progress' };
const SECRET = 'influx-erasure-test-jwt-secret-0123456789-abc';

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: any;
}

/** An HTTP server answering `status` to every request and recording the delete requests. */
async function recorder(status = 204): Promise<{ url: string; deletes: Recorded[]; close(): Promise<void> }> {
  const deletes: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/api/v2/delete') deletes.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization, body: JSON.parse(text) });
      res.writeHead(url.pathname === '/api/v2/delete' ? status : 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, deletes, close: () => new Promise((r) => server.close(() => r())) };
}

const contract = suite('the InfluxDB v2 delete request');
contract("a user's points: POST /api/v2/delete?org&bucket, Token auth, the whole time range, a predicate on the measurement and the userId tag", async () => {
  const influx = await recorder();
  try {
    const before = Date.now();
    await createInfluxEraser({ url: influx.url, ...INFLUX }).eraseUser('o"brien\\x');
    assert.is(influx.deletes.length, 1);
    const [d] = influx.deletes;
    assert.equal([d.method, d.path, d.query, d.authorization], ['POST', '/api/v2/delete', { org: 'cell-monitor', bucket: 'progress' }, `Token ${INFLUX.token}`]);
    assert.is(d.body.predicate, '_measurement="student_progress" AND userId="o\\"brien\\\\x"');
    assert.is(d.body.start, '1970-01-01T00:00:00Z');
    assert.ok(Date.parse(d.body.stop) > before, 'points stamped ahead (a skewed clock) go too');
    const cutoff = new Date(before - 30 * DAY_MS);
    await createInfluxEraser({ url: influx.url, ...INFLUX }).eraseUserBefore('alice', cutoff);
    assert.equal(influx.deletes[1].body, { start: '1970-01-01T00:00:00Z', stop: cutoff.toISOString(), predicate: userPredicate('alice') });
  } finally {
    await influx.close();
  }
  const refusing = await recorder(400);
  try {
    await createInfluxEraser({ url: refusing.url, ...INFLUX }).eraseUser('alice');
    assert.unreachable('a refused delete must throw');
  } catch (err) {
    assert.instance(err, InfluxDeleteError);
    assert.is((err as InfluxDeleteError).status, 400);
  } finally {
    await refusing.close();
  }
});
contract.run();

for (const mode of modesToTest()) {
  const it = suite(`erasure and retention reach the InfluxDB copy [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  let services: Services;
  let store: Knex;
  let vm: VictoriaMetricsServer;

  it.before(async () => {
    services = await startServices(mode);
    store = openStore(services.databaseUrl);
    vm = await startVictoriaMetrics();
  });
  it.after(async () => {
    await store.destroy();
    await vm.stop();
    await services.stop();
  });

  async function withCollector(url: string, work: (running: RunningCollector, token: string) => Promise<void>): Promise<void> {
    const running = await startCollector(services.env({ JWT_SECRET: SECRET, INFLUXDB_URL: url, INFLUXDB_TOKEN: INFLUX.token, INFLUXDB_ORG: INFLUX.org, INFLUXDB_BUCKET: INFLUX.bucket }));
    try {
      if (!(await store('instructors').where({ email: 'root@example.org' }).first())) await createInstructor(running.collector.db, { email: 'root@example.org', name: 'Root', password: 'root-password-1', role: 'admin' });
      await work(running, await login(running.url, 'root@example.org', 'root-password-1'));
    } finally {
      await running.close();
    }
  }
  const erase = (running: RunningCollector, token: string, user: string) => request(running.url, 'delete', `/api/v1/students/by-user/${user}/data`, { token, body: { confirm: user } });

  it('victoria-metrics as the sink (no delete API): the rest is erased and the answer is 502 influxdb_erasure_failed, not a silent success', async () => {
    await withCollector(vm.url, async (running, token) => {
      const event = buildCellEvent({ userId: 'alice', eventTime: new Date().toISOString() });
      assert.is((await postEvents(running.url, [event])).status, 202);
      await waitFor(async () => {
        const res = await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': '{__name__=~"student_progress.*",userId="alice"}' })}`);
        return (await res.text()).trim() !== '' || undefined;
      }, 30_000, "alice's point in victoria-metrics");
      const reply = await erase(running, token, 'alice');
      assert.is(reply.status, 502, JSON.stringify(reply.body));
      assert.is(reply.body.error, 'influxdb_erasure_failed');
      assert.is(reply.body.details.erased.events, 1);
      assert.is(await countRows(store, 'events', { user_id: 'alice' }), 0);
      assert.is(await countRows(store, 'students', { user_id: 'alice' }), 0);
    });
  });

  it('an InfluxDB that accepts deletes: the erasure sends the user’s predicate and answers influxdb: 1; the sweep deletes each student’s points past her strictest retention', async () => {
    const influx = await recorder();
    try {
      await withCollector(influx.url, async (running, token) => {
        const event = buildCellEvent({ userId: 'bob' });
        assert.is((await postEvents(running.url, [event])).status, 202);
        await waitFor(() => store('events').where({ event_id: event.eventId }).first(), 10_000, "bob's event");
        const reply = await erase(running, token, 'bob');
        assert.is(reply.status, 200, JSON.stringify(reply.body));
        assert.is(reply.body.erased.influxdb, 1);
        assert.equal(influx.deletes.map((d) => d.body.predicate), [userPredicate('bob')]);
        assert.is((await erase(running, token, 'nobody')).status, 404, 'nothing stored: still 404');

        const carol = buildCellEvent({ userId: 'carol' });
        assert.is((await postEvents(running.url, [carol])).status, 202);
        await waitFor(() => store('students').where({ user_id: 'carol' }).first(), 10_000, 'carol');
        influx.deletes.length = 0;
        const now = new Date();
        await sweepRetention(store, { now, globalDays: 30, influx: createInfluxEraser({ url: influx.url, ...INFLUX }) });
        const carolDelete = influx.deletes.find((d) => d.body.predicate === userPredicate('carol'));
        assert.ok(carolDelete, JSON.stringify(influx.deletes));
        assert.is(carolDelete.body.stop, new Date(now.getTime() - 30 * DAY_MS).toISOString());
      });
    } finally {
      await influx.close();
    }
  });

  it.run();
}
