/**
 * Per-class authorization (security review, finding 7): an instructor reads and changes only the
 * classes they teach and those classes' students; admins everything. The matrix is generated from
 * the route table: every route with a class scope refuses a non-teacher (403) and changes nothing;
 * every list filtered to "own classes" shows a non-teacher none of the class's rows.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
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
    assert.is((await postEvents(app.url, [buildCellEvent({ userId: 'alice', eventType: 'help_request' })], { headers: companionHeaders(KEY, 'alice') })).status, 202);
    const request = await waitFor<{ id: number }>(() => app.collector.db('help_requests').first('id'), 10_000, "alice's help request");
    ids.helpRequest = Number(request.id);
    ids.benClass = (await call('ben', 'post', '/api/v1/classes', { name: 'Ben 201', class_code: 'BEN201' })).body.id;
    ids.bob = (await call('ben', 'post', `/api/v1/classes/${ids.benClass}/students`, { user_id: 'bob' })).body.student.id;
    for (const user of ['alice', 'bob']) assert.is((await postEvents(app.url, [buildCellEvent({ userId: user })], { headers: companionHeaders(KEY, user) })).status, 202);
    await waitFor(async () => (await call('admin', 'get', '/api/v1/events')).body.length >= 2, 10_000, 'events stored');
    // Two kernel environments of alice's, so that every environment read (diff included) exists.
    const environment = (packages: Record<string, string>, agoMs: number) => buildCellEvent({ userId: 'alice', eventType: 'kernel_environment', eventTime: new Date(Date.now() - agoMs).toISOString(), metadata: { environment: { python: '3.11.7', implementation: 'CPython', platform: 'Linux', packages } } });
    assert.is((await postEvents(app.url, [environment({ pandas: '1.5.3' }, 60_000), environment({ pandas: '2.2.3' }, 1_000)], { headers: companionHeaders(KEY, 'alice') })).status, 202);
    await waitFor(async () => (await call('admin', 'get', '/api/v1/environments/alice/snapshots')).body.length === 2 || undefined, 10_000, "alice's environments stored");
  });
  it.after(async () => {
    await app.close();
    await services.stop();
  });

  /** The path and body that aim a scoped route at Ann's class (or its assignment, submission, student). */
  function aimAtAnn(spec: RouteSpec): { path: string; body?: unknown } {
    const scope = spec.scope as Exclude<RouteSpec['scope'], 'own_classes' | undefined>;
    const target = 'class' in scope ? ids.annClass : 'assignment' in scope ? ids.assignment : 'submission' in scope ? ids.submission : 'help_request' in scope ? ids.helpRequest : ids.alice;
    let path = spec.path.replace(':id', String(target)).replace(':studentId', String(ids.alice)).replace(':instructorId', String(ids.cat)).replace(':user_id', 'alice');
    const from = Object.values(scope).find((v) => typeof v === 'object') as { query?: string };
    if (from.query) path += `?${from.query}=${target}`;
    let body: unknown = spec.method === 'get' || spec.method === 'delete' ? undefined : {};
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
    const fromAlice = buildCellEvent({ userId: 'alice' });
    const fromBob = buildCellEvent({ userId: 'bob' });
    assert.is((await postEvents(app.url, [fromAlice], { headers: companionHeaders(KEY, 'alice') })).status, 202);
    assert.is((await postEvents(app.url, [fromBob], { headers: companionHeaders(KEY, 'bob') })).status, 202);
    const seen = (s: { messages: any[] }) => new Set(s.messages.filter((m) => m.type === 'events').flatMap((m) => m.events.map((e: { eventId: string }) => e.eventId)));
    await waitFor(() => seen(admin).has(fromAlice.eventId) && seen(admin).has(fromBob.eventId), 10_000, 'admin sees both');
    await waitFor(() => seen(ben).has(fromBob.eventId) && seen(ann).has(fromAlice.eventId), 10_000, 'each teacher sees their student');
    assert.not.ok(seen(ben).has(fromAlice.eventId), "Ben never gets Ann's student");
    assert.not.ok(seen(ann).has(fromBob.eventId), "Ann never gets Ben's student");
    for (const s of [ben, ann, admin]) s.ws.close();
  });

  it.run();
}
