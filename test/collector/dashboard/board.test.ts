/**
 * The dashboard's server side on real parts: a class of 30 students fed through the real ingest
 * API, the board snapshot and its live deltas, the help loop (request → claim → resolve → the
 * student's notification), broadcasts, and — in the real mode — two collectors on one Redis.
 */
import { suite } from 'uvu';
import WebSocket from 'ws';
import * as assert from 'uvu/assert';
import type { BoardCard, BoardSnapshot, StudentStatus } from '@cell-monitor/shared';
import { studentCredential } from '../../../collector/src/auth/studentCredential.ts';
import { waitFor } from '../../helpers/services.ts';
import { addInstructors, countRows, modesToTest, openStore, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';
import { openSocket, upgradeStatus } from '../../helpers/wsClient.ts';
import { login, request } from '../../helpers/http.ts';
import { cellRun, classEvent, simulatedClass } from '../../helpers/simulatedClass.ts';

const SECRET = 'dashboard-test-jwt-secret-0123456789-abcdef';

const call = request;

const ev = classEvent;
const run = cellRun;

for (const mode of modesToTest()) {
  const it = suite(`dashboard board [${mode}]`);
  let services: Services;
  let a: RunningCollector;
  let b: RunningCollector;
  let admin: string;
  let teacher: string;
  let outsider: string;
  let classId: number;
  const students = Array.from({ length: 30 }, (_, i) => `st${String(i + 1).padStart(2, '0')}`);

  it.before(async () => {
    services = await startServices(mode);
    a = await startCollector(services.env({ JWT_SECRET: SECRET }));
    b = mode === 'embedded' ? a : await startCollector(services.env({ JWT_SECRET: SECRET }));
    [admin, teacher, outsider] = await addInstructors(a, [
      { email: 'ada@example.org', name: 'Ada Admin', password: 'ada-password-1', role: 'admin' },
      { email: 'sato@example.org', name: 'Ms Sato', password: 'sato-password-1', role: 'instructor' },
      { email: 'out@example.org', name: 'Other Teacher', password: 'out-password-1', role: 'instructor' },
    ]);
    const created = await call(a.url, 'post', '/api/v1/classes', { token: teacher, body: { name: 'Data 101', class_code: `D101-${mode.length}` } });
    classId = created.body.id;
    for (const [i, user] of students.entries()) {
      assert.is((await call(a.url, 'post', `/api/v1/classes/${classId}/students`, { token: teacher, body: { user_id: user, name: `Student ${i + 1}` } })).status, 201);
    }
    // The simulated class happened in the last half hour: the students were enrolled before it (a
    // class shows a student's work only from her enrolment on, lms/classBoundary.ts).
    await a.collector.db('class_enrollments').where({ class_id: classId }).update({ enrolled_at: new Date(Date.now() - 24 * 3_600_000).toISOString() });
  });
  it.after(async () => {
    if (b !== a) await b.close();
    await a.close();
    await services.stop();
  });

  it('a simulated class through the real ingest API: every card shows the right status, sorted data and counts in the snapshot', async () => {
    const { events: batch, expected } = simulatedClass(students);
    for (let i = 0; i < batch.length; i += 50) assert.is((await postEvents(b.url, batch.slice(i, i + 50))).status, 202);
    const board = await waitFor(async () => {
      const res = await call(a.url, 'get', `/api/v1/dashboard/board?class_id=${classId}`, { token: teacher });
      const cards: BoardCard[] = res.body.cards;
      return cards.filter((c) => c.status === 'help').length === 2 && cards.filter((c) => c.status === 'stuck').length === 4 && cards.filter((c) => c.status === 'active').length === 12 ? (res.body as BoardSnapshot) : undefined;
    }, 15_000, 'the board to show the simulated class');
    assert.is(board.cards.length, 30);
    assert.is(board.className, 'Data 101');
    assert.is(board.stuckErrors, 3);
    for (const card of board.cards) assert.is(card.status, expected.get(card.userId), `${card.userId}: ${card.status}`);
    assert.equal(board.counts, { help: 2, stuck: 4, catching_up: 3, active: 12, idle: 4, offline: 5 });
    const stuck = board.cards.find((c) => c.userId === 'st13')!;
    assert.equal(stuck.stuck, { cellId: 'c3', cellIndex: 3, errorName: 'NameError', count: 3 });
    assert.is(stuck.lastError, "NameError: name 'v3' is not defined");
    assert.is(stuck.displayName, 'Student 13', 'roster names, not user names');
    assert.equal([stuck.runs, stuck.errors], [3, 3]);
    assert.is(stuck.sparkline.reduce((x, y) => x + y, 0), 3);
    assert.ok(board.cards.find((c) => c.userId === 'st19')!.lagSeconds >= 14 * 60);
    assert.equal(board.helpQueue.map((h) => [h.userId, h.state, h.cellId]), [['st17', 'open', 'c2'], ['st18', 'open', 'c2']]);
  });

  it('the third consecutive error on a cell turns the student stuck on an open board; a success there clears it', async () => {
    const socket = await openSocket(`${a.url.replace('http', 'ws')}/dashboard/ws?class_id=${classId}`, ['cell-monitor.bearer', teacher]);
    try {
      assert.equal(socket.messages[0], { type: 'hello', collectorId: a.collector.config.collectorId, classId });
      const cardOf = (user: string, status: StudentStatus) => () => socket.messages.find((m) => m.type === 'card' && m.card.userId === user && m.card.status === status);
      await postEvents(b.url, [run('st01', 5, false), run('st01', 5, false)]);
      await waitFor(() => socket.messages.filter((m) => m.type === 'card' && m.card.userId === 'st01').length >= 1, 10_000, 'a card update');
      assert.not.ok(cardOf('st01', 'stuck')(), 'two errors are not yet stuck');
      await postEvents(b.url, [run('st01', 5, false)]);
      const stuck = await waitFor(cardOf('st01', 'stuck'), 10_000, 'st01 stuck');
      assert.is(stuck.card.stuck.cellId, 'c5');
      await waitFor(() => socket.messages.find((m) => m.type === 'header' && m.counts.stuck === 5), 10_000, 'the header counts the new stuck student');
      await postEvents(b.url, [run('st01', 5, true)]);
      const cleared = await waitFor(() => socket.messages.filter((m) => m.type === 'card' && m.card.userId === 'st01').at(-1)?.card.status === 'active', 10_000, 'st01 active again');
      assert.ok(cleared);
      assert.ok(socket.messages.some((m) => m.type === 'stale'), 'open progress and error views hear that they changed');
    } finally {
      socket.ws.close();
    }
  });

  it('the help loop closes: claimed on one collector shows on the other; resolved, the student is notified; a cancel removes it', async () => {
    const socket = await openSocket(`${a.url.replace('http', 'ws')}/dashboard/ws?class_id=${classId}`, ['cell-monitor.bearer', admin]);
    try {
      const queue = (await call(a.url, 'get', `/api/v1/dashboard/board?class_id=${classId}`, { token: teacher })).body.helpQueue;
      const request = queue.find((h: { userId: string }) => h.userId === 'st17');
      const claimed = await call(b.url, 'post', `/api/v1/help_requests/${request.id}/claim`, { token: teacher });
      assert.is(claimed.status, 200);
      assert.equal([claimed.body.state, claimed.body.claimedBy.name], ['claimed', 'Ms Sato']);
      const seen = await waitFor(() => socket.messages.find((m) => m.type === 'card' && m.card.userId === 'st17' && m.card.help?.claimedBy?.name === 'Ms Sato'), 10_000, 'the claim on the other collector');
      assert.is(seen.card.status, 'help', 'claimed is still waiting for help');
      const resolved = await call(b.url, 'post', `/api/v1/help_requests/${request.id}/resolve`, { token: teacher });
      assert.equal([resolved.status, resolved.body.state], [200, 'resolved']);
      await waitFor(() => socket.messages.find((m) => m.type === 'card' && m.card.userId === 'st17' && m.card.status !== 'help'), 10_000, 'st17 leaves help');
      const header = await waitFor(() => socket.messages.filter((m) => m.type === 'header').at(-1), 10_000, 'a header');
      assert.ok(!header.helpQueue.some((h: { userId: string }) => h.userId === 'st17'));
      await waitFor(() => socket.messages.filter((m) => m.type === 'header').at(-1)?.timeToHelp.resolved === 1, 10_000, 'time to help counts it');
      assert.is((await call(a.url, 'post', `/api/v1/help_requests/${request.id}/resolve`, { token: teacher })).body.error, 'help_request_closed');
      const store = openStore(services.databaseUrl);
      try {
        const note = await store('student_notifications as n').join('students as s', 's.id', 'n.student_id').where({ 's.user_id': 'st17', 'n.type': 'help_resolved' }).first('n.payload');
        const payload = typeof note.payload === 'string' ? JSON.parse(note.payload) : note.payload;
        assert.equal([payload.help_request_id, payload.resolved_by, payload.notebook_path], [request.id, 'Ms Sato', 'lab1.ipynb']);
        const row = await store('help_requests').where({ id: request.id }).first();
        assert.ok(row.requested_at && row.claimed_at && row.resolved_at, 'requested, claimed and resolved times are kept');
      } finally {
        await store.destroy();
      }
      await postEvents(b.url, [ev('st18', 'help_cancel', 0, { cellId: 'c2' })]);
      await waitFor(() => socket.messages.find((m) => m.type === 'header' && m.helpQueue.length === 0), 10_000, 'the cancelled request leaves the queue');
      await postEvents(b.url, [ev('st20', 'help_request'), ev('st20', 'help_request')]);
      const again = await waitFor(async () => {
        const mine = (await call(a.url, 'get', `/api/v1/dashboard/board?class_id=${classId}`, { token: admin })).body.helpQueue.filter((h: { userId: string }) => h.userId === 'st20');
        return mine.length > 0 ? mine : undefined;
      }, 10_000, 'st20 asks twice');
      assert.is(again.length, 1, 'asking again while a request is open is the same request');
    } finally {
      socket.ws.close();
    }
  });

  it('a broadcast reaches every student of the class once; the stuck threshold is per class', async () => {
    const sent = await call(a.url, 'post', `/api/v1/classes/${classId}/broadcasts`, { token: teacher, body: { message: '  10 minutes left  ' } });
    assert.equal([sent.status, sent.body.recipients, sent.body.message, sent.body.sentBy.name], [201, 30, '10 minutes left', 'Ms Sato']);
    const store = openStore(services.databaseUrl);
    try {
      assert.is(await countRows(store, 'student_notifications', { type: 'broadcast' }), 30);
    } finally {
      await store.destroy();
    }
    assert.is((await call(a.url, 'post', `/api/v1/classes/${classId}/broadcasts`, { token: teacher, body: { message: 'x'.repeat(501) } })).status, 422);
    assert.is((await call(a.url, 'post', `/api/v1/classes/${classId}/broadcasts`, { token: outsider, body: { message: 'hi' } })).body.error, 'not_class_teacher');
    assert.equal((await call(a.url, 'put', `/api/v1/classes/${classId}/settings`, { token: teacher, body: { stuck_errors: 5 } })).body, { classId, stuckErrors: 5, retentionDays: null });
    const board = (await call(a.url, 'get', `/api/v1/dashboard/board?class_id=${classId}`, { token: teacher })).body as BoardSnapshot;
    assert.is(board.stuckErrors, 5);
    assert.is(board.cards.find((c) => c.userId === 'st13')!.status, 'active', 'three errors are not stuck when the class says five');
    await call(a.url, 'put', `/api/v1/classes/${classId}/settings`, { token: teacher, body: { stuck_errors: 3 } });
    assert.is((await call(a.url, 'put', `/api/v1/classes/${classId}/settings`, { token: teacher, body: { stuck_errors: 1 } })).status, 422);
  });

  it('a student enrolled while the board is open (a roster import) gets her card with her roster name at once, not at the view’s next re-read', async () => {
    let lateId: number | undefined;
    const socket = await openSocket(`${a.url.replace('http', 'ws')}/dashboard/ws?class_id=${classId}`, ['cell-monitor.bearer', teacher]);
    try {
      const enrolled = await call(a.url, 'post', `/api/v1/classes/${classId}/students`, { token: teacher, body: { user_id: 'late01', name: 'Late Comer' } });
      assert.is(enrolled.status, 201);
      lateId = enrolled.body.student.id;
      await postEvents(b.url, [ev('late01', 'session_start', 0), run('late01', 1, true, 0)]);
      // The view re-reads itself every ROSTER_REFRESH_MS (10 s); the board's boundary check (2 s)
      // re-reads it as soon as it sees the new enrolment, so her card comes well before.
      const card = await waitFor(() => socket.messages.find((m) => m.type === 'card' && m.card.userId === 'late01' && m.card.status === 'active'), 7_000, "late01's card on the open board");
      assert.is(card.card.displayName, 'Late Comer');
      await waitFor(() => socket.messages.find((m) => m.type === 'header' && m.counts.active >= 1), 5_000, 'the header counts her');
    } finally {
      socket.ws.close();
      if (lateId !== undefined) assert.is((await call(a.url, 'delete', `/api/v1/classes/${classId}/students/${lateId}`, { token: teacher })).status, 200);
    }
  });

  it("who may see what: another class's teacher is refused, student credentials and no token open nothing, revocation closes the board socket", async () => {
    assert.is((await call(a.url, 'get', `/api/v1/dashboard/board?class_id=${classId}`, { token: outsider })).body.error, 'not_class_teacher');
    const mine = (await call(a.url, 'get', '/api/v1/dashboard/board', { token: outsider })).body as BoardSnapshot;
    assert.is(mine.cards.length, 0, 'everyone seen today is only the students of my classes');
    assert.is((await call(a.url, 'get', '/api/v1/dashboard/board')).status, 401);
    assert.is((await call(a.url, 'get', '/api/v1/dashboard/students/st01/timeline', { token: outsider })).body.error, 'not_class_teacher');
    // A student's credential (what a companion holds) opens no dashboard API and no dashboard socket.
    const credential = studentCredential('dashboard-test-master-key-0123456789', 'st01');
    assert.is((await call(a.url, 'get', '/api/v1/dashboard/board', { token: credential })).status, 401);
    assert.is((await call(a.url, 'post', '/api/v1/help_requests/1/resolve', { token: credential })).status, 401);
    assert.is(await upgradeStatus(`${a.url.replace('http', 'ws')}/dashboard/ws`, ['cell-monitor.bearer', credential]), 401);
    assert.is(await upgradeStatus(`${a.url.replace('http', 'ws')}/dashboard/ws?class_id=${classId}`), 401);
    const other = new WebSocket(`${a.url.replace('http', 'ws')}/dashboard/ws?class_id=${classId}`, ['cell-monitor.bearer', outsider]);
    const refused = await new Promise<{ code: number; reason: string; messages: number }>((resolve) => {
      let messages = 0;
      other.on('message', () => (messages += 1));
      other.once('close', (code, reason) => resolve({ code, reason: String(reason), messages }));
    });
    assert.equal(refused, { code: 4403, reason: 'not_class_teacher', messages: 0 }, 'closed before any message');
    const token = await login(a.url, 'sato@example.org', 'sato-password-1');
    const socket = await openSocket(`${a.url.replace('http', 'ws')}/dashboard/ws?class_id=${classId}`, ['cell-monitor.bearer', token]);
    const closed = new Promise<number>((resolve) => socket.ws.once('close', (code) => resolve(code)));
    await call(b.url, 'post', '/api/v1/auth/logout', { token });
    assert.is(await closed, 4003, 'revoked: the page goes back to sign-in');
  });

  it.run();
}
