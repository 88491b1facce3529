import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '../../collector/src/core/config.ts';
import { toPoint } from '../../collector/src/sink/influxSink.ts';
import { startVictoriaMetrics, waitFor, type VictoriaMetricsServer } from '../helpers/services.ts';
import { buildCellEvent, countRows, modesToTest, openStore, postEvents, startCollector, startServices } from '../helpers/stack.ts';

const INFLUX_ENV = { INFLUXDB_TOKEN: 'test-token-never-logged', INFLUXDB_ORG: 'cell-monitor', INFLUXDB_BUCKET: 'progress' };

/** Every `student_progress_<field>` series victoria-metrics holds, one JSON line each. */
async function exportSeries(vm: VictoriaMetricsServer): Promise<Array<{ metric: Record<string, string>; values: number[]; timestamps: number[] }>> {
  const res = await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': '{__name__=~"student_progress.*"}' })}`);
  const text = await res.text();
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** Points per field, summed over the series of `users`. */
async function pointCount(vm: VictoriaMetricsServer, field: string, users: Set<string>): Promise<number> {
  return (await exportSeries(vm)).filter((s) => s.metric.__name__ === `student_progress_${field}` && users.has(s.metric.userId)).reduce((n, s) => n + s.values.length, 0);
}

/** Posts `events` in requests of 100 and returns ms until all of them are rows of `events`. */
async function ingestAndTimePersist(url: string, store: ReturnType<typeof openStore>, events: Record<string, any>[], userPrefix: string): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < events.length; i += 100) {
    const reply = await postEvents(url, events.slice(i, i + 100));
    assert.is(reply.status, 202, JSON.stringify(reply.body));
  }
  await waitFor(async () => {
    const [{ n }] = await store('events').where('user_id', 'like', `${userPrefix}%`).count({ n: '*' });
    return Number(n) >= events.length || undefined;
  }, 30_000, `${events.length} events persisted`);
  return performance.now() - started;
}

async function readyz(url: string): Promise<{ status: number; influx: any }> {
  const res = await fetch(`${url}/readyz`);
  const body = await res.json();
  return { status: res.status, influx: body.pipeline?.influx ?? body.details?.pipeline?.influx };
}

test('config: the four INFLUXDB_* variables come together or not at all', () => {
  assert.is(loadConfig({}).influx, undefined);
  const full = loadConfig({ INFLUXDB_URL: 'http://127.0.0.1:8086', ...INFLUX_ENV });
  assert.equal(full.influx, { url: 'http://127.0.0.1:8086', token: INFLUX_ENV.INFLUXDB_TOKEN, org: 'cell-monitor', bucket: 'progress' });
  try {
    loadConfig({ INFLUXDB_URL: 'http://127.0.0.1:8086', INFLUXDB_ORG: 'x' });
    assert.unreachable('partial InfluxDB settings must be refused');
  } catch (err) {
    assert.instance(err, ConfigError);
    assert.match((err as Error).message, /INFLUXDB_TOKEN, INFLUXDB_BUCKET unset/);
  }
});

test('an execution becomes one student_progress line: the seed tags, its fields, the event time in ms', () => {
  const event = buildCellEvent({ userId: 'ana', sessionId: 's 1', notebookPath: '/course/week 1/lab.ipynb', cellId: 'c-7', executionCount: 4, durationMs: 12.5, success: false, eventTime: '2026-11-30T10:00:00.123Z' });
  assert.is(
    toPoint(event as never)!.toLineProtocol({ convertTime: (d) => String((d as Date).getTime()) }),
    'student_progress,cellType=code,event=cell_execution_complete,notebook=lab.ipynb,sessionId=s\\ 1,userId=ana cellId="c-7",duration=12.5,executionCount=4i,notebookPath="/course/week 1/lab.ipynb",success=F ' + Date.parse('2026-11-30T10:00:00.123Z'),
  );
  assert.is(toPoint(buildCellEvent({ eventType: 'notebook_saved' }) as never), undefined, 'only executions');
});

for (const mode of modesToTest()) {
  test(`${mode}: executions reach victoria-metrics as student_progress points; with it down, persisting goes on and the points arrive after it returns`, async () => {
    const vm = await startVictoriaMetrics();
    const services = await startServices(mode);
    const app = await startCollector(services.env({ INFLUXDB_URL: vm.url, ...INFLUX_ENV }));
    const store = openStore(services.databaseUrl);
    try {
      // Up: N executions → N points with the seed's tags and fields, at the event times.
      const base = Date.now() - 60_000;
      const first = Array.from({ length: 300 }, (_, i) =>
        buildCellEvent({ userId: `up-${i % 3}`, sessionId: `s-${i % 3}`, notebookPath: `/course/week${i % 2}/lab.ipynb`, eventTime: new Date(base + i).toISOString(), executionCount: i, durationMs: i + 0.5, success: i % 5 !== 0 }),
      );
      const upMs = await ingestAndTimePersist(app.url, store, first, 'up-');
      const upUsers = new Set(['up-0', 'up-1', 'up-2']);
      await waitFor(async () => (await pointCount(vm, 'duration', upUsers)) >= first.length || undefined, 15_000, 'the first points in victoria-metrics');
      const series = (await exportSeries(vm)).filter((s) => upUsers.has(s.metric.userId));
      for (const event of first) {
        const t = Date.parse(event.eventTime);
        const find = (field: string) => {
          const s = series.find((x) => x.metric.__name__ === `student_progress_${field}` && x.metric.userId === event.userId && x.metric.sessionId === event.sessionId && x.metric.notebook === 'lab.ipynb' && x.timestamps.includes(t));
          assert.ok(s, `${field} of ${event.eventId}`);
          assert.is(s!.metric.event, 'cell_execution_complete');
          assert.is(s!.metric.cellType, 'code');
          return s!.values[s!.timestamps.indexOf(t)];
        };
        assert.is(find('executionCount'), event.executionCount);
        assert.is(find('duration'), event.durationMs);
        assert.is(find('success'), event.success ? 1 : 0);
      }
      // victoria-metrics keeps string fields as series of zeros: their presence is what it can show.
      assert.is(await pointCount(vm, 'cellId', upUsers), first.length);
      assert.is(await pointCount(vm, 'notebookPath', upUsers), first.length);
      const fields = new Set(series.map((s) => s.metric.__name__));
      console.log(`# victoria-metrics series names: ${[...fields].sort().join(', ')}`);
      assert.is(app.collector.influxStats?.status, 'ok');
      assert.is((await readyz(app.url)).influx.status, 'ok');

      // Down: M more executions are persisted at full speed; /readyz stays ready, the sink degraded.
      await vm.stop();
      const second = Array.from({ length: 300 }, (_, i) => buildCellEvent({ userId: `down-${i % 3}`, eventTime: new Date(base + 1000 + i).toISOString(), executionCount: i, durationMs: 7 }));
      const downMs = await ingestAndTimePersist(app.url, store, second, 'down-');
      console.log(`# ${mode}: ${first.length} events persisted in ${upMs.toFixed(0)} ms with victoria-metrics up, ${second.length} in ${downMs.toFixed(0)} ms with it down`);
      const degraded = await waitFor(async () => {
        const r = await readyz(app.url);
        return r.influx?.status === 'degraded' ? r : undefined;
      }, 10_000, '/readyz showing the sink degraded');
      assert.is(degraded.status, 200, 'InfluxDB down is no reason to be unready');
      assert.ok(degraded.influx.failing_since);
      assert.ok(degraded.influx.queued > 0);
      assert.is(degraded.influx.dropped, 0);
      assert.type(degraded.influx.last_error, 'string');
      assert.is(app.collector.influxStats?.status, 'failing');
      assert.is(await countRows(store, 'events', {}), first.length + second.length);

      // Back: the M points arrive, the sink is ok again.
      await vm.start();
      const downUsers = new Set(['down-0', 'down-1', 'down-2']);
      await waitFor(async () => (await pointCount(vm, 'duration', downUsers)) >= second.length || undefined, 30_000, 'the points queued while down');
      assert.is(await pointCount(vm, 'executionCount', downUsers), second.length);
      assert.is(await pointCount(vm, 'duration', upUsers), first.length, 'nothing written twice');
      await waitFor(async () => (await readyz(app.url)).influx?.status === 'ok' || undefined, 10_000, '/readyz showing the sink ok');
      assert.is(app.collector.influxStats?.queued, 0);
      assert.is(app.collector.influxStats?.written, first.length + second.length);
    } finally {
      await app.close();
      await store.destroy();
      await services.stop();
      await vm.stop();
    }
  });
}

test.run();
