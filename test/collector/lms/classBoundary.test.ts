/**
 * The class boundary (lms/classBoundary.ts, issue 18 item 1 read side) on real parts, both engines:
 * alice is in Ann's class (assignment hw1.ipynb) and works on hw1 and on scratch.ipynb; later Ben
 * enrols her in his class (assignment hw2.ipynb). Every view of Ben's — the live board and its
 * socket, the timeline, progress, clusters, the events list, environments, help requests — shows
 * nothing from before his enrolment and nothing of hw1 ever; her hw2 and scratch work after it does
 * show. Ann's views are unchanged; an admin sees everything.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BoardCard, BoardSnapshot, ClassProgress, ErrorCluster, StudentTimeline } from '@cell-monitor/shared';
import { login, request } from '../../helpers/http.ts';
import { waitFor } from '../../helpers/services.ts';
import { addInstructors, modesToTest, openStore, postEvents, settle, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';
import { openSocket } from '../../helpers/wsClient.ts';

const SECRET = 'class-boundary-test-jwt-secret-0123456789-ab';
let seq = 0;

function run(notebookPath: string, ok: boolean, tag: string) {
  seq += 1;
  return {
    eventId: `cb-${process.pid}-${tag}-${seq}`,
    eventType: ok ? 'cell_execution_complete' : 'cell_execution_error',
    eventTime: new Date().toISOString(),
    userId: 'alice',
    sessionId: 's-alice',
    notebookPath,
    cellId: `${notebookPath}-c1`,
    cellIndex: 1,
    success: ok,
    durationMs: 5,
    code: `work_${tag}()`,
    ...(ok ? {} : { error: { name: 'NameError', message: `name '${tag}' is not defined`, traceback: `NameError: ${tag}` } }),
  };
}
const other = (eventType: string, notebookPath: string, tag: string, fields: Record<string, unknown> = {}) => ({
  eventId: `cb-${process.pid}-${tag}-${++seq}`,
  eventType,
  eventTime: new Date().toISOString(),
  userId: 'alice',
  sessionId: 's-alice',
  notebookPath,
  ...fields,
});
const environment = (tag: string, pandas: string) =>
  other('kernel_environment', 'scratch.ipynb', tag, { metadata: { environment: { python: '3.11.7', implementation: 'CPython', platform: 'Linux', kernelName: 'python3', packages: { pandas } } } });

for (const mode of modesToTest()) {
  const it = suite(`class boundary: what another class's teacher sees [${mode}]`);
  let services: Services;
  let app: RunningCollector;
  let admin: string;
  let ann: string;
  let ben: string;
  let classA: number;
  let classB: number;
  let hw1: number;
  let benEnrolledAt = 0;
  /** Events alice sent, by phase. */
  const before: Array<Record<string, any>> = [];
  const after: Array<Record<string, any>> = [];

  const call = (token: string, method: string, route: string, body?: unknown) => request(app.url, method, route, { token, body });
  const get = async <T>(token: string, route: string): Promise<T> => {
    const reply = await call(token, 'get', route);
    assert.is(reply.status, 200, `${route}: ${JSON.stringify(reply.body)}`);
    return reply.body as T;
  };
  async function send(events: Array<Record<string, any>>) {
    assert.is((await postEvents(app.url, events)).status, 202);
    const store = openStore(services.databaseUrl);
    try {
      await settle(app.url, store);
    } finally {
      await store.destroy();
    }
  }
  const hw1Events = () => [...before, ...after].filter((e) => e.notebookPath === 'hw1.ipynb' && e.eventType !== 'kernel_environment');
  /** What Ben may see: alice's events since his enrolment, not on hw1 (environments are no events). */
  const bensShare = () => after.filter((e) => e.notebookPath !== 'hw1.ipynb' && e.eventType !== 'kernel_environment');

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET }));
    [admin, ann, ben] = await addInstructors(app, [
      { email: 'ada@example.org', name: 'Ada Admin', password: 'ada-password-1', role: 'admin' },
      { email: 'ann@example.org', name: 'Ann', password: 'ann-password-1', role: 'instructor' },
      { email: 'ben@example.org', name: 'Ben', password: 'ben-password-1', role: 'instructor' },
    ]);
    classA = (await call(ann, 'post', '/api/v1/classes', { name: 'Ann 101', class_code: 'ANN101' })).body.id;
    hw1 = (await call(ann, 'post', '/api/v1/assignments', { class_id: classA, notebook_path: 'hw1.ipynb', title: 'Homework 1' })).body.id;
    assert.is((await call(ann, 'post', `/api/v1/classes/${classA}/students`, { user_id: 'alice' })).status, 201);

    // In Ann's class only: hw1 (her assignment), scratch, a help request on hw1, an environment.
    before.push(environment('envearly', '1.5.3'), run('hw1.ipynb', false, 'hw1early'), run('hw1.ipynb', true, 'hw1early'), run('scratch.ipynb', false, 'scratchearly'), run('scratch.ipynb', true, 'scratchearly'), other('help_request', 'hw1.ipynb', 'helphw1', { cellId: 'hw1.ipynb-c1' }));
    await send(before);

    classB = (await call(ben, 'post', '/api/v1/classes', { name: 'Ben 201', class_code: 'BEN201' })).body.id;
    await call(ben, 'post', '/api/v1/assignments', { class_id: classB, notebook_path: 'hw2.ipynb', title: 'Homework 2' });
    assert.is((await call(ben, 'post', `/api/v1/classes/${classB}/students`, { user_id: 'alice' })).status, 201);
    benEnrolledAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Both classes now: hw1 again (still Ann's), hw2 (Ben's), scratch (both), help on hw2, a new environment.
    after.push(environment('envlate', '2.2.3'), run('hw1.ipynb', false, 'hw1late'), run('hw2.ipynb', false, 'hw2late'), run('hw2.ipynb', true, 'hw2late'), run('scratch.ipynb', false, 'scratchlate'), other('help_request', 'hw2.ipynb', 'helphw2', { cellId: 'hw2.ipynb-c1' }));
    await send(after);
  });
  it.after(async () => {
    await app.close();
    await services.stop();
  });

  it("Ben's board: alice's card and help queue come from his part of her work only", async () => {
    for (const route of [`/api/v1/dashboard/board?class_id=${classB}`, '/api/v1/dashboard/board']) {
      const board = await get<BoardSnapshot>(ben, route);
      const card = board.cards.find((c) => c.userId === 'alice')!;
      assert.ok(card, `${route}: alice is on the board`);
      assert.is(card.runs, 3, `${route}: hw2 twice and scratch once since his enrolment, not hw1`);
      assert.is(card.errors, 2, route);
      assert.not.match(card.lastError ?? '', /hw1/, route);
      assert.is(card.notebookPath, 'hw2.ipynb', `${route}: her latest event he may see`);
      assert.ok(Date.parse(card.lastActivityAt!) >= benEnrolledAt - 1000, route);
      assert.equal(board.helpQueue.map((h) => h.notebookPath), ['hw2.ipynb'], `${route}: the hw1 request is Ann's`);
      assert.equal(card.help?.notebookPath, 'hw2.ipynb', route);
    }
    const annBoard = await get<BoardSnapshot>(ann, `/api/v1/dashboard/board?class_id=${classA}`);
    const annCard = annBoard.cards.find((c) => c.userId === 'alice')!;
    assert.is(annCard.runs, 6, "Ann: hw1 three times and scratch three times, not Ben's hw2");
    assert.equal(annBoard.helpQueue.map((h) => h.notebookPath), ['hw1.ipynb']);
    const adminCard = (await get<BoardSnapshot>(admin, '/api/v1/dashboard/board')).cards.find((c) => c.userId === 'alice')!;
    assert.is(adminCard.runs, 8, 'an admin sees everything');
  });

  it("Ben's live board: a run on hw1 sends him nothing, a run on hw2 sends her card", async () => {
    const socket = await openSocket(`${app.url.replace('http', 'ws')}/dashboard/ws?class_id=${classB}`, ['cell-monitor.bearer', ben]);
    const annSocket = await openSocket(`${app.url.replace('http', 'ws')}/dashboard/ws?class_id=${classA}`, ['cell-monitor.bearer', ann]);
    try {
      const hw1Run = run('hw1.ipynb', false, 'hw1live');
      await send([hw1Run]);
      await waitFor(() => annSocket.messages.find((m) => m.type === 'card' && m.card.userId === 'alice' && m.card.lastError?.includes('hw1live')), 10_000, "Ann's board hears the hw1 run");
      const hw2Run = run('hw2.ipynb', true, 'hw2live');
      await send([hw2Run]);
      const card = (await waitFor(() => socket.messages.find((m) => m.type === 'card' && m.card.userId === 'alice'), 10_000, "Ben's board hears the hw2 run")).card as BoardCard;
      assert.is(card.notebookPath, 'hw2.ipynb');
      assert.is(card.runs, 4);
      const cards = socket.messages.filter((m) => m.type === 'card' && m.card.userId === 'alice');
      assert.is(cards.length, 1, 'the hw1 run sent Ben no card');
      assert.ok(cards.every((m) => !String(m.card.lastError ?? '').includes('hw1')));
      after.push(hw2Run);
      before.push(hw1Run); // not Ben's either (hw1): kept with what he must never see
    } finally {
      socket.ws.close();
      annSocket.ws.close();
    }
  });

  it("Ben's timeline of alice: since his enrolment, without hw1; Ann's keeps hers; an admin's has all", async () => {
    const ids = (t: StudentTimeline) => t.entries.map((e) => e.eventId).sort();
    const expected = bensShare().map((e) => e.eventId).sort();
    for (const route of ['/api/v1/dashboard/students/alice/timeline', `/api/v1/dashboard/students/alice/timeline?class_id=${classB}`]) {
      const timeline = await get<StudentTimeline>(ben, route);
      assert.equal(ids(timeline), expected, route);
      assert.ok(timeline.entries.every((e) => e.notebookPath !== 'hw1.ipynb' && Date.parse(e.at) >= benEnrolledAt - 1000), route);
      assert.is(timeline.card?.runs, 4, route);
    }
    const annTimeline = await get<StudentTimeline>(ann, `/api/v1/dashboard/students/alice/timeline?class_id=${classA}`);
    assert.ok(hw1Events().every((e) => annTimeline.entries.some((x) => x.eventId === e.eventId)), "Ann sees every hw1 event");
    assert.ok(annTimeline.entries.every((e) => e.notebookPath !== 'hw2.ipynb'), "Ann does not see Ben's hw2");
    const all = await get<StudentTimeline>(admin, '/api/v1/dashboard/students/alice/timeline');
    assert.is(all.entries.length, [...before, ...after].filter((e) => e.eventType !== 'kernel_environment').length);
  });

  it("Ben's progress and error clusters: nothing of hw1 (by notebook_path or assignment_id), his part of scratch", async () => {
    const byPath = await get<ClassProgress>(ben, `/api/v1/dashboard/progress?class_id=${classB}&notebook_path=hw1.ipynb`);
    assert.equal([byPath.students, byPath.cells.length, byPath.perStudent], [0, 0, []]);
    for (const route of [`/api/v1/dashboard/progress?class_id=${classB}&assignment_id=${hw1}`, `/api/v1/dashboard/progress?assignment_id=${hw1}`]) {
      const refused = await call(ben, 'get', route);
      assert.equal([refused.status, refused.body.error], [404, 'assignment_not_found'], route);
      assert.not.match(JSON.stringify(refused.body), /hw1/, `${route}: the path is not revealed`);
    }
    const annProgress = await get<ClassProgress>(ann, `/api/v1/dashboard/progress?class_id=${classA}&assignment_id=${hw1}`);
    assert.equal([annProgress.notebookPath, annProgress.students, annProgress.cells[0].students], ['hw1.ipynb', 1, 1]);
    const benDefault = await get<ClassProgress>(ben, `/api/v1/dashboard/progress?class_id=${classB}`);
    assert.not.ok(benDefault.notebooks.some((n) => n.notebookPath === 'hw1.ipynb'), 'hw1 is not among his notebooks');
    const scratch = await get<ClassProgress>(ben, '/api/v1/dashboard/progress?notebook_path=scratch.ipynb');
    assert.equal([scratch.students, scratch.cells[0].succeededShare], [1, 0], 'only the failed scratch run since his enrolment (her earlier success is not his)');
    const annScratch = await get<ClassProgress>(ann, `/api/v1/dashboard/progress?class_id=${classA}&notebook_path=scratch.ipynb`);
    assert.is(annScratch.cells[0].succeededShare, 1, 'Ann sees her success');

    const since = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString());
    const clusters = await get<ErrorCluster[]>(ben, `/api/v1/dashboard/errors?class_id=${classB}&since=${since}`);
    const messages = clusters.map((c) => c.example.message).sort();
    assert.equal(messages, ["name 'hw2late' is not defined", "name 'scratchlate' is not defined"]);
    assert.equal(await get<ErrorCluster[]>(ben, `/api/v1/dashboard/errors?since=${since}`), clusters, 'everyone of his classes: the same');
    const annClusters = await get<ErrorCluster[]>(ann, `/api/v1/dashboard/errors?class_id=${classA}&since=${since}`);
    assert.ok(annClusters.some((c) => c.notebookPath === 'hw1.ipynb'));
    assert.not.ok(annClusters.some((c) => c.notebookPath === 'hw2.ipynb'));
  });

  it('the events list: his part only, without payloads unless asked', async () => {
    const page = await get<Array<Record<string, any>>>(ben, '/api/v1/events?user_id=alice&limit=200');
    assert.equal(page.map((e) => e.event_id).sort(), bensShare().map((e) => e.eventId).sort());
    assert.ok(page.every((e) => !('event' in e)), 'no payloads by default');
    const withPayload = await get<Array<Record<string, any>>>(ben, '/api/v1/events?user_id=alice&include=payload&limit=200');
    assert.ok(withPayload.every((e) => e.event?.eventId === e.event_id));
    assert.is((await get<unknown[]>(ben, '/api/v1/events?notebook_path=hw1.ipynb')).length, 0);
    assert.is((await get<unknown[]>(ann, '/api/v1/events?notebook_path=hw1.ipynb')).length, hw1Events().length);
    assert.is((await call(ben, 'get', '/api/v1/events?include=code')).status, 422);
  });

  it("environments: Ben sees those seen since his enrolment, and only his class's health", async () => {
    const benSnapshots = await get<Array<{ packageCount: number; firstSeenAt: string }>>(ben, '/api/v1/environments/alice/snapshots');
    assert.is(benSnapshots.length, 1, 'the environment of before his enrolment is not his');
    assert.ok(Date.parse(benSnapshots[0].firstSeenAt) >= benEnrolledAt - 1000);
    assert.equal((await get<Record<string, string>>(ben, '/api/v1/environments/alice/packages')).pandas, '2.2.3');
    assert.is((await call(ben, 'get', '/api/v1/environments/alice/diff')).status, 404, 'one environment: nothing to compare');
    const health = await get<{ classes: Array<{ classId: number }> }>(ben, '/api/v1/environments/alice/health');
    assert.equal(health.classes.map((c) => c.classId), [classB], "Ann's class is not named to Ben");
    assert.is((await get<unknown[]>(ann, '/api/v1/environments/alice/snapshots')).length, 2);
    await call(ben, 'put', `/api/v1/classes/${classB}/environment/requirements`, { packages: [{ name: 'pandas', spec: '>=2' }] });
    const analysis = await get<{ students: Array<{ userId: string; python: string | null; problems: unknown[] }> }>(ben, `/api/v1/classes/${classB}/environment/analyze`);
    assert.equal(analysis.students.map((s) => [s.userId, s.problems.length]), [['alice', 0]]);
  });

  it("help requests: Ben cannot claim or resolve (or learn the notebook of) Ann's hw1 request", async () => {
    const annQueue = (await get<BoardSnapshot>(ann, `/api/v1/dashboard/board?class_id=${classA}`)).helpQueue;
    const hw1Request = annQueue.find((h) => h.notebookPath === 'hw1.ipynb')!;
    for (const action of ['claim', 'resolve']) {
      const refused = await call(ben, 'post', `/api/v1/help_requests/${hw1Request.id}/${action}`);
      assert.equal([refused.status, refused.body.error], [404, 'help_request_not_found'], action);
    }
    const benQueue = (await get<BoardSnapshot>(ben, `/api/v1/dashboard/board?class_id=${classB}`)).helpQueue;
    const claimed = await call(ben, 'post', `/api/v1/help_requests/${benQueue[0].id}/claim`);
    assert.equal([claimed.status, claimed.body.notebookPath], [200, 'hw2.ipynb']);
    assert.is((await call(ann, 'post', `/api/v1/help_requests/${hw1Request.id}/claim`)).status, 200);
  });

  it('an assignment Ann adds later takes that notebook out of Ben\'s views (scratch becomes hers)', async () => {
    const scratch = (await call(ann, 'post', '/api/v1/assignments', { class_id: classA, notebook_path: 'scratch.ipynb', title: 'Scratch' })).body.id;
    try {
      const card = (await get<BoardSnapshot>(ben, `/api/v1/dashboard/board?class_id=${classB}`)).cards.find((c) => c.userId === 'alice')!;
      assert.is(card.runs, 3, 'hw2 three times; the scratch run left');
      const timeline = await get<StudentTimeline>(ben, '/api/v1/dashboard/students/alice/timeline');
      assert.not.ok(timeline.entries.some((e) => e.notebookPath === 'scratch.ipynb'));
      assert.is((await get<unknown[]>(ben, '/api/v1/events?notebook_path=scratch.ipynb')).length, 0);
    } finally {
      await call(ann, 'delete', `/api/v1/assignments/${scratch}`);
    }
  });

  it("/ws: Ben's live events carry his part of her work only (hw2), Ann's hers (hw1), never the other's", async () => {
    const benLive = await openSocket(`${app.url.replace('http', 'ws')}/ws`, ['cell-monitor.bearer', ben]);
    const annLive = await openSocket(`${app.url.replace('http', 'ws')}/ws`, ['cell-monitor.bearer', ann]);
    try {
      const hw1Run = run('hw1.ipynb', false, 'hw1ws');
      const hw2Run = run('hw2.ipynb', true, 'hw2ws');
      await send([hw1Run, hw2Run]);
      const eventsOf = (socket: { messages: any[] }) => socket.messages.filter((m) => m.type === 'events').flatMap((m) => m.events as Array<{ eventId: string }>).map((e) => e.eventId);
      // The two runs are one student's, stored and published in order: the later one arriving means the earlier was sent too.
      await waitFor(() => eventsOf(annLive).includes(hw1Run.eventId) || undefined, 10_000, "Ann's /ws hears the hw1 run");
      await waitFor(() => eventsOf(benLive).includes(hw2Run.eventId) || undefined, 10_000, "Ben's /ws hears the hw2 run");
      assert.not.ok(eventsOf(benLive).includes(hw1Run.eventId), "Ben's /ws got Ann's hw1 run");
      assert.not.ok(eventsOf(annLive).includes(hw2Run.eventId), "Ann's /ws got Ben's hw2 run");
      after.push(hw2Run);
      before.push(hw1Run);
    } finally {
      benLive.ws.close();
      annLive.ws.close();
    }
  });

  it.run();
}
