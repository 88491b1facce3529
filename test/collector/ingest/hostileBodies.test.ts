/**
 * Bodies that used to reach a 5xx or harm other students' requests (security review, findings 4
 * and 10): deep nesting, far-future times, wrong types where strings are trimmed. Each answers a
 * 4xx for that request alone; a valid request sent at the same moment is always accepted.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Knex } from 'knex';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { waitFor } from '../../helpers/services.ts';
import { buildCellEvent, modesToTest, openStore, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

const SECRET = 'hostile-bodies-jwt-secret-0123456789-abcdef';

/** JSON text of objects nested `depth` deep (JSON.stringify itself overflows on such values). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`;
}

/** The JSON text of `value` with every "DEEP" string replaced by `deep` (raw JSON text). */
function withDeep(value: unknown, deep: string): string {
  return JSON.stringify(value).replaceAll('"DEEP"', deep);
}

for (const mode of modesToTest()) {
  const it = suite<{ services: Services; app: RunningCollector; store: Knex }>(`hostile bodies [${mode}]`);
  it.before(async (ctx) => {
    ctx.services = await startServices(mode);
    ctx.app = await startCollector(ctx.services.env({ JWT_SECRET: SECRET }));
    ctx.store = openStore(ctx.services.databaseUrl);
    await createInstructor(ctx.app.collector.db, { email: 'ada@example.org', name: 'Ada', password: 'ada-password-1', role: 'admin' });
  });
  it.after(async (ctx) => {
    await ctx.app?.close();
    await ctx.store?.destroy();
    await ctx.services?.stop();
  });

  it('5,000-deep metadata is refused (422 too_deep) and never fails a valid request in the same group commit (20 rounds)', async ({ app }) => {
    for (let round = 0; round < 20; round++) {
      const [deep, valid] = await Promise.all([
        postEvents(app.url, undefined, { raw: withDeep([buildCellEvent({ userId: 'mallory', metadata: 'DEEP' })], nested(5000)) }),
        postEvents(app.url, [buildCellEvent({ userId: 'alice' })]),
      ]);
      assert.is(valid.status, 202, `round ${round}: the valid request`);
      assert.is(deep.status, 422, `round ${round}: the deep one`);
      assert.is(deep.body.details.rejected[0].error, 'too_deep');
    }
  });

  it('deep output, a deep body without eventId and a deep traceback are 422, not 500; the valid events of a mixed batch are stored', async ({ app, store }) => {
    const good = buildCellEvent({ userId: 'mixed' });
    const { eventId: _drop, ...withoutId } = buildCellEvent({ metadata: 'DEEP' });
    const batch = [buildCellEvent({ output: 'DEEP' }), withoutId, buildCellEvent({ error: { name: 'E', message: 'm', traceback: ['DEEP'] } }), good];
    const reply = await postEvents(app.url, undefined, { raw: withDeep(batch, nested(5000)) });
    assert.is(reply.status, 202);
    assert.equal(reply.body.rejected.map((r: { index: number; error: string }) => [r.index, r.error]), [[0, 'too_deep'], [1, 'too_deep'], [2, 'too_deep']]);
    await waitFor(() => store('events').where({ event_id: good.eventId }).first(), 10_000, 'the valid event of the batch');
    const raw = `[${'['.repeat(100_000)}${']'.repeat(100_000)}]`;
    const deepArray = await postEvents(app.url, undefined, { raw });
    assert.is(deepArray.status, 422);
  });

  it("an eventTime in year 9999 is refused and does not pin the student's last_seen_at", async ({ app, store }) => {
    const future = await postEvents(app.url, [buildCellEvent({ userId: 'time-traveller', eventTime: '9999-12-31T23:59:59Z' })]);
    assert.is(future.status, 422);
    assert.equal(future.body.details.rejected[0].error, 'invalid_event');
    const now = buildCellEvent({ userId: 'time-traveller', eventTime: new Date().toISOString() });
    assert.is((await postEvents(app.url, [now])).status, 202);
    const student = await waitFor(() => store('students').where({ user_id: 'time-traveller' }).first(), 10_000, 'student');
    assert.ok(new Date(student.last_seen_at).getTime() <= Date.now() + 60_000);
  });

  it('a non-string where a trimmed string is expected is a 422 naming the field (was a 500 with a stack), also at login', async ({ app }) => {
    const post = (path: string, body: unknown, token?: string) =>
      fetch(app.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    for (const email of [{}, [], ['a@b.c'], { toString: 'x' }]) {
      const res = await post('/api/v1/auth/login', { email, password: 'whatever-123' });
      assert.is(res.status, 422, JSON.stringify(email));
      const body = (await res.json()) as { error: string; details: { fields: Array<{ field: string }> } };
      assert.is(body.error, 'validation_failed');
      assert.equal(body.details.fields.map((f) => f.field), ['email']);
    }
    const token = ((await (await post('/api/v1/auth/login', { email: 'ada@example.org', password: 'ada-password-1' })).json()) as { token: string }).token;
    const res = await post('/api/v1/classes', { name: ['x'], class_code: { a: 1 } }, token);
    assert.is(res.status, 422);
    const deep = await fetch(`${app.url}/api/v1/classes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: withDeep({ name: 'x', class_code: 'X', description: 'DEEP' }, nested(500)),
    });
    assert.is(deep.status, 422);
    assert.is(((await deep.json()) as { error: string }).error, 'too_deep');
  });

  it('NUL and lone surrogates are stored as U+FFFD, in events and in API fields (PostgreSQL refused them: a 500 at login, a dead letter in ingest)', async ({ app, store }) => {
    const event = buildCellEvent({ userId: 'nul', code: 'print("\u0000")', output: 'a\ud800b', metadata: { 'k\u0000': 'v\udfff' } });
    assert.is((await postEvents(app.url, [event])).status, 202);
    const row = await waitFor(() => store('events').where({ event_id: event.eventId }).first(), 10_000, 'stored, not dead-lettered');
    const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
    assert.is(payload.code, 'print("\ufffd")');
    assert.is(payload.output, 'a\ufffdb');
    assert.equal(payload.metadata, { 'k\ufffd': 'v\ufffd' });
    // The eventId is the dedup key: two ids that differ only in unstorable characters are one event.
    const twins = [buildCellEvent({ userId: 'nul', eventId: `twin-${mode}-\u0000` }), buildCellEvent({ userId: 'nul', eventId: `twin-${mode}-\ud800` })];
    const twinReply = await postEvents(app.url, twins);
    assert.equal([twinReply.body.accepted, twinReply.body.duplicates], [1, 1]);
    await waitFor(() => store('events').where({ event_id: `twin-${mode}-\ufffd` }).first(), 10_000, 'the twin stored once');
    const login = await fetch(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"ada\\u0000@example.org","password":"x\\ud800yyyyyyy"}' });
    assert.is(login.status, 401);
    const token = ((await (await fetch(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ada@example.org', password: 'ada-password-1' }) })).json()) as { token: string }).token;
    // A NUL in a query parameter is refused by the route table's parameter guard (400, never a 500 from the database).
    const query = await fetch(`${app.url}/api/v1/events?user_id=%00&notebook_path=%ED%A0%80`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal([query.status, ((await query.json()) as { error: string }).error], [400, 'invalid_parameter']);
    // A lone surrogate is no control character: an empty answer, not an error.
    assert.is((await fetch(`${app.url}/api/v1/events?notebook_path=%ED%A0%80`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const cls = (await (await fetch(`${app.url}/api/v1/classes`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'N', class_code: 'NUL1' }) })).json()) as { id: number };
    const ids = await fetch(`${app.url}/api/v1/classes/${cls.id}/students`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ student_id: 99_999_999_999 }) });
    assert.is(ids.status, 422, 'an id no 32-bit column can hold');
    assert.is((await fetch(`${app.url}/api/v1/classes?skip=1e20`, { headers: { authorization: `Bearer ${token}` } })).status, 422);
  });

  it.run();
}
