/**
 * GET /metrics (issue 12 item 2): Prometheus text, refused without its token (METRICS_TOKEN or an
 * admin's token), and its counters move exactly with a known ingest.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { login, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/services.ts';
import { buildCellEvent, buildEvents, companionHeaders, countRows, modesToTest, postEvents, settle, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';

const SECRET = 'metrics-test-jwt-secret-0123456789-abcdefgh';
const KEY = 'metrics-test-master-key-0123456789';
const METRICS_TOKEN = 'metrics-scraper-token-0123456789-abcdefghij';

/** Prometheus text → `name{labels}` → value (each non-comment line is `name{labels} value`). */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)(\s+\d+)?$/.exec(line);
    assert.ok(match, `not a Prometheus sample line: ${line}`);
    // Go's ParseFloat, as Prometheus reads it: NaN and ±Inf in any case (prom-client writes "Nan").
    const raw = match![3];
    const value = /^nan$/i.test(raw) ? NaN : /^[+-]?inf$/i.test(raw) ? (raw.startsWith('-') ? -Infinity : Infinity) : Number(raw);
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(raw), `not a number: ${line}`);
    samples.set(match![1] + (match![2] ?? ''), value);
  }
  return samples;
}

for (const mode of modesToTest()) {
  const it = suite(`GET /metrics [${mode}]`);
  let services: Services;
  let app: RunningCollector;
  let admin = '';
  let teacher = '';
  const headers = companionHeaders(KEY, 'student-m');

  async function scrape(): Promise<Map<string, number>> {
    const reply = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.is(reply.status, 200);
    assert.match(reply.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parseMetrics(await reply.text());
  }
  const value = (samples: Map<string, number>, key: string) => samples.get(key) ?? 0;

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET, INGEST_KEY: KEY, METRICS_TOKEN }));
    for (const [name, role] of [['admin', 'admin'], ['teacher', 'instructor']] as const) {
      await createInstructor(app.collector.db, { email: `${name}@school.example`, name, password: `${name}-password-1`, role });
    }
    admin = await login(app.url, 'admin@school.example', 'admin-password-1');
    teacher = await login(app.url, 'teacher@school.example', 'teacher-password-1');
  });

  it.after(async () => {
    await app?.close();
    await services?.stop();
  });

  it('is refused without its token (401), with a wrong one (401) and with an instructor who is not an admin (403)', async () => {
    const none = await request(app.url, 'get', '/metrics');
    assert.is(none.status, 401);
    assert.is(none.body.error, 'missing_token');
    const wrong = await request(app.url, 'get', '/metrics', { token: `${METRICS_TOKEN}x` });
    assert.is(wrong.status, 401);
    assert.is(wrong.body.error, 'invalid_token');
    const notAdmin = await request(app.url, 'get', '/metrics', { token: teacher });
    assert.is(notAdmin.status, 403);
    assert.is(notAdmin.body.error, 'forbidden');
  });

  it("answers METRICS_TOKEN and an admin's token with Prometheus text: process, buffer and WebSocket metrics present", async () => {
    const byAdmin = await request(app.url, 'get', '/metrics', { token: admin });
    assert.is(byAdmin.status, 200);
    const samples = parseMetrics(byAdmin.body as string);
    for (const name of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'cell_monitor_buffer_rows',
      'cell_monitor_buffer_unforwarded_rows',
      'cell_monitor_buffer_oldest_unforwarded_age_seconds',
      'cell_monitor_buffer_dead_letters',
      'cell_monitor_persisted_events_total',
      'cell_monitor_dead_letters_total',
      'cell_monitor_persist_errors_total',
      'cell_monitor_websocket_clients{path="/ws"}',
      'cell_monitor_dashboard_watchers',
      ...(mode === 'embedded' ? [] : ['cell_monitor_stream_lag_entries', 'cell_monitor_stream_pending_entries', 'cell_monitor_stream_dead_letters']),
    ]) {
      assert.ok(samples.has(name), `${name} missing`);
    }
    assert.ok((await scrape()).has('process_cpu_seconds_total'), 'METRICS_TOKEN opens it too');
  });

  it('its counters move exactly with a known ingest: N accepted, M duplicates, one rejected; persisted reaches the stored count', async () => {
    const before = await scrape();
    const fresh = buildEvents(5, { userId: 'student-m' });
    const first = await postEvents(app.url, fresh, { headers });
    assert.is(first.status, 202);
    assert.is(first.body.accepted, 5);
    const second = await postEvents(app.url, [fresh[0], fresh[1], buildCellEvent({ userId: 'student-m', eventTime: 'not a time' })], { headers });
    assert.is(second.status, 202);
    assert.equal([second.body.accepted, second.body.duplicates, second.body.rejected.length], [0, 2, 1]);
    const after = await scrape();
    const moved = (key: string) => value(after, key) - value(before, key);
    assert.is(moved('cell_monitor_ingest_events_total{outcome="accepted"}'), 5);
    assert.is(moved('cell_monitor_ingest_events_total{outcome="duplicate"}'), 2);
    assert.is(moved('cell_monitor_ingest_events_total{outcome="rejected"}'), 1);
    assert.is(moved('cell_monitor_ingest_requests_total{outcome="accepted",status="202"}'), 2);
    assert.is(moved('cell_monitor_ingest_ack_seconds_count'), 2);
    assert.ok(value(after, 'cell_monitor_buffer_rows') >= 5);

    assert.is((await postEvents(app.url, fresh.slice(0, 1))).status, 401, 'no student credential');
    const later = await scrape();
    assert.is(value(later, 'cell_monitor_ingest_requests_total{outcome="rejected",status="401"}') - value(before, 'cell_monitor_ingest_requests_total{outcome="rejected",status="401"}'), 1);

    await settle(app.url, app.collector.db, headers);
    const stored = await countRows(app.collector.db, 'events');
    const settled = await waitFor(async () => {
      const now = await scrape();
      return value(now, 'cell_monitor_persisted_events_total') === stored && value(now, 'cell_monitor_buffer_unforwarded_rows') === 0 ? now : undefined;
    }, 10_000, 'persisted_events_total reaches the stored count');
    assert.is(value(settled, 'cell_monitor_buffer_oldest_unforwarded_age_seconds'), 0);
    if (mode !== 'embedded') assert.is(value(settled, 'cell_monitor_stream_pending_entries'), 0);
  });

  it.run();
}
