/**
 * Enrolment across classes (issue 18, high 1, the write side), on both engines through the real API:
 * Ann's class knows alice as "Alice Ann" <alice@ann.example> in team Red; Ben enrols the same alice.
 * Ben learns nothing Ann's class knows (the answer, his list, roster and board show only what his
 * class set), enrolling by student id or email is no oracle (a student of another class answers as
 * an unknown one), a rename or re-import in Ben's class leaves Ann's untouched, every enrolment and
 * removal is logged with who did it, hand-ins and grades need an enrolment in the assignment's class,
 * and a co-teacher cannot change the class_code.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createCollector, loadConfig, type Collector } from '@cell-monitor/collector';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { login, request, type Reply } from '../../helpers/http.ts';
import { waitFor } from '../../helpers/services.ts';
import { buildCellEvent, companionHeaders, modesToTest, postEvents, startServices, type Services } from '../../helpers/stack.ts';

const SECRET = 'enrolment-test-jwt-secret-0123456789-abc';
const KEY = 'enrolment-test-master-key-0123456789';
const NOTEBOOK = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] };

for (const mode of modesToTest()) {
  const it = suite(`enrolment across classes [${mode}]`);
  let services: Services;
  let collector: Collector;
  let url: string;
  const logs: Array<Record<string, unknown>> = [];
  const tokens: Record<string, string> = {};
  const ids: Record<string, number> = {};
  const call = (who: string, method: string, path: string, body?: unknown): Promise<Reply> => request(url, method, path, { token: tokens[who], body });
  /** Everything Ann's class shows of its students: list, roster, CSV and board names. */
  const annShows = async () => ({
    students: (await call('ann', 'get', `/api/v1/classes/${ids.annClass}/students`)).body,
    roster: (await call('ann', 'get', `/api/v1/classes/${ids.annClass}/roster`)).body,
    csv: (await call('ann', 'get', `/api/v1/classes/${ids.annClass}/roster.csv`)).body,
    board: (await call('ann', 'get', `/api/v1/dashboard/board?class_id=${ids.annClass}`)).body.cards.map((c: { userId: string; displayName: string; team: string | null }) => [c.userId, c.displayName, c.team]),
  });

  it.before(async () => {
    services = await startServices(mode);
    const sink = new Writable({ write(chunk, _enc, done) { for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line)); done(); } });
    collector = await createCollector(loadConfig({ HOST: '127.0.0.1', PORT: '0', ...services.env({ JWT_SECRET: SECRET, INGEST_KEY: KEY }) }), pino({ level: 'info' }, sink));
    const server = await collector.listen();
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    for (const [name, role] of [['admin', 'admin'], ['ann', 'instructor'], ['ben', 'instructor'], ['cat', 'instructor']] as const) {
      ids[name] = (await createInstructor(collector.db, { email: `${name}@school.example`, name, password: `${name}-password-1`, role })).id;
      tokens[name] = await login(url, `${name}@school.example`, `${name}-password-1`);
    }
    ids.annClass = (await call('ann', 'post', '/api/v1/classes', { name: 'Ann 101', class_code: 'ANN101' })).body.id;
    assert.is((await call('ann', 'post', `/api/v1/classes/${ids.annClass}/teachers`, { email: 'cat@school.example' })).status, 201);
    const roster = 'user_id,name,email,team,student_number\r\nalice,Alice Ann,alice@ann.example,Red,A-001\r\ncarol,Carol Ann,carol@ann.example,Red,A-002\r\n';
    assert.is((await call('ann', 'post', `/api/v1/classes/${ids.annClass}/roster`, { csv: roster, apply: true })).status, 200);
    const annList = (await call('ann', 'get', `/api/v1/classes/${ids.annClass}/students`)).body as Array<{ id: number; user_id: string }>;
    ids.alice = annList.find((s) => s.user_id === 'alice')!.id;
    ids.carol = annList.find((s) => s.user_id === 'carol')!.id;
    ids.benClass = (await call('ben', 'post', '/api/v1/classes', { name: 'Ben 201', class_code: 'BEN201' })).body.id;
    // Alice works, so that she has a card on Ann's board.
    assert.is((await postEvents(url, [buildCellEvent({ userId: 'alice' })], { headers: companionHeaders(KEY, 'alice') })).status, 202);
    await waitFor(async () => ((await call('ann', 'get', `/api/v1/dashboard/board?class_id=${ids.annClass}`)).body.cards?.length ?? 0) > 0 || undefined, 10_000, "alice's card");
  });
  it.after(async () => {
    await collector.close(2000);
    await services.stop();
  });

  it("Ben cannot find Ann's students by id or email: they answer exactly as unknown ones", async () => {
    const unknownId = await call('ben', 'post', `/api/v1/classes/${ids.benClass}/students`, { student_id: 999_999 });
    const foreignId = await call('ben', 'post', `/api/v1/classes/${ids.benClass}/students`, { student_id: ids.carol });
    const unknownEmail = await call('ben', 'post', `/api/v1/classes/${ids.benClass}/students`, { email: 'nobody@ann.example' });
    const foreignEmail = await call('ben', 'post', `/api/v1/classes/${ids.benClass}/students`, { email: 'carol@ann.example' });
    for (const reply of [unknownId, foreignId, unknownEmail, foreignEmail]) assert.equal([reply.status, reply.body], [404, unknownId.body]);
    assert.is(unknownId.body.error, 'student_not_found');
    assert.equal((await call('ben', 'get', `/api/v1/classes/${ids.benClass}/students`)).body, [], 'nobody was enrolled');
    // An admin may still enrol anyone by id (and a teacher a student of their own classes: see lms.test.ts).
    assert.is((await call('admin', 'post', `/api/v1/classes/${ids.benClass}/students`, { student_id: ids.carol })).status, 201);
    assert.is((await call('admin', 'delete', `/api/v1/classes/${ids.benClass}/students/${ids.carol}`)).status, 200);
  });

  it("Ben enrols alice by user name: the answer and his views carry only what his class set, nothing of Ann's", async () => {
    const enrolled = await call('ben', 'post', `/api/v1/classes/${ids.benClass}/students`, { user_id: 'alice' });
    assert.is(enrolled.status, 201);
    assert.equal(enrolled.body.student, { id: ids.alice, user_id: 'alice', name: null, email: null, team: null, student_number: null, enrolled_at: enrolled.body.student.enrolled_at });
    const text = JSON.stringify([
      enrolled.body,
      (await call('ben', 'get', `/api/v1/classes/${ids.benClass}/students`)).body,
      (await call('ben', 'get', `/api/v1/classes/${ids.benClass}/roster`)).body,
      (await call('ben', 'get', `/api/v1/classes/${ids.benClass}/roster.csv`)).body,
      (await call('ben', 'get', `/api/v1/classes/${ids.benClass}/teams`)).body,
      (await call('ben', 'get', `/api/v1/students`)).body,
      (await call('ben', 'get', `/api/v1/students/${ids.alice}`)).body,
      (await call('ben', 'get', `/api/v1/classes/${ids.benClass}/environment/analyze`)).body,
    ]);
    for (const secret of ['Alice Ann', 'alice@ann.example', 'Red', 'A-001', 'carol']) assert.not.match(text, secret, `Ben sees "${secret}"`);
    // Nor when she was first or last seen (activity before his class had her).
    const record = (await call('ben', 'get', `/api/v1/students/${ids.alice}`)).body;
    assert.equal([record.created_at, record.last_seen_at], [enrolled.body.student.enrolled_at, null]);
    assert.is((await call('ann', 'get', `/api/v1/students/${ids.alice}`)).body.name, 'Alice Ann');
  });

  it("a rename, a re-import or a team in Ben's class changes nothing Ann's class shows", async () => {
    const before = await annShows();
    assert.equal(before.board.find((c: string[]) => c[0] === 'alice'), ['alice', 'Alice Ann', 'Red']);
    assert.is((await call('ben', 'put', `/api/v1/classes/${ids.benClass}/roster/alice`, { name: 'Mallory', team: 'Blue', student_number: 'B-9' })).status, 200);
    const csv = 'user_id,name,email,team\r\nalice,Alice Ben,alice@ben.example,Green\r\n';
    const imported = await call('ben', 'post', `/api/v1/classes/${ids.benClass}/roster`, { csv, apply: true });
    assert.equal(imported.body.rows.map((r: { action: string; changes: string[] }) => [r.action, r.changes]), [['update', ['name', 'email', 'team']]], 'compared with what Ben\'s class had');
    assert.equal(await annShows(), before, "Ann's class shows what it did");
    const ben = (await call('ben', 'get', `/api/v1/classes/${ids.benClass}/roster`)).body.students;
    assert.equal(ben.map((s: { name: string; email: string; team: string; studentNumber: string }) => [s.name, s.email, s.team, s.studentNumber]), [['Alice Ben', 'alice@ben.example', 'Green', 'B-9']]);
    const benBoard = (await call('ben', 'get', `/api/v1/dashboard/board?class_id=${ids.benClass}`)).body.cards.map((c: { displayName: string }) => c.displayName);
    assert.not.ok(benBoard.includes('Alice Ann'), "Ben's board does not carry Ann's name");
    assert.equal(await annShows(), before, "and Ann's board still shows hers after Ben's was read");
  });

  it('a user name is read as the companion stamps it: NFD, NBSP/U+3000 and a BOM are the same student; invisible characters are refused', async () => {
    // The companion's header is normalised (shared/userId.ts): "José" typed as e + combining accent and
    // padded with U+3000 must enrol the student whose events arrive as NFC "José", not a look-alike.
    assert.is((await postEvents(url, [buildCellEvent({ userId: 'josé' })], { headers: companionHeaders(KEY, 'josé') })).status, 202);
    const padded = await call('ann', 'post', `/api/v1/classes/${ids.annClass}/students`, { user_id: '\uFEFFjose\u0301\u3000' });
    assert.is(padded.status, 201);
    assert.is(padded.body.student.user_id, 'josé');
    assert.is(await collector.db('students').whereIn('user_id', ['josé', 'jose\u0301']).count({ n: '*' }).then((r) => Number(r[0].n)), 1, 'one student, not two that look alike');
    const hidden = await call('ann', 'post', `/api/v1/classes/${ids.annClass}/students`, { user_id: 'ali\u200Bce' });
    assert.is(hidden.status, 422);
    assert.match(JSON.stringify(hidden.body), /invisible/);
  });

  it('every enrolment, removal, roster import and roster edit is logged with who made it', async () => {
    const events = (name: string) => logs.filter((l) => l.event === name);
    assert.ok(events('enrolled').some((l) => l.classId === ids.benClass && l.studentId === ids.alice && l.by === ids.ben));
    assert.ok(events('enrolled').some((l) => l.classId === ids.benClass && l.studentId === ids.carol && l.by === ids.admin));
    assert.ok(events('unenrolled').some((l) => l.classId === ids.benClass && l.studentId === ids.carol && l.by === ids.admin));
    assert.ok(events('roster_imported').some((l) => l.classId === ids.annClass && l.by === ids.ann && JSON.stringify(l.enrolled) === '["alice","carol"]'));
    assert.ok(events('roster_line_changed').some((l) => l.classId === ids.benClass && l.studentId === ids.alice && l.by === ids.ben));
  });

  it("hand-ins and grades need an enrolment in the assignment's class; an unknown student answers alike", async () => {
    const hw = (await call('ben', 'post', '/api/v1/assignments', { class_id: ids.benClass, notebook_path: 'ben-hw.ipynb', title: 'Ben HW' })).body.id;
    const foreign = await call('ben', 'post', '/api/v1/submissions', { assignment_id: hw, student_id: ids.carol, notebook_content: NOTEBOOK });
    const unknown = await call('ben', 'post', '/api/v1/submissions', { assignment_id: hw, student_id: 999_999, notebook_content: NOTEBOOK });
    assert.equal([foreign.status, foreign.body], [404, unknown.body]);
    assert.is(foreign.body.error, 'enrollment_not_found');
    assert.is((await call('admin', 'post', '/api/v1/submissions', { assignment_id: hw, student_id: ids.carol, notebook_content: NOTEBOOK })).status, 404, 'not even an admin');
    const own = await call('ben', 'post', '/api/v1/submissions', { assignment_id: hw, student_id: ids.alice, notebook_content: NOTEBOOK });
    assert.is(own.status, 201);
    // Alice leaves Ben's class: her old hand-in can no longer be graded, and she gets no feedback.
    assert.is((await call('ben', 'delete', `/api/v1/classes/${ids.benClass}/students/${ids.alice}`)).status, 200);
    const graded = await call('ben', 'put', `/api/v1/submissions/${own.body.id}`, { score: 10, feedback: 'from outside' });
    assert.equal([graded.status, graded.body.error], [409, 'student_not_enrolled']);
    const notes = await request(url, 'get', '/api/v1/student/notifications', { headers: companionHeaders(KEY, 'alice') });
    assert.not.match(JSON.stringify(notes.body), 'from outside');
    assert.is((await call('admin', 'get', `/api/v1/submissions/${own.body.id}`)).body.status, 'submitted');
  });

  it('a co-teacher cannot change the class_code; an owner and an admin can', async () => {
    const cat = await call('cat', 'put', `/api/v1/classes/${ids.annClass}`, { class_code: 'CAT101' });
    assert.equal([cat.status, cat.body.error], [403, 'not_class_owner']);
    assert.is((await call('cat', 'put', `/api/v1/classes/${ids.annClass}`, { description: 'by Cat', class_code: 'ANN101' })).status, 200, 'the same code is no change');
    assert.is((await call('admin', 'get', `/api/v1/classes/${ids.annClass}`)).body.class_code, 'ANN101');
    assert.is((await call('ann', 'put', `/api/v1/classes/${ids.annClass}`, { class_code: 'ANN102' })).body.class_code, 'ANN102');
    assert.is((await call('admin', 'put', `/api/v1/classes/${ids.annClass}`, { class_code: 'ANN101' })).body.class_code, 'ANN101');
  });

  it.run();
}
