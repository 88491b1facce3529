/**
 * Per-class authorization (security review, finding 7): an instructor reads and changes only the
 * classes they teach and those classes' students; admins everything. The matrix is generated from
 * the route table: every route with a class scope refuses a non-teacher (403) and changes nothing;
 * every list filtered to "own classes" shows a non-teacher none of the class's rows. Then the same
 * instructor enrols the other class's student into his own class: every scoped route aimed at his
 * class and that student answers nothing of the other class's part, and none of his writes changes
 * what the other class shows.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'csv-parse/sync';
import type { RouteSpec } from '../../../collector/src/http/routeTable.ts';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { login, request, type Reply } from '../../helpers/http.ts';
import { png } from '../../helpers/png.ts';
import { waitFor } from '../../helpers/services.ts';
import { buildCellEvent, companionHeaders, modesToTest, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';
import { openSocket } from '../../helpers/wsClient.ts';

const SECRET = 'class-scope-jwt-secret-0123456789-abcdefgh';
const KEY = 'class-scope-master-key-0123456789';
const NOTEBOOK = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] };
/** A saved version (notebook_snapshot) of one code cell. */
const snapshotOf = (userId: string, notebookPath: string, source: string) =>
  buildCellEvent({ userId, notebookPath, eventType: 'notebook_snapshot', eventTime: new Date().toISOString(), cellId: undefined, cellType: undefined, code: undefined, output: undefined, executionCount: undefined, durationMs: undefined, success: undefined, metadata: { snapshot: { trigger: 'save', cells: [{ id: 'c1', type: 'code', source }] } } });


/** A meeting's report (and its CSV) is of a window: one fixed for the whole file (from an hour before it starts to a day later), so that two reads compare. */
const MEETING = { start: new Date(Date.now() - 3_600_000).toISOString(), end: new Date(Date.now() + 86_400_000).toISOString() };
const meetingWindow = (path: string) => (path.includes('/sessions/report') ? `?start=${MEETING.start}&end=${MEETING.end}${path.includes('.csv') ? '&table=attendance' : ''}` : '');
/** A CSV answer as its rows, without the columns that move with the clock alone. */
const csvRows = (text: string) => (parse(text, { bom: true, columns: true }) as Array<Record<string, string>>).map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !/^(status|lag_seconds|last_activity_at)$/.test(k))));

for (const mode of modesToTest()) {
  const it = suite(`class scope [${mode}]`);
  let services: Services;
  let app: RunningCollector;
  const tokens: Record<'admin' | 'ann' | 'ben' | 'cat', string> = { admin: '', ann: '', ben: '', cat: '' };
  const ids: Record<string, number> = {};

  const call = (who: keyof typeof tokens, method: string, path: string, body?: unknown): Promise<Reply> => request(app.url, method, path, { token: tokens[who], body });

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET, INGEST_KEY: KEY }));
    const accounts = [
      ['admin', 'admin'],
      ['ann', 'instructor'],
      ['ben', 'instructor'],
      ['cat', 'instructor'],
    ] as const;
    for (const [name, role] of accounts) {
      ids[name] = (await createInstructor(app.collector.db, { email: `${name}@school.example`, name, password: `${name}-password-1`, role })).id;
      tokens[name] = await login(app.url, `${name}@school.example`, `${name}-password-1`);
    }
    // Ann's class, with Cat as co-teacher, student alice, an assignment and a submission; Ben's class with bob.
    ids.annClass = (await call('ann', 'post', '/api/v1/classes', { name: 'Ann 101', class_code: 'ANN101' })).body.id;
    assert.is((await call('ann', 'post', `/api/v1/classes/${ids.annClass}/teachers`, { email: 'cat@school.example' })).status, 201);
    ids.alice = (await call('ann', 'post', `/api/v1/classes/${ids.annClass}/students`, { user_id: 'alice' })).body.student.id;
    // A seat map, so that reading its image is a read that exists.
    const seatImage = await fetch(`${app.url}/api/v1/classes/${ids.annClass}/seat-map/image`, { method: 'PUT', headers: { authorization: `Bearer ${tokens.ann}`, 'content-type': 'image/png' }, body: new Uint8Array(png(4, 3, () => [200, 200, 200])) });
    assert.is(seatImage.status, 200);
    ids.assignment = (await call('ann', 'post', '/api/v1/assignments', { class_id: ids.annClass, notebook_path: 'hw1.ipynb', title: 'HW1' })).body.id;
    ids.submission = (await call('ann', 'post', '/api/v1/submissions', { assignment_id: ids.assignment, student_id: ids.alice, notebook_content: NOTEBOOK })).body.id;
    // Alice asks for help (through the ingest API, as her companion would): a help request of Ann's class.
    assert.is((await postEvents(app.url, [buildCellEvent({ userId: 'alice', eventType: 'help_request', eventTime: new Date().toISOString() })], { headers: companionHeaders(KEY, 'alice') })).status, 202);
    const request = await waitFor<{ id: number }>(() => app.collector.db('help_requests').first('id'), 10_000, "alice's help request");
    ids.helpRequest = Number(request.id);
    ids.benClass = (await call('ben', 'post', '/api/v1/classes', { name: 'Ben 201', class_code: 'BEN201' })).body.id;
    ids.bob = (await call('ben', 'post', `/api/v1/classes/${ids.benClass}/students`, { user_id: 'bob' })).body.student.id;
    // Events from after the enrolments (a class shows a student's data from her enrolment on).
    for (const user of ['alice', 'bob']) assert.is((await postEvents(app.url, [buildCellEvent({ userId: user, eventTime: new Date().toISOString() })], { headers: companionHeaders(KEY, user) })).status, 202);
    await waitFor(async () => (await call('admin', 'get', '/api/v1/events')).body.length >= 2, 10_000, 'events stored');
    // A saved version of alice's hw1 (Ann's assignment): the notebook-version routes aim at it.
    assert.is((await postEvents(app.url, [snapshotOf('alice', 'hw1.ipynb', 'ann_hw1_marker = 2')], { headers: companionHeaders(KEY, 'alice') })).status, 202);
    ids.version = Number((await waitFor<{ id: number }>(() => app.collector.db('history_versions').first('id'), 10_000, "alice's version")).id);
    // Two kernel environments of alice's, so that every environment read (diff included) exists.
    const environment = (packages: Record<string, string>, agoMs: number) => buildCellEvent({ userId: 'alice', eventType: 'kernel_environment', eventTime: new Date(Date.now() - agoMs).toISOString(), metadata: { environment: { python: '3.11.7', implementation: 'CPython', platform: 'Linux', packages } } });
    // Both after alice's enrolment in Ann's class (a few seconds ago at most), 5 ms apart.
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.is((await postEvents(app.url, [environment({ pandas: '1.5.3' }, 5), environment({ pandas: '2.2.3' }, 0)], { headers: companionHeaders(KEY, 'alice') })).status, 202);
    await waitFor(async () => (await call('admin', 'get', '/api/v1/environments/alice/snapshots')).body.length === 2 || undefined, 10_000, "alice's environments stored");
  });
  it.after(async () => {
    await app.close();
    await services.stop();
  });

  /** The path and body that aim a scoped route at Ann's class (or its assignment, submission, student). */
  function aimAtAnn(spec: RouteSpec): { path: string; body?: unknown } {
    const scope = spec.scope as Exclude<RouteSpec['scope'], 'own_classes' | undefined>;
    const target = 'class' in scope ? ids.annClass : 'assignment' in scope ? ids.assignment : 'submission' in scope ? ids.submission : 'help_request' in scope ? ids.helpRequest : 'version' in scope ? ids.version : ids.alice;
    let path = spec.path.replace(':id', String(target)).replace(':studentId', String(ids.alice)).replace(':instructorId', String(ids.cat)).replace(':user_id', 'alice');
    const from = Object.values(scope).find((v) => typeof v === 'object') as { query?: string; body?: string };
    if (from.query) path += `?${from.query}=${target}`;
    if (from.query && path.includes('/notebook-version/')) path += '&notebook_path=hw1.ipynb';
    if (path.includes('/exports/')) path += EXPORT_WINDOW;
    path += meetingWindow(path);
    let body: unknown = spec.method === 'get' || spec.method === 'delete' ? undefined : from.body ? { [from.body]: target } : {};
    if (spec.path === '/api/v1/assignments' && spec.method === 'post') body = { class_id: ids.annClass, notebook_path: 'x.ipynb', title: 'Sneaky' };
    if (spec.path === '/api/v1/submissions' && spec.method === 'post') body = { assignment_id: ids.assignment, student_id: ids.alice, notebook_content: NOTEBOOK };
    return { path, body };
  }

  it('every LMS and student-data route declares a class scope (a new route cannot forget it)', () => {
    const unscoped = app.collector
      .routeSpecs()
      .filter((s) => s.access === 'instructor' && /^\/api\/v1\/(classes|assignments|submissions|students|events)/.test(s.path) && !s.scope && !(s.method === 'post' && s.path === '/api/v1/classes'));
    assert.equal(unscoped.map((s) => `${s.method} ${s.path}`), []);
  });

  it("matrix from the route table: Ben (not a teacher) gets 403 on every scoped route aimed at Ann's class, and nothing changes", async () => {
    const scoped = app.collector.routeSpecs().filter((s) => s.scope && s.scope !== 'own_classes');
    assert.ok(scoped.length >= 15, `${scoped.length} scoped routes`);
    const before = await call('admin', 'get', `/api/v1/submissions/${ids.submission}`);
    for (const spec of scoped) {
      const { path, body } = aimAtAnn(spec);
      const reply = await call('ben', spec.method, path, body);
      assert.is(reply.status, 403, `${spec.method} ${spec.path} as Ben: ${reply.status} ${JSON.stringify(reply.body)}`);
      assert.ok(['not_class_teacher', 'not_class_owner'].includes(reply.body.error), `${spec.method} ${spec.path}: ${reply.body.error}`);
    }
    assert.is((await call('ann', 'get', `/api/v1/classes/${ids.annClass}`)).status, 200, 'the class is still there');
    assert.equal((await call('admin', 'get', `/api/v1/submissions/${ids.submission}`)).body, before.body, 'the submission is unchanged');
    assert.equal((await call('ann', 'get', `/api/v1/classes/${ids.annClass}/students`)).body.map((s: { user_id: string }) => s.user_id), ['alice']);
    assert.is((await call('ann', 'get', `/api/v1/assignments?class_id=${ids.annClass}`)).body.length, 1);
  });

  it('the class teachers and admins pass the same guards (reads answer 200)', async () => {
    const reads = app.collector.routeSpecs().filter((s) => s.scope && s.scope !== 'own_classes' && s.method === 'get');
    for (const spec of reads) {
      const { path } = aimAtAnn(spec);
      for (const who of ['ann', 'cat', 'admin'] as const) assert.is((await call(who, 'get', path)).status, 200, `${spec.path} as ${who}`);
    }
  });

  it('co-teachers change the class but only owners delete it or manage its teachers; the last owner stays', async () => {
    assert.is((await call('cat', 'put', `/api/v1/classes/${ids.annClass}`, { description: 'edited by Cat' })).status, 200);
    const del = await call('cat', 'delete', `/api/v1/classes/${ids.annClass}`);
    assert.is(del.status, 403);
    assert.is(del.body.error, 'not_class_owner');
    assert.is((await call('cat', 'post', `/api/v1/classes/${ids.annClass}/teachers`, { instructor_id: ids.ben })).status, 403);
    const lastOwner = await call('ann', 'delete', `/api/v1/classes/${ids.annClass}/teachers/${ids.ann}`);
    assert.is(lastOwner.status, 409);
    assert.is(lastOwner.body.error, 'last_owner');
    const teachers = await call('cat', 'get', `/api/v1/classes/${ids.annClass}/teachers`);
    assert.equal(teachers.body.map((t: { name: string; role: string }) => [t.name, t.role]), [['ann', 'owner'], ['cat', 'co_teacher']]);
  });

  it("lists are filtered: Ben sees his class, student and events, none of Ann's; admins see all", async () => {
    const names = (r: Reply, key: string) => r.body.map((x: Record<string, unknown>) => x[key]).sort();
    assert.equal(names(await call('ben', 'get', '/api/v1/classes'), 'class_code'), ['BEN201']);
    assert.equal(names(await call('ann', 'get', '/api/v1/classes'), 'class_code'), ['ANN101']);
    assert.equal(names(await call('admin', 'get', '/api/v1/classes'), 'class_code'), ['ANN101', 'BEN201']);
    assert.equal(names(await call('ben', 'get', '/api/v1/students'), 'user_id'), ['bob']);
    assert.equal(names(await call('ben', 'get', '/api/v1/events'), 'user_id'), ['bob']);
    assert.equal((await call('ben', 'get', '/api/v1/events?user_id=alice')).body, []);
    assert.equal((await call('ben', 'get', '/api/v1/assignments')).body, []);
    assert.equal((await call('ben', 'get', '/api/v1/submissions')).body, []);
    assert.equal([...new Set(names(await call('cat', 'get', '/api/v1/events'), 'user_id'))], ['alice'], "only alice's events (her run and her help request)");
    assert.is((await call('ben', 'get', `/api/v1/students/${ids.alice}`)).status, 403);
  });

  it("instructor B cannot read or delete instructor A's class (the review's repro)", async () => {
    assert.is((await call('ben', 'get', `/api/v1/classes/${ids.annClass}`)).status, 403);
    assert.is((await call('ben', 'delete', `/api/v1/classes/${ids.annClass}`)).status, 403);
    assert.is((await call('ann', 'get', `/api/v1/classes/${ids.annClass}`)).status, 200);
  });

  it("the live /ws stream carries only the instructor's students (admins: everyone)", async () => {
    const ws = app.url.replace('http', 'ws');
    const ben = await openSocket(`${ws}/ws?token=${tokens.ben}`);
    const ann = await openSocket(`${ws}/ws?token=${tokens.ann}`);
    const admin = await openSocket(`${ws}/ws?token=${tokens.admin}`);
    // Dated now, after the enrolments: a class shows a student's work from her enrolment on (the live feed too).
    const fromAlice = buildCellEvent({ userId: 'alice', eventTime: new Date().toISOString() });
    const fromBob = buildCellEvent({ userId: 'bob', eventTime: new Date().toISOString() });
    assert.is((await postEvents(app.url, [fromAlice], { headers: companionHeaders(KEY, 'alice') })).status, 202);
    assert.is((await postEvents(app.url, [fromBob], { headers: companionHeaders(KEY, 'bob') })).status, 202);
    const seen = (s: { messages: any[] }) => new Set(s.messages.filter((m) => m.type === 'events').flatMap((m) => m.events.map((e: { eventId: string }) => e.eventId)));
    await waitFor(() => seen(admin).has(fromAlice.eventId) && seen(admin).has(fromBob.eventId), 10_000, 'admin sees both');
    await waitFor(() => seen(ben).has(fromBob.eventId) && seen(ann).has(fromAlice.eventId), 10_000, 'each teacher sees their student');
    assert.not.ok(seen(ben).has(fromAlice.eventId), "Ben never gets Ann's student");
    assert.not.ok(seen(ann).has(fromBob.eventId), "Ann never gets Ben's student");
    for (const s of [ben, ann, admin]) s.ws.close();
  });


  // ── Own class + a foreign student ────────────────────────────────────────────────────────────
  // Ben enrols alice (Ann's student, with data in Ann's class from before) into his own class. For
  // every scoped route aimed at Ben's class, alice or her help request, Ben's answer carries nothing
  // of Ann's class, and none of Ben's writes changes what Ann's class shows. A new scoped write
  // needs a case below (the test fails naming it); reads are checked without one.

  /** What only Ann's class knows of alice: her roster line there, hw1 (Ann's assignment), what she did before Ben enrolled her. */
  const ANN_ONLY = ['Alice Ann', 'alice@ann.example', 'Crimson', 'A-001', 'Ann 101', 'ANN101', 'hw1.ipynb', 'before_ben_marker', 'ann_hw1_marker', '1.5.3', '2.2.3'];
  const foreign: Record<string, number> = {};

  /** The bodies of Ben's writes on his own class (and alice); a scoped write without one fails the matrix. */
  const BEN_WRITES: Record<string, unknown> = {
    'put /api/v1/classes/:id': { name: 'Ben 201 renamed', description: 'edited' },
    'post /api/v1/classes/:id/students': { user_id: 'alice', name: 'Mallory', email: 'mallory@ben.example' },
    'put /api/v1/classes/:id/capture-policy': { policy: 'metadata' },
    'post /api/v1/classes/:id/roster': { csv: 'user_id,name,email,team,student_number\r\nalice,Mallory,mallory@ben.example,Blue,B-1\r\n', apply: true },
    'put /api/v1/classes/:id/roster/:userId': { name: 'Mallory Two', team: 'Blue', student_number: 'B-2' },
    'post /api/v1/classes/:id/teams': { name: 'Green' },
    'put /api/v1/classes/:id/teams/:teamId': { name: 'Blue Two' },
    'put /api/v1/classes/:id/seat-map/image': 'png',
    'put /api/v1/classes/:id/seat-map/placements': { placements: [{ kind: 'student', key: 'alice', x: 0.5, y: 0.5 }] },
    'post /api/v1/classes/:id/broadcasts': { message: 'a broadcast from Ben' },
    'put /api/v1/classes/:id/settings': { stuck_errors: 2, retention_days: 0 },
    'put /api/v1/classes/:id/environment/requirements': { packages: [{ name: 'pandas', spec: '>=99' }] },
    'post /api/v1/classes/:id/teachers': { email: 'cat@school.example' },
    'put /api/v1/classes/:id/schedule': { timezone: 'Asia/Tokyo', slots: [{ weekday: 1, start: '09:00', minutes: 90 }] },
    'post /api/v1/classes/:id/sessions': { start: new Date(Date.now() - 1_800_000).toISOString(), end: new Date().toISOString(), title: 'Ben lab' },
    'post /api/v1/help_requests/:id/claim': {},
    'post /api/v1/help_requests/:id/resolve': {},
    'post /api/v1/assignments': () => ({ class_id: ids.benClass, notebook_path: 'ben-lab.ipynb', title: 'Ben lab 2' }),
    'put /api/v1/assignments/:id': { title: 'Ben lab renamed' },
    'post /api/v1/submissions': () => ({ assignment_id: foreign.benAssignment, student_id: ids.alice, notebook_content: NOTEBOOK }),
    'put /api/v1/submissions/:id': { score: 50, feedback: 'feedback from Ben' },
    // His version of alice's lab compared with Ann's hw1 version: that one is not his to see (404).
    'post /api/v1/notebook-version/compare': () => ({ from_snapshot_id: foreign.benVersion, to_snapshot_id: ids.version }),
    'post /api/v1/notebook-version/commit': () => ({ snapshot_id: foreign.benVersion, message: 'seen by Ben' }),
    'post /api/v1/notebook-version/branch': () => ({ from_snapshot_id: foreign.benVersion, name: 'ben-fix', cells: [{ cell_type: 'code', source: 'ben_lab_fix = 4' }] }),
    // Deletes run last, the class itself at the very end.
    'delete /api/v1/classes/:id/sessions/:sessionId': undefined,
    'delete /api/v1/classes/:id/teams/:teamId': undefined,
    'delete /api/v1/classes/:id/teachers/:instructorId': undefined,
    'delete /api/v1/submissions/:id': undefined,
    'delete /api/v1/assignments/:id': undefined,
    'delete /api/v1/classes/:id/students/:studentId': undefined,
    'delete /api/v1/classes/:id': undefined,
  };

  /** The path (and query) that aim a scoped route at Ben's class, alice, her help request, Ben's assignment and submission. */
  /** The research exports require a window: one around the test's events. */
  const EXPORT_WINDOW = `?from=${new Date(Date.now() - 300 * 86_400_000).toISOString()}&to=${new Date(Date.now() + 30 * 86_400_000).toISOString()}`;

  function aimAtBen(spec: RouteSpec): string {
    const scope = spec.scope as Exclude<RouteSpec['scope'], 'own_classes' | undefined>;
    const target = 'class' in scope ? ids.benClass : 'assignment' in scope ? foreign.benAssignment : 'submission' in scope ? foreign.benSubmission : 'help_request' in scope ? ids.helpRequest : 'version' in scope ? foreign.benVersion : ids.alice;
    let path = spec.path
      .replace(':id', String(target))
      .replace(':studentId', String(ids.alice))
      .replace(':userId', 'alice')
      .replace(':user_id', 'alice')
      .replace(':teamId', String(foreign.benTeam))
      .replace(':instructorId', String(ids.cat))
      // The manual meeting Ben's write adds (the first one of this store).
      .replace(':sessionId', '1');
    assert.not.match(path, /:\w/, `${spec.method} ${spec.path}: no case for a path parameter`);
    const from = Object.values(scope).find((v) => typeof v === 'object') as { query?: string };
    if (from.query) path += `?${from.query}=${target}`;
    if (from.query && path.includes('/notebook-version/')) path += '&notebook_path=ben-lab.ipynb';
    if (path.includes('/exports/')) path += EXPORT_WINDOW;
    return path + meetingWindow(path);
  }

  /** Everything Ann's class shows (its scoped reads as Ann, alice's record, her capture policy), without what changes by itself. */
  async function annShows(): Promise<Record<string, unknown>> {
    const reads = app.collector.routeSpecs().filter((s) => s.scope && s.scope !== 'own_classes' && s.method === 'get');
    const out: Record<string, unknown> = {};
    for (const spec of reads) {
      const reply = await call('ann', 'get', aimAtAnn(spec).path);
      out[spec.path] = [reply.status, typeof reply.body === 'string' ? (reply.headers.get('content-type')?.startsWith('text/csv') ? csvRows(reply.body) : reply.body) : stable(reply.body)];
    }
    out.events = stable((await call('ann', 'get', '/api/v1/events?user_id=alice')).body);
    const policy = (await request(app.url, 'get', '/api/v1/student/policy', { headers: companionHeaders(KEY, 'alice') })).body;
    out.policy = [policy.policy, policy.notebooks?.['hw1.ipynb']];
    return out;
  }
  /** Drops what moves with the clock alone: when the answer was made, a card's status and minute buckets. */
  function stable(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(stable);
    if (value && typeof value === 'object') {
      const card = 'sparkline' in value;
      // An open help request's wait in a meeting's report grows with the clock too, and where the next page of meetings starts.
      return Object.fromEntries(Object.entries(value).filter(([k]) => !/^(generatedAt|sparkline|counts|lagSeconds|waitSeconds|nextBefore)$/.test(k) && !(card && k === 'status')).map(([k, v]) => [k, stable(v)]));
    }
    return value;
  }

  it("own class + a foreign student: Ben enrols Ann's alice; his answers carry nothing of Ann's class and his writes change nothing Ann's class shows", async () => {
    // Ann's class knows alice under its own name, email, team and number; alice worked before Ben enrolled her.
    const annRoster = 'user_id,name,email,team,student_number\r\nalice,Alice Ann,alice@ann.example,Crimson,A-001\r\n';
    assert.is((await call('ann', 'post', `/api/v1/classes/${ids.annClass}/roster`, { csv: annRoster, apply: true })).status, 200);
    const before = buildCellEvent({ userId: 'alice', notebookPath: 'scratch.ipynb', code: 'before_ben_marker = 1', eventTime: new Date().toISOString() });
    assert.is((await postEvents(app.url, [before], { headers: companionHeaders(KEY, 'alice') })).status, 202);
    await waitFor(async () => (await call('admin', 'get', '/api/v1/events?user_id=alice')).body.some((e: { event_id: string }) => e.event_id === before.eventId) || undefined, 10_000, 'the early event stored');
    await new Promise((resolve) => setTimeout(resolve, 5));

    const enrolled = await call('ben', 'post', `/api/v1/classes/${ids.benClass}/students`, { user_id: 'alice' });
    assert.is(enrolled.status, 201);
    foreign.benAssignment = (await call('ben', 'post', '/api/v1/assignments', { class_id: ids.benClass, notebook_path: 'ben-lab.ipynb', title: 'Ben lab' })).body.id;
    foreign.benSubmission = (await call('ben', 'post', '/api/v1/submissions', { assignment_id: foreign.benAssignment, student_id: ids.alice, notebook_content: NOTEBOOK })).body.id;
    foreign.benTeam = (await call('ben', 'post', `/api/v1/classes/${ids.benClass}/teams`, { name: 'Blue' })).body.id;
    // After the enrolment: her work on Ann's assignment (Ann's only) and on Ben's (Ben's).
    await new Promise((resolve) => setTimeout(resolve, 5));
    const hw1 = buildCellEvent({ userId: 'alice', notebookPath: 'hw1.ipynb', code: 'ann_hw1_marker = 2', eventTime: new Date().toISOString() });
    const lab = buildCellEvent({ userId: 'alice', notebookPath: 'ben-lab.ipynb', code: 'ben_lab_marker = 3', eventTime: new Date(Date.now() + 1).toISOString() });
    assert.is((await postEvents(app.url, [hw1, lab], { headers: companionHeaders(KEY, 'alice') })).status, 202);
    await waitFor(async () => (await call('admin', 'get', '/api/v1/events?user_id=alice')).body.some((e: { event_id: string }) => e.event_id === lab.eventId) || undefined, 10_000, 'the later events stored');
    const labVersion = snapshotOf('alice', 'ben-lab.ipynb', 'ben_lab_marker = 3');
    assert.is((await postEvents(app.url, [labVersion], { headers: companionHeaders(KEY, 'alice') })).status, 202);
    foreign.benVersion = Number((await waitFor<{ id: number }>(() => app.collector.db('history_versions').where({ event_id: labVersion.eventId }).first('id'), 10_000, "alice's lab version")).id);
    // Ben reads his version of her lab, never Ann's hw1 version (the guard lets him ask: she is his student now).
    assert.match(JSON.stringify((await call('ben', 'get', `/api/v1/notebook-version/snapshot/${foreign.benVersion}`)).body), 'ben_lab_marker');
    assert.is((await call('ben', 'get', `/api/v1/notebook-version/snapshot/${ids.version}`)).body.error, 'version_not_found');
    // Ann's class really shows these (else the checks below prove nothing).
    const annBefore = await annShows();
    for (const marker of ['Alice Ann', 'Crimson', 'ann_hw1_marker', 'before_ben_marker']) assert.match(JSON.stringify(annBefore), marker, `Ann's class shows ${marker}`);
    /** The parts of Ann's class's views that differ from before (by route). */
    const changed = async (keys?: string[]) => {
      const now = await annShows();
      return Object.keys(annBefore).filter((k) => (!keys || keys.includes(k)) && JSON.stringify(now[k]) !== JSON.stringify(annBefore[k]));
    };

    const scoped = app.collector.routeSpecs().filter((s) => s.scope && s.scope !== 'own_classes');
    // Reads: every scoped GET aimed at Ben's class and alice.
    const reads = scoped.filter((s) => s.method === 'get');
    for (const spec of reads) {
      const reply = await call('ben', 'get', aimAtBen(spec));
      assert.ok([200, 404].includes(reply.status), `${spec.path} as Ben: ${reply.status} ${JSON.stringify(reply.body)}`);
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      for (const marker of ANN_ONLY) assert.not.match(text, marker, `GET ${spec.path} as Ben shows "${marker}" of Ann's class: …${text.slice(Math.max(0, text.indexOf(marker) - 300), text.indexOf(marker) + 100)}…`);
    }
    // …and the lists filtered to his classes.
    for (const path of ['/api/v1/students', '/api/v1/events', '/api/v1/events?user_id=alice', '/api/v1/submissions', '/api/v1/assignments', '/api/v1/classes']) {
      const text = JSON.stringify((await call('ben', 'get', path)).body);
      for (const marker of ANN_ONLY) assert.not.match(text, marker, `GET ${path} as Ben shows "${marker}" of Ann's class`);
    }
    // Ben does see his part of alice (the checks are not vacuous).
    assert.match(JSON.stringify((await call('ben', 'get', `/api/v1/students/${ids.alice}`)).body), 'ben_lab_marker');

    // Ann's team is not Ben's to rename or delete through his class.
    const annTeam = (await call('ann', 'get', `/api/v1/classes/${ids.annClass}/teams`)).body[0].id;
    assert.is((await call('ben', 'put', `/api/v1/classes/${ids.benClass}/teams/${annTeam}`, { name: 'Hijacked' })).status, 404);
    assert.is((await call('ben', 'delete', `/api/v1/classes/${ids.benClass}/teams/${annTeam}`)).status, 404);
    assert.equal(await changed(), []);

    // Writes: every scoped write aimed at Ben's class and alice, deletes last; Ann's class shows the same after each.
    const writes = scoped.filter((s) => s.method !== 'get');
    const missing = writes.map((s) => `${s.method} ${s.path}`).filter((key) => !(key in BEN_WRITES));
    assert.equal(missing, [], 'scoped writes without a case in BEN_WRITES');
    const order = Object.keys(BEN_WRITES);
    writes.sort((a, b) => order.indexOf(`${a.method} ${a.path}`) - order.indexOf(`${b.method} ${b.path}`));
    for (const spec of writes) {
      const key = `${spec.method} ${spec.path}`;
      const path = aimAtBen(spec);
      const body = typeof BEN_WRITES[key] === 'function' ? (BEN_WRITES[key] as () => unknown)() : BEN_WRITES[key];
      const reply = body === 'png'
        ? await fetch(`${app.url}${path}`, { method: 'PUT', headers: { authorization: `Bearer ${tokens.ben}`, 'content-type': 'image/png' }, body: new Uint8Array(png(4, 3, () => [10, 10, 10])) }).then(async (r) => ({ status: r.status, body: await r.text() }))
        : await call('ben', spec.method, path, body);
      assert.ok(reply.status < 500, `${key} as Ben: ${reply.status}`);
      if (process.env.MATRIX_VERBOSE) console.log(key, reply.status, JSON.stringify(reply.body).slice(0, 160));
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      for (const marker of ANN_ONLY) assert.not.match(text, marker, `${key} as Ben answers "${marker}" of Ann's class`);
      // Ending Ben's claim on alice (her enrolment, his class) hands what she did on his notebooks to
      // her remaining classes — the boundary rule for notebooks no class of hers claims (reported to
      // the lead). Everything Ann's class itself set still holds.
      const endsClaim = ['delete /api/v1/classes/:id/students/:studentId', 'delete /api/v1/classes/:id'].includes(key);
      const annSet = ['/api/v1/classes/:id', '/api/v1/classes/:id/teachers', '/api/v1/classes/:id/students', '/api/v1/classes/:id/roster', '/api/v1/classes/:id/roster.csv', '/api/v1/classes/:id/teams', '/api/v1/assignments/:id', '/api/v1/submissions/:id', '/api/v1/classes/:id/capture-policy', '/api/v1/classes/:id/settings', '/api/v1/classes/:id/seat-map', '/api/v1/classes/:id/environment/requirements', 'policy'];
      assert.equal(await changed(endsClaim ? annSet : undefined), [], `${key} as Ben (${reply.status}) changed what Ann's class shows`);
    }
  });

  it.run();
}
