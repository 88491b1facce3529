/**
 * Reading a student's large events (issue 18 item 8, the read side): the timeline answers code and
 * tracebacks cut to a few KB and says so; a page of events carries no payloads unless asked, and
 * then only those of at most 16 KiB. Both engines, through the real ingest API.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { StudentTimeline } from '@cell-monitor/shared';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { EVENT_PAYLOAD_BYTES } from '../../../collector/src/insights/eventRoutes.ts';
import { TIMELINE_CODE_CHARS } from '../../../collector/src/insights/studentTimeline.ts';
import { login, request } from '../../helpers/http.ts';
import { buildCellEvent, modesToTest, openStore, postEvents, settle, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

const SECRET = 'large-reads-test-jwt-secret-0123456789-abcd';

for (const mode of modesToTest()) {
  const it = suite(`large events, cheap reads [${mode}]`);
  let services: Services;
  let app: RunningCollector;
  let token: string;
  const big = buildCellEvent({
    userId: 'hoarder',
    eventType: 'cell_execution_error',
    eventTime: new Date().toISOString(),
    notebookPath: 'big.ipynb',
    success: false,
    code: `# ${'x'.repeat(300_000)}`,
    output: 'y'.repeat(60_000),
    error: { name: 'ValueError', message: 'too big', traceback: 'z'.repeat(150_000) },
  });
  const small = buildCellEvent({ userId: 'hoarder', eventTime: new Date(Date.now() + 1).toISOString(), notebookPath: 'big.ipynb', code: 'print(1)', output: '1\n' });

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET }));
    await createInstructor(app.collector.db, { email: 'sato@example.org', name: 'Ms Sato', password: 'sato-password-1', role: 'instructor' });
    token = await login(app.url, 'sato@example.org', 'sato-password-1');
    const classId = (await request(app.url, 'post', '/api/v1/classes', { token, body: { name: 'Big', class_code: 'BIG1' } })).body.id;
    assert.is((await request(app.url, 'post', `/api/v1/classes/${classId}/students`, { token, body: { user_id: 'hoarder' } })).status, 201);
    big.eventTime = new Date().toISOString();
    small.eventTime = new Date(Date.now() + 1).toISOString();
    assert.is((await postEvents(app.url, [big, small])).status, 202);
    const store = openStore(services.databaseUrl);
    try {
      await settle(app.url, store);
    } finally {
      await store.destroy();
    }
  });
  it.after(async () => {
    await app.close();
    await services.stop();
  });

  it('the timeline cuts code, traceback and output to a few KB and says so', async () => {
    const timeline = (await request(app.url, 'get', '/api/v1/dashboard/students/hoarder/timeline', { token })).body as StudentTimeline;
    const entry = timeline.entries.find((e) => e.eventId === big.eventId)!;
    assert.equal([entry.code!.length, entry.codeTruncated, entry.codeBytes], [TIMELINE_CODE_CHARS, true, big.code.length]);
    assert.ok(entry.code!.startsWith('# xxx'));
    assert.ok(entry.error!.traceback!.length <= 4_001 && entry.error!.tracebackTruncated === true, 'traceback cut');
    assert.is(entry.error!.message, 'too big');
    assert.ok(entry.output!.length <= 4_001 && entry.output!.startsWith('yyy'), 'output cut');
    assert.is(entry.success, false);
    const plain = timeline.entries.find((e) => e.eventId === small.eventId)!;
    assert.equal([plain.code, plain.codeTruncated, plain.output, plain.success, plain.error], ['print(1)', undefined, '1\n', true, null]);
  });

  it('a page of events has no payloads by default; include=payload carries the small ones whole and names the size of the large', async () => {
    const page = (await request(app.url, 'get', '/api/v1/events?user_id=hoarder', { token })).body as Array<Record<string, any>>;
    assert.equal(page.map((e) => e.event_id).sort(), [big.eventId, small.eventId].sort());
    assert.ok(page.every((e) => e.event === undefined), 'no payload by default');
    const withPayload = (await request(app.url, 'get', '/api/v1/events?user_id=hoarder&include=payload', { token })).body as Array<Record<string, any>>;
    const large = withPayload.find((e) => e.event_id === big.eventId)!;
    assert.equal([large.event, large.payload_truncated], [null, true]);
    assert.ok(large.payload_bytes > EVENT_PAYLOAD_BYTES);
    const whole = withPayload.find((e) => e.event_id === small.eventId)!;
    assert.equal([whole.event.code, whole.event.output], ['print(1)', '1\n']);
    assert.ok(JSON.stringify(withPayload).length < 3 * EVENT_PAYLOAD_BYTES, 'the page stays small');
  });

  it.run();
}
