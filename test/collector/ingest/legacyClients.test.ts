/**
 * Clients of the original public extension (v1.x), behind LEGACY_V1_CLIENTS=1: a class posting
 * `IStudentProgressData` from the browser, one event per request, with no companion credential —
 * through the real ingest API onto the dashboard board (statuses, one help request per heartbeat
 * episode, self-reported names and teams); refused with a clear error when the setting is off;
 * CORS only for the listed JupyterLab origins; per-student rate limits by the derived user id and
 * per address. Trust boundaries: a self-reported identity lives in its own namespace (`v1:<email>`),
 * the v1 mark and the class come from the collector (never from an event body), and
 * LEGACY_CLASS_CODE must name a class at start.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Knex } from 'knex';
import type { BoardCard, BoardSnapshot, StudentStatus } from '@cell-monitor/shared';
import { ConfigError, loadConfig } from '@cell-monitor/collector';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { login, request, type Reply } from '../../helpers/http.ts';
import { waitFor } from '../../helpers/services.ts';
import { blockEvent, buildCellEvent, companionHeaders, countRows, modesToTest, openStore, postEvents, ROOT, settle, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

const KEY = 'legacy-test-master-key-0123456789abcdef';
const SECRET = 'legacy-test-jwt-secret-0123456789-abcdef';
const LAB = 'http://localhost:8888';
const CLASS_CODE = 'V1-CLASS';
const NOTEBOOK = 'lesson1.ipynb';

/** A date-time as the v1 clients may send it: local wall-clock time, no zone (with or without milliseconds). */
function zoneless(ms: number, millis: boolean): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${millis ? `.${p(d.getMilliseconds(), 3)}` : ''}`;
}

let seq = 0;

/** One v1 payload (`IStudentProgressData`), every optional field present, null where it does not apply. */
function v1Event(n: number, eventType: string, agoMs: number, fields: Record<string, unknown> = {}) {
  seq += 1;
  return {
    eventId: `v1-${process.pid}-${Date.now().toString(36)}-${seq}`,
    eventType,
    eventTime: zoneless(Date.now() - agoMs, seq % 2 === 0),
    emailAddress: `Student${String(n).padStart(2, '0')}@School.Example.jp`,
    userName: `生徒 ${String(n).padStart(2, '0')}`,
    teamName: n <= 5 ? 'チームA' : 'チームB',
    sessionId: `v1-session-${n}`,
    notebookPath: NOTEBOOK,
    cellId: null,
    cellIndex: null,
    cellType: null,
    code: null,
    executionCount: null,
    hasError: null,
    errorMessage: null,
    result: null,
    executionDurationMs: null,
    ...fields,
  };
}

function v1Run(n: number, cell: number, ok: boolean, agoMs: number) {
  return v1Event(n, 'cell_executed', agoMs, {
    cellId: `c${cell}`,
    cellIndex: cell,
    cellType: 'code',
    code: `answer_${cell} = compute(${cell})`,
    executionCount: seq,
    hasError: !ok,
    errorMessage: ok ? null : `NameError: name 'v${cell}' is not defined`,
    result: ok ? String(cell * 7) : null,
    executionDurationMs: 20,
  });
}

const emailOf = (n: number) => `student${String(n).padStart(2, '0')}@school.example.jp`;
/** A v1 student's user id: the reported email in the self-reported namespace. */
const userOf = (n: number) => `v1:${emailOf(n)}`;

/** What a browser's fetch sends: the JSON body, the page's Origin, no companion header. */
function postV1(url: string, body: unknown, origin = LAB): Promise<Reply> {
  return postEvents(url, body, { headers: { origin } });
}

/**
 * Ten students: 1-5 and 8 run cells (8 after an error), 6-7 fail three times on cell 3, 9 asks for
 * help (4 heartbeats, help_stop, help again), 10 only opens the notebook. `paced`: the help events,
 * 10 s apart in a classroom, are each stored before the next is sent (with several collectors on
 * one stream, events sent within milliseconds may be stored in either order).
 */
function v1Class(): { events: object[]; paced: Set<object>; expected: Map<string, StudentStatus> } {
  const events: object[] = [];
  const paced = new Set<object>();
  const expected = new Map<string, StudentStatus>();
  for (let n = 1; n <= 10; n++) {
    events.push(v1Event(n, 'notebook_opened', 60_000));
    if (n <= 5) {
      events.push(v1Run(n, 1, true, 30_000), v1Run(n, 2, true, 20_000));
      expected.set(userOf(n), 'active');
    } else if (n <= 7) {
      events.push(v1Run(n, 3, false, 15_000), v1Run(n, 3, false, 10_000), v1Run(n, 3, false, 5_000));
      expected.set(userOf(n), 'stuck');
    } else if (n === 8) {
      events.push(v1Run(n, 2, false, 15_000), v1Run(n, 2, true, 10_000), v1Event(n, 'notebook_saved', 9_000));
      expected.set(userOf(n), 'active');
    } else if (n === 9) {
      events.push(v1Run(n, 2, false, 55_000));
      const help = [50_000, 40_000, 30_000, 20_000].map((ago) => v1Event(n, 'help', ago, { cellId: 'c2' }));
      help.push(v1Event(n, 'help_stop', 15_000, { cellId: 'c2' }), v1Event(n, 'help', 10_000, { cellId: 'c2' }));
      for (const event of help) paced.add(event);
      events.push(...help);
      expected.set(userOf(n), 'help');
    } else {
      expected.set(userOf(n), 'idle');
    }
  }
  return { events, paced, expected };
}

test('config: off by default; LEGACY_CORS_ORIGINS is a list of origins (never *); every problem named', () => {
  assert.equal(loadConfig({}).legacy, { enabled: false, corsOrigins: [], classCode: undefined, addressRateLimit: 6000 });
  const on = loadConfig({ LEGACY_V1_CLIENTS: '1', LEGACY_CORS_ORIGINS: 'http://localhost:8888, HTTPS://Hub.Example.org:443/', LEGACY_CLASS_CODE: ' V1-CLASS ', LEGACY_ADDRESS_RATE_LIMIT: '600' });
  assert.equal(on.legacy, { enabled: true, corsOrigins: ['http://localhost:8888', 'https://hub.example.org'], classCode: 'V1-CLASS', addressRateLimit: 600 });
  try {
    loadConfig({ LEGACY_V1_CLIENTS: 'yes', LEGACY_CORS_ORIGINS: '*' });
    assert.unreachable('accepted a bad configuration');
  } catch (err) {
    assert.instance(err, ConfigError);
    for (const name of ['LEGACY_V1_CLIENTS', 'LEGACY_CORS_ORIGINS']) assert.ok((err as Error).message.includes(name), name);
  }
  assert.throws(() => loadConfig({ LEGACY_CORS_ORIGINS: 'http://localhost:8888/lab' }), (err: Error) => err.message.includes('LEGACY_CORS_ORIGINS'));
});

test.run();

for (const mode of modesToTest()) {
  const it = suite<Record<string, never>>(`legacy v1 clients [${mode}]`);
  let services: Services;
  let on: RunningCollector;
  let off: RunningCollector;
  let limited: RunningCollector;
  let store: Knex;
  let teacher: string;
  let admin: string;
  let classId: number;

  const board = async (): Promise<BoardSnapshot> => {
    const res = await request(on.url, 'get', `/api/v1/dashboard/board?class_id=${classId}`, { token: teacher });
    assert.is(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  /** Posts one v1 event and waits until it is stored (a student's next click comes seconds later). */
  const postStored = async (event: { eventId: string }) => {
    const reply = await postV1(on.url, event);
    assert.is(reply.status, 202, JSON.stringify(reply.body));
    await waitFor(() => store('events').where({ event_id: event.eventId }).first('id'), 10_000, `${event.eventId} stored`);
    return reply;
  };
  const openRequests = async (user: string) =>
    Number((await store('help_requests as h').join('students as s', 's.id', 'h.student_id').where('s.user_id', user).whereNull('h.resolved_at').whereNull('h.cancelled_at').count({ n: '*' }))[0].n);

  it.before(async () => {
    services = await startServices(mode);
    const common = { JWT_SECRET: SECRET, INGEST_KEY: KEY };
    // LEGACY_CLASS_CODE must name a class at start: it is created first, on a collector without v1
    // clients. Every collector has the same LEGACY_CLASS_CODE: whichever persists a v1 event reads it.
    off = await startCollector(services.env({ ...common, LEGACY_CLASS_CODE: CLASS_CODE }));
    store = openStore(services.databaseUrl);
    await createInstructor(off.collector.db, { email: 'sato@example.org', name: 'Ms Sato', password: 'sato-password-1', role: 'instructor' });
    teacher = await login(off.url, 'sato@example.org', 'sato-password-1');
    const created = await request(off.url, 'post', '/api/v1/classes', { token: teacher, body: { name: 'Python 入門', class_code: CLASS_CODE } });
    assert.is(created.status, 201, JSON.stringify(created.body));
    classId = created.body.id;
    await createInstructor(off.collector.db, { email: 'admin@example.org', name: 'Admin', password: 'admin-password-1', role: 'admin' });
    admin = await login(off.url, 'admin@example.org', 'admin-password-1');
    on = await startCollector(services.env({ ...common, LEGACY_V1_CLIENTS: '1', LEGACY_CORS_ORIGINS: LAB, LEGACY_CLASS_CODE: CLASS_CODE }));
    limited = await startCollector(services.env({ ...common, LEGACY_V1_CLIENTS: '1', LEGACY_CLASS_CODE: CLASS_CODE, INGEST_RATE_LIMIT: '3', LEGACY_ADDRESS_RATE_LIMIT: '6' }));
  });
  it.after(async () => {
    await store?.destroy();
    for (const c of [limited, off, on]) await c?.close();
    await services?.stop();
  });

  it('a class of 10 v1 clients, one event per request: the board shows their statuses, names, teams and one help request', async () => {
    const { events, paced, expected } = v1Class();
    for (const [i, event] of events.entries()) {
      const reply = paced.has(event) ? await postStored(event as { eventId: string }) : await postV1(on.url, i % 3 === 0 ? [event] : event);
      assert.is(reply.status, 202, JSON.stringify(reply.body));
      assert.equal([reply.body.accepted, reply.body.rejected], [1, []]);
      assert.is(reply.headers.get('access-control-allow-origin'), LAB, 'the listed JupyterLab origin may read the answer');
    }
    const snapshot = await waitFor(async () => {
      const b = await board();
      return b.cards.length === 10 && b.cards.every((c) => c.status === expected.get(c.userId)) ? b : undefined;
    }, 20_000, 'the board to show the v1 class');
    const card = (n: number) => snapshot.cards.find((c) => c.userId === userOf(n)) as BoardCard;
    for (let n = 1; n <= 10; n++) {
      assert.is(card(n).displayName, `生徒 ${String(n).padStart(2, '0')}`, 'the self-reported userName');
      assert.is(card(n).team, n <= 5 ? 'チームA' : 'チームB', 'the self-reported teamName');
    }
    assert.equal(card(6).stuck, { cellId: 'c3', cellIndex: 3, errorName: 'NameError', count: 3 });
    assert.equal(snapshot.counts, { help: 1, stuck: 2, catching_up: 0, active: 6, idle: 1, offline: 0 });
    assert.equal(snapshot.helpQueue.map((h) => [h.userId, h.state, h.displayName, h.cellId]), [[userOf(9), 'open', '生徒 09', 'c2']]);

    // In the store: 4 heartbeats were one request (cancelled by help_stop), the help after it a new one.
    const requests = await store('help_requests as h').join('students as s', 's.id', 'h.student_id').where('s.user_id', userOf(9)).orderBy('h.id').select('h.cancelled_at', 'h.resolved_at');
    assert.equal(requests.map((r) => (r.cancelled_at ? 'cancelled' : r.resolved_at ? 'resolved' : 'open')), ['cancelled', 'open']);
    assert.is(await countRows(store, 'events', { user_id: userOf(9), event_type: 'help_request' }), 5, 'every heartbeat is kept as an event');
    const teams = await store('class_teams').where({ class_id: classId }).orderBy('name').pluck('name');
    assert.equal(teams, ['チームA', 'チームB'], "the v1 teams became the class's teams");
    const opened = (events[0] as { eventTime: string; eventId: string });
    const row = await store('events').where({ event_id: opened.eventId }).first('event_time', 'payload');
    const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
    assert.is(payload.eventTime, new Date(Date.parse(opened.eventTime)).toISOString(), 'a zone-less time is the local wall-clock time');
    assert.is(payload.metadata.client, 'cell-monitor-v1');
    assert.not.ok('cellId' in payload, 'null optional fields are absent');
    assert.is(payload.userId, userOf(1), 'the self-reported namespace');
    const student = await store('students').where({ user_id: userOf(1) }).first('name', 'email');
    assert.equal(student, { name: '生徒 01', email: emailOf(1) }, 'students.email is the reported address, without the namespace');
    assert.is(await countRows(store, 'students', { user_id: emailOf(1) }), 0, 'nothing is stored under the bare email');
  });

  it('a heartbeat after the instructor resolved does not reopen the request; help_stop then help opens a new one', async () => {
    const [request9] = (await board()).helpQueue;
    const resolved = await request(on.url, 'post', `/api/v1/help_requests/${request9.id}/resolve`, { token: teacher });
    assert.is(resolved.status, 200, JSON.stringify(resolved.body));
    // The v1 client never hears of the resolve: its toggle stays on and keeps sending.
    assert.is((await postV1(on.url, v1Event(9, 'help', 0, { cellId: 'c2' }))).status, 202);
    assert.is((await postV1(on.url, v1Event(9, 'help', 0, { cellId: 'c2' }))).status, 202);
    await settle(on.url, store, companionHeaders(KEY, 'sentinel'));
    assert.is(await openRequests(userOf(9)), 0, 'the resolved episode stays resolved');
    assert.equal((await board()).helpQueue, []);
    await postStored(v1Event(9, 'help_stop', 0, { cellId: 'c2' }));
    await postStored(v1Event(9, 'help', -1_000, { cellId: 'c2' }));
    const queue = await waitFor(async () => ((await board()).helpQueue.length === 1 ? (await board()).helpQueue : undefined), 10_000, 'the new request');
    assert.equal(queue.map((h) => [h.userId, h.state]), [[userOf(9), 'open']]);
    assert.is(await openRequests(userOf(9)), 1);
  });

  it('self-reports never overwrite a roster name or a team the instructor set; a self-reported team follows the student', async () => {
    const put = await request(on.url, 'put', `/api/v1/classes/${classId}/roster/${encodeURIComponent(userOf(1))}`, { token: teacher, body: { name: 'Yamada Hanako', team: 'Instructors pick' } });
    assert.is(put.status, 200, JSON.stringify(put.body));
    // Each waited for until stored: with several collectors on one stream a sentinel may be stored first.
    await postStored(v1Event(1, 'notebook_saved', 0, { userName: 'Someone Else', teamName: 'チームC' }));
    await postStored(v1Event(2, 'notebook_saved', 0, { teamName: 'チームC' }));
    const cards = (await board()).cards;
    const card = (n: number) => cards.find((c) => c.userId === userOf(n))!;
    assert.equal([card(1).displayName, card(1).team], ['Yamada Hanako', 'Instructors pick']);
    assert.equal([card(2).displayName, card(2).team], ['生徒 02', 'チームC']);
  });

  it('with LEGACY_V1_CLIENTS off the same post is refused, naming the setting, and nothing is stored', async () => {
    const event = { ...v1Event(11, 'notebook_opened', 0), emailAddress: 'off@school.example.jp' };
    const reply = await postV1(off.url, event);
    assert.is(reply.status, 403);
    assert.is(reply.body.error, 'legacy_clients_disabled');
    assert.match(reply.body.message, /set LEGACY_V1_CLIENTS=1/);
    assert.is((await postV1(off.url, [event, event])).body.error, 'legacy_clients_disabled', 'an array of them too');
    await settle(off.url, store, companionHeaders(KEY, 'sentinel'));
    for (const user of ['off@school.example.jp', 'v1:off@school.example.jp']) {
      assert.is(await countRows(store, 'events', { user_id: user }), 0);
      assert.is(await countRows(store, 'students', { user_id: user }), 0);
    }
  });

  it('companion auth is unchanged for everything else: a canonical body without credentials, or a v1 body with a wrong one, is 401', async () => {
    const canonical = await postEvents(on.url, [buildCellEvent({ userId: 'mallory' })]);
    assert.equal([canonical.status, canonical.body.error], [401, 'unauthorized']);
    const mixed = await postV1(on.url, [v1Event(1, 'notebook_saved', 0), buildCellEvent({ userId: 'mallory' })]);
    assert.equal([mixed.status, mixed.body.error], [401, 'unauthorized'], 'a batch is a v1 one only when every event is');
    const forged = await postEvents(on.url, v1Event(1, 'notebook_saved', 0), { headers: { authorization: 'Bearer cmc1_forged', 'x-cell-monitor-user': 'mallory' } });
    assert.is(forged.status, 401);
    const empty = await postEvents(on.url, undefined, { raw: '' });
    assert.equal([empty.status, empty.body.error], [401, 'unauthorized'], 'an unreadable body without credentials is still a 401');
  });

  it('CORS: the preflight is answered for a listed origin only, without credentials or a wildcard', async () => {
    const preflight = (url: string, origin: string) =>
      fetch(`${url}/api/v1/events`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const allowed = await preflight(on.url, LAB);
    assert.is(allowed.status, 204);
    assert.is(allowed.headers.get('access-control-allow-origin'), LAB);
    assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match((allowed.headers.get('access-control-allow-headers') ?? '').toLowerCase(), /content-type/);
    assert.is(allowed.headers.get('access-control-allow-credentials'), null);
    assert.match(allowed.headers.get('vary') ?? '', /Origin/);
    const other = await preflight(on.url, 'http://evil.example');
    assert.is(other.status, 403);
    assert.is(other.headers.get('access-control-allow-origin'), null);
    assert.is(((await other.json()) as { error: string }).error, 'cors_origin_not_allowed');
    assert.is((await preflight(off.url, LAB)).headers.get('access-control-allow-origin'), null, 'no CORS while the setting is off');
    const post = await postV1(on.url, v1Event(3, 'notebook_saved', 0), 'http://evil.example');
    assert.is(post.headers.get('access-control-allow-origin'), null, 'another origin may not read the answer');
  });

  it('the per-student rate limit applies, keyed by the derived user id; all the students one address reports share its limit', async () => {
    const mine = (agoMs: number) => ({ ...v1Event(12, 'notebook_saved', agoMs), emailAddress: 'Rate@School.example.jp' });
    for (let i = 0; i < 3; i++) assert.is((await postV1(limited.url, mine(i * 1000))).status, 202, `event ${i + 1}`);
    const over = await postV1(limited.url, { ...mine(0), emailAddress: 'rate@school.example.jp ' });
    assert.equal([over.status, over.body.error], [429, 'rate_limited']);
    assert.match(over.body.message, /this student/);
    assert.ok(Number(over.headers.get('retry-after')) >= 1);
    assert.is((await postV1(limited.url, { ...mine(0), emailAddress: 'other@school.example.jp' })).status, 202, 'another student has their own share');
    // LEGACY_ADDRESS_RATE_LIMIT=6: five events so far from this address (the refused one counts); a
    // sender inventing a new student per request gets one more, then 429 for the address.
    assert.is((await postV1(limited.url, { ...mine(0), emailAddress: 'third@school.example.jp' })).status, 202);
    const address = await postV1(limited.url, { ...mine(0), emailAddress: 'fourth@school.example.jp' });
    assert.equal([address.status, address.body.error], [429, 'rate_limited'], 'a new identity does not buy a new share');
    assert.match(address.body.message, /this address/);
    assert.ok(Number(address.headers.get('retry-after')) >= 1);
  });

  it("a credentialed student's event cannot carry the v1 mark: no enrolment, no team, no name, the keys are gone from the stored payload", async () => {
    for (const [collector, user] of [[off, 'carol@school.example.jp'], [on, 'dave@school.example.jp']] as const) {
      const forged = buildCellEvent({
        userId: user,
        notebookPath: NOTEBOOK,
        metadata: { client: 'cell-monitor-v1', legacyClassCode: CLASS_CODE, selfReported: { name: 'Teacher', team: 'Hackers' }, helpHeartbeat: true, kernelName: 'python3' },
      });
      const reply = await postEvents(collector.url, [forged], { headers: companionHeaders(KEY, user) });
      assert.is(reply.status, 202, JSON.stringify(reply.body));
      await waitFor(() => store('events').where({ event_id: forged.eventId }).first('id'), 10_000, `${forged.eventId} stored`);
      const row = await store('events').where({ event_id: forged.eventId }).first('user_id', 'payload');
      const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
      assert.is(row.user_id, user);
      assert.equal(payload.metadata, { kernelName: 'python3' }, 'the server keys are dropped at the edge, the rest kept');
      const student = await store('students').where({ user_id: user }).first('id', 'name');
      assert.is(student.name, null, 'no self-reported name');
      assert.is(await countRows(store, 'class_enrollments', { student_id: student.id }), 0, `${user} did not join ${CLASS_CODE}`);
    }
    assert.is(await countRows(store, 'class_teams', { class_id: classId, name: 'Hackers' }), 0, 'no team was created');
    const cards = (await board()).cards.map((c) => c.userId);
    assert.not.ok(cards.includes('carol@school.example.jp') || cards.includes('dave@school.example.jp'), 'not on the class board');
  });

  it('a v1 body naming a credentialed student is stored under v1:<email>, never merged with her; a companion cannot use a v1: user id', async () => {
    const hanako = 'hanako@school.example.jp';
    const own = buildCellEvent({ userId: hanako, notebookPath: NOTEBOOK });
    assert.is((await postEvents(on.url, [own], { headers: companionHeaders(KEY, hanako) })).status, 202);
    await waitFor(() => store('events').where({ event_id: own.eventId }).first('id'), 10_000, 'her own event stored');
    const enrolled = await request(on.url, 'post', `/api/v1/classes/${classId}/students`, { token: teacher, body: { user_id: hanako, name: 'Hanako Yamada' } });
    assert.is(enrolled.status, 201, JSON.stringify(enrolled.body));

    const impostor = { ...v1Event(13, 'help', 0), emailAddress: ' Hanako@School.example.jp ', userName: 'Hanako (really)', teamName: 'Impostors' };
    await postStored(impostor);
    const row = await store('events').where({ event_id: impostor.eventId }).first('user_id');
    assert.is(row.user_id, `v1:${hanako}`);
    const students = await store('students').whereIn('user_id', [hanako, `v1:${hanako}`]).orderBy('user_id').select('user_id', 'name');
    assert.equal(students.map((s) => s.user_id), [hanako, `v1:${hanako}`], 'two students, never one');
    assert.is.not(students[0].name, 'Hanako (really)', "the credentialed student's row takes no self-reported name");
    const snapshot = await waitFor(async () => {
      const b = await board();
      return b.cards.some((c) => c.userId === `v1:${hanako}`) ? b : undefined;
    }, 10_000, 'the self-reported card');
    const real = snapshot.cards.find((c) => c.userId === hanako)!;
    assert.is(real.displayName, 'Hanako Yamada');
    assert.is(real.team, null, 'her team is not the impostor\'s');
    assert.equal(snapshot.helpQueue.filter((h) => h.userId === hanako), [], 'the help request is not hers');
    assert.ok(snapshot.helpQueue.some((h) => h.userId === `v1:${hanako}`));

    // The export says which identity is self-reported.
    for (const [user, selfReported] of [[hanako, false], [`v1:${hanako}`, true]] as const) {
      const res = await fetch(`${on.url}/api/v1/students/by-user/${encodeURIComponent(user)}/export`, { headers: { authorization: `Bearer ${admin}` } });
      assert.is(res.status, 200, user);
      const first = JSON.parse((await res.text()).split('\n')[0]);
      assert.equal([first.kind, first.userId, first.selfReported], ['export', user, selfReported]);
    }

    const claimed = buildCellEvent({ userId: `v1:${hanako}` });
    const refused = await postEvents(on.url, [claimed], { headers: companionHeaders(KEY, `v1:${hanako}`) });
    assert.is(refused.status, 422, JSON.stringify(refused.body));
    assert.equal([refused.body.error, refused.body.details.rejected[0].error], ['invalid_events', 'reserved_user_id']);
  });

  /** The store refuses `eventId` as a data error (dead-lettered) while `on`; dropping that is the fix. */
  const block = (eventId: string, on: boolean) => blockEvent(store, eventId, on);

  it('a dead-lettered v1 event keeps its self-reported mark when an admin retries it: stored under v1:<email>, in the class', async () => {
    const event = { ...v1Event(14, 'notebook_saved', 0), emailAddress: 'Retry@School.example.jp', userName: 'Retry Student' };
    await block(event.eventId, true);
    try {
      assert.is((await postV1(on.url, event)).status, 202);
      const failed = await waitFor(async () => {
        const list = (await request(on.url, 'get', '/api/v1/offline/failed', { token: admin })).body as Array<{ id: string; eventId: string }>;
        return list.find((f) => f.eventId === event.eventId);
      }, 30_000, 'the dead letter');
      await block(event.eventId, false); // the cause is fixed
      const retried = await request(on.url, 'post', '/api/v1/offline/failed/retry', { token: admin, body: { ids: [failed.id] } });
      assert.equal(retried.body, { retried: 1, unknown: [] });
    } catch (err) {
      await block(event.eventId, false).catch(() => undefined);
      throw err;
    }
    await waitFor(() => store('events').where({ event_id: event.eventId }).first('id'), 15_000, 'the retried event stored');
    assert.is((await store('events').where({ event_id: event.eventId }).first('user_id')).user_id, 'v1:retry@school.example.jp');
    const student = await store('students').where({ user_id: 'v1:retry@school.example.jp' }).first('id');
    const enrolment = await store('class_enrollments').where({ class_id: classId, student_id: student.id }).first('display_name');
    assert.is(enrolment?.display_name, 'Retry Student', 'enrolled as a self-reported student');
  });

  it('LEGACY_CLASS_CODE naming no class: the collector exits 2 with one line naming the fix', () => {
    const started = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'collector/src/main.ts'), 'start'], {
      cwd: ROOT,
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...services.env({ JWT_SECRET: SECRET, INGEST_KEY: KEY, LEGACY_V1_CLIENTS: '1', LEGACY_CLASS_CODE: 'NO-SUCH-CLASS' }), LOG_LEVEL: 'info' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.is(started.status, 2, started.stderr);
    assert.match(started.stderr, /LEGACY_CLASS_CODE "NO-SUCH-CLASS" names no class: create the class/);
    assert.not.match(started.stderr, /\n\s+at /, 'no stack trace');
  });

  it.run();
}
