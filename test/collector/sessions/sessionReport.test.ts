/**
 * After class (issue 22): a generated class sends its events through the real ingest API (each with
 * its own time); the meetings list and the report of one meeting answer what this test computes
 * from the generated input by itself — attendance, per-cell shares, median attempts and time,
 * stuck students, error clusters, help waits, who did not finish, the previous meeting on the same
 * notebook — and another class's student never shows. Both engines.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'csv-parse/sync';
import { request } from '../../helpers/http.ts';
import { addInstructors, buildCellEvent, collectorWithStore, modesToTest, postEvents, settle, TEACHER_AND_OUTSIDER } from '../../helpers/stack.ts';
import { waitFor } from '../../helpers/services.ts';

const SECRET = 'session-report-test-jwt-secret-0123456789';
const MIN = 60_000;
const DAY = 86_400_000;
/** The meeting reported on: [T0, T0 + 90 min), six hours ago, on a whole minute. */
const T0 = Math.floor((Date.now() - 6 * 3_600_000) / MIN) * MIN;
const W1 = { start: T0, end: T0 + 90 * MIN };
/** The previous meeting on the same notebook, a week earlier (chosen by hand too). */
const W0 = { start: T0 - 7 * DAY, end: T0 - 7 * DAY + 90 * MIN };
/** A timetable slot two days earlier (Asia/Tokyo), and a run of activity three days earlier. */
const S = T0 - 2 * DAY;
const TI = T0 - 3 * DAY;
const NB = 'course/week2.ipynb';
const OTHER = 'course/lab.ipynb';
const STUCK_ERRORS = 2;
const LATE_AFTER = 10;
const NAMES: Record<string, string> = { ann: '青木 杏', bob: 'Bob Brown', cat: '=Cat', dan: 'Dan' };
const iso = (ms: number) => new Date(ms).toISOString();

interface Run {
  user: string;
  at: number;
  path: string;
  cell: number;
  error?: { name: string; message: string };
}
interface Other {
  user: string;
  at: number;
  type: 'session_start' | 'help_request' | 'help_cancel';
  path: string;
  cell?: number;
}

const runs: Run[] = [];
const others: Other[] = [];
const run = (user: string, at: number, cell: number, error?: Run['error'], path = NB) => runs.push({ user, at, path, cell, error });
const nameError = (v: string) => ({ name: 'NameError', message: `name '${v}' is not defined` });

// The meeting W1 (minutes after T0).
const m = (minutes: number) => T0 + minutes * MIN;
others.push({ user: 'ann', at: m(2), type: 'session_start', path: NB });
run('ann', m(3), 1); run('ann', m(5), 2, nameError('x')); run('ann', m(8), 2); run('ann', m(15), 3); run('ann', m(20), 4, { name: 'ZeroDivisionError', message: 'division by zero' }); run('ann', m(25), 4);
others.push({ user: 'ann', at: m(10), type: 'help_request', path: NB, cell: 2 });
run('bob', m(15), 1); run('bob', m(16), 2, nameError('y')); run('bob', m(17), 2, nameError('y')); run('bob', m(18), 2, nameError('y')); run('bob', m(30), 2); run('bob', m(32), 3, { name: 'TypeError', message: "unsupported operand type(s) for +: 'int' and 'str'" });
others.push({ user: 'bob', at: m(20), type: 'help_request', path: NB, cell: 2 });
run('cat', m(4), 1, nameError('z')); run('cat', m(6), 1); run('cat', m(9), 2); run('cat', m(12), 3); run('cat', m(13), 4); run('cat', m(40), 1, undefined, 'course/scratch.ipynb');
others.push({ user: 'cat', at: m(50), type: 'help_request', path: NB, cell: 4 });
// Outside the window: before and after.
run('ann', m(-10), 1); run('ann', m(100), 1);
// Eve is in the other class only: she never shows in this one.
run('eve', m(10), 1, nameError('e')); run('eve', m(11), 2, nameError('e'));
// W0, a week earlier, on the same notebook.
const w0 = (minutes: number) => W0.start + minutes * MIN;
for (const [i, cell] of [1, 2, 3, 4].entries()) run('ann', w0(5 + i), cell);
run('bob', w0(10), 1); run('bob', w0(12), 2, nameError('q'));
// The timetable's slot S (another notebook), and an inferred run of activity at TI (another notebook).
run('ann', S + 5 * MIN, 1, undefined, OTHER); run('ann', S + 10 * MIN, 2, undefined, OTHER); run('bob', S + 5 * MIN, 1, undefined, OTHER); run('bob', S + 10 * MIN, 2, undefined, OTHER);
for (const minute of [0, 5, 10, 20]) run('ann', TI + minute * MIN, 1, undefined, OTHER);
for (const minute of [3, 12]) run('cat', TI + minute * MIN, 2, undefined, OTHER);
// Not meetings: one student alone for half an hour; two students for four minutes.
for (const minute of [0, 10, 20, 30]) run('ann', TI + 3 * 3_600_000 + minute * MIN, 1, undefined, OTHER);
run('ann', TI + 6 * 3_600_000, 1, undefined, OTHER); run('cat', TI + 6 * 3_600_000 + 3 * MIN, 1, undefined, OTHER);
/** Help: ann's and bob's requests resolved at these times; cat's stays open; ann asks again at 60 and cancels at 62. */
const RESOLVED: Record<string, number> = { ann: m(14), bob: m(30) };
const later: Other[] = [
  { user: 'ann', at: m(60), type: 'help_request', path: NB, cell: 4 },
  { user: 'ann', at: m(62), type: 'help_cancel', path: NB },
];

const eventOf = (e: Run | Other) =>
  'type' in e
    ? buildCellEvent({ userId: e.user, sessionId: `s-${e.user}`, eventType: e.type, eventTime: iso(e.at), notebookPath: e.path, cellId: e.cell ? `c${e.cell}` : undefined, cellIndex: e.cell ? e.cell - 1 : undefined, cellType: undefined, code: undefined, output: undefined, executionCount: undefined, durationMs: undefined, success: undefined })
    : buildCellEvent({
        userId: e.user, sessionId: `s-${e.user}`, notebookPath: e.path, cellId: `c${e.cell}`, cellIndex: e.cell - 1, eventTime: iso(e.at),
        eventType: e.error ? 'cell_execution_error' : 'cell_execution_complete', success: !e.error,
        ...(e.error ? { error: { ...e.error, traceback: 'Traceback …' } } : {}),
      });

// ---- The test's own computation of the figures, from the lists above. ----

/** Nearest-rank quantile (the definition the README gives). */
const nearestRank = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] : null;
};
const within = (w: { start: number; end: number }, at: number) => at >= w.start && at < w.end;
const CLASS = ['ann', 'bob', 'cat', 'dan'];

function expectedReport(w: { start: number; end: number }, notebook: string) {
  const inW = runs.filter((r) => CLASS.includes(r.user) && within(w, r.at));
  const allEvents = [...inW.map((r) => ({ user: r.user, at: r.at })), ...[...others, ...later].filter((o) => CLASS.includes(o.user) && within(w, o.at))];
  const first = new Map<string, number>();
  for (const e of allEvents) first.set(e.user, Math.min(first.get(e.user) ?? Infinity, e.at));
  const active = CLASS.filter((u) => first.has(u));
  const attendance = Object.fromEntries(
    CLASS.map((u) => [u, { status: !first.has(u) ? 'absent' : first.get(u)! - w.start >= LATE_AFTER * MIN ? 'late' : 'on_time', runs: inW.filter((r) => r.user === u).length }]),
  );
  const nbRuns = inW.filter((r) => r.path === notebook).sort((a, b) => a.at - b.at);
  const cells = [...new Set(nbRuns.map((r) => r.cell))].sort((a, b) => a - b).map((cell) => {
    const per = active
      .map((u) => {
        const mine = nbRuns.filter((r) => r.user === u);
        const onCell = mine.filter((r) => r.cell === cell);
        if (!onCell.length) return undefined;
        const firstOk = onCell.findIndex((r) => !r.error);
        let seconds = 0;
        mine.forEach((r, i) => {
          if (r.cell === cell && i > 0) seconds += Math.min((r.at - mine[i - 1].at) / 1000, 600);
        });
        let streak = 0;
        let stuck = false;
        for (const r of onCell) {
          streak = r.error ? streak + 1 : 0;
          if (streak >= STUCK_ERRORS) stuck = true;
        }
        return { u, attempts: firstOk === -1 ? null : firstOk + 1, seconds, stuck };
      })
      .filter((p) => p !== undefined);
    const ok = per.filter((p) => p.attempts !== null);
    return {
      cellId: `c${cell}`, cellIndex: cell - 1, ran: per.length, succeeded: ok.length, ranShare: per.length / active.length, succeededShare: ok.length / active.length,
      medianAttemptsToSuccess: nearestRank(ok.map((p) => p.attempts!), 0.5), medianSeconds: nearestRank(per.map((p) => p.seconds), 0.5), stuck: per.filter((p) => p.stuck).length,
    };
  });
  const last = cells.at(-1)!;
  const unfinished = active.filter((u) => !nbRuns.some((r) => r.user === u && `c${r.cell}` === last.cellId && !r.error));
  return { active, attendance, cells, unfinished, runs: inW.length, errors: inW.filter((r) => r.error).length, nbRuns };
}

for (const mode of modesToTest()) {
  const it = suite(`after-class sessions and report [${mode}]`);
  const stack = collectorWithStore(it, mode, { JWT_SECRET: SECRET });
  let sato: string;
  let other: string;
  let classId: number;
  let otherClassId: number;
  const api = (token: string, method: string, route: string, body?: unknown) => request(stack.running.url, method, route, { token, body });

  it.before(async () => {
    [sato, other] = await addInstructors(stack.running, TEACHER_AND_OUTSIDER);
    classId = (await api(sato, 'post', '/api/v1/classes', { name: 'Week 2', class_code: 'WEEK2' })).body.id;
    otherClassId = (await api(other, 'post', '/api/v1/classes', { name: 'Other', class_code: 'OTHER1' })).body.id;
    for (const user of CLASS) assert.is((await api(sato, 'post', `/api/v1/classes/${classId}/students`, { user_id: user, name: NAMES[user] })).status, 201);
    assert.is((await api(other, 'post', `/api/v1/classes/${otherClassId}/students`, { user_id: 'eve' })).status, 201);
    assert.is((await api(sato, 'put', `/api/v1/classes/${classId}/settings`, { stuck_errors: STUCK_ERRORS })).status, 200);
    // Enrolled before all of the generated work (a class shows a student's rows from her enrolment on).
    await stack.store('class_enrollments').update({ enrolled_at: iso(T0 - 60 * DAY) });
    // The class existed before its timetable's slots of the last 8 weeks (a slot before the class is no meeting of it).
    await stack.store('classes').update({ created_at: iso(T0 - 60 * DAY) });
    assert.is((await postEvents(stack.running.url, [...runs, ...others].map(eventOf))).status, 202);
    await settle(stack.running.url, stack.store);
    // Sato resolves ann's and bob's requests; the test sets when (the resolve stamps the server's clock).
    for (const [user, at] of Object.entries(RESOLVED)) {
      const row = await waitFor<{ id: number }>(() => stack.store('help_requests as h').join('students as s', 's.id', 'h.student_id').where('s.user_id', user).first('h.id'), 10_000, `${user}'s help request`);
      assert.is((await api(sato, 'post', `/api/v1/help_requests/${row.id}/resolve`)).status, 200);
      await stack.store('help_requests').where({ id: row.id }).update({ resolved_at: iso(at), claimed_at: iso(at) });
    }
    assert.is((await postEvents(stack.running.url, later.map(eventOf))).status, 202);
    await settle(stack.running.url, stack.store);
    for (const w of [W1, W0]) assert.is((await api(sato, 'post', `/api/v1/classes/${classId}/sessions`, { start: iso(w.start), end: iso(w.end), title: w === W1 ? 'Week 2 lab' : null })).status, 201);
  });

  const reportOf = async (w: { start: number; end: number }, query = '') => {
    const reply = await api(sato, 'get', `/api/v1/classes/${classId}/sessions/report?start=${iso(w.start)}&end=${iso(w.end)}${query}`);
    assert.is(reply.status, 200, JSON.stringify(reply.body));
    return reply.body;
  };

  it('attendance and headline: who came, who came late, who never showed; runs, errors, help — eve of the other class never appears', async () => {
    const report = await reportOf(W1);
    const want = expectedReport(W1, NB);
    assert.is(report.notebookPath, NB, 'the notebook most runs were in');
    assert.equal(report.notebooks, [{ notebookPath: NB, students: 3 }, { notebookPath: 'course/scratch.ipynb', students: 1 }]);
    assert.equal(Object.fromEntries(report.attendance.map((a: any) => [a.userId, { status: a.status, runs: a.runs }])), want.attendance);
    assert.is(report.attendance.find((a: any) => a.userId === 'ann').displayName, NAMES.ann);
    assert.is(report.attendance.find((a: any) => a.userId === 'ann').firstAt, iso(m(2)), 'her first event (session start), not her first run');
    assert.is(report.attendance.find((a: any) => a.userId === 'dan').firstAt, null);
    assert.equal(report.headline, { activeStudents: want.active.length, enrolled: 4, runs: want.runs, errors: want.errors, helpRequests: 4, medianWaitSeconds: 240 });
    assert.not.match(JSON.stringify(report), /"eve"|name 'e'/, "no trace of the other class's student");
  });

  it('cells in notebook order: shares of the active students, median attempts and time as the progress view, stuck by the class rule; stuck cells; unfinished', async () => {
    const report = await reportOf(W1);
    const want = expectedReport(W1, NB);
    assert.equal(report.cells, want.cells);
    assert.equal(report.stuckCells, want.cells.filter((c) => c.stuck > 0).sort((a, b) => b.stuck - a.stuck).map((c) => c.cellId));
    assert.equal(report.unfinished.map((u: any) => u.userId), want.unfinished);
    const bob = report.unfinished.find((u: any) => u.userId === 'bob');
    const bobRuns = want.nbRuns.filter((r) => r.user === 'bob');
    const furthest = Math.max(...bobRuns.filter((r) => !r.error).map((r) => r.cell));
    const lastRun = bobRuns.at(-1)!;
    assert.equal(bob, { userId: 'bob', displayName: NAMES.bob, furthestCellId: `c${furthest}`, furthestCellIndex: furthest - 1, lastCellId: `c${lastRun.cell}`, lastCellIndex: lastRun.cell - 1, lastSucceeded: !lastRun.error });
  });

  it('error clusters of the window: per masked message and cell, most students first, the class only', async () => {
    const report = await reportOf(W1);
    const errors = runs.filter((r) => r.error && CLASS.includes(r.user) && within(W1, r.at));
    const groups = new Map<string, Set<string>>();
    const counts = new Map<string, number>();
    for (const r of errors) {
      const key = `${r.error!.name}/c${r.cell}`;
      groups.set(key, (groups.get(key) ?? new Set()).add(r.user));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assert.is(report.errorClusters.length, Math.min(5, groups.size));
    const got = report.errorClusters.map((c: any) => ({ key: `${c.errorName}/${c.cellId}`, students: c.students, occurrences: c.occurrences, userIds: c.userIds }));
    assert.equal(
      [...got].sort((a, b) => a.key.localeCompare(b.key)),
      [...groups].map(([key, users]) => ({ key, students: users.size, occurrences: counts.get(key)!, userIds: [...users].sort() })).sort((a, b) => a.key.localeCompare(b.key)),
    );
    assert.equal(got[0], { key: 'NameError/c2', students: 2, occurrences: 4, userIds: ['ann', 'bob'] }, 'the largest first');
    assert.match(report.errorClusters[0].signature, /^NameError: name '.+' is not defined$/);
  });

  it('help: count, resolved, median and p90 wait (nearest rank), longest waits (an open one to the end of the window), who resolved', async () => {
    const { help } = await reportOf(W1);
    const resolvedWaits = Object.entries(RESOLVED).map(([user, at]) => (at - others.find((o) => o.user === user && o.type === 'help_request')!.at) / 1000);
    const catWait = (W1.end - m(50)) / 1000;
    assert.equal([help.count, help.resolved, help.medianWaitSeconds, help.p90WaitSeconds], [4, 2, nearestRank(resolvedWaits, 0.5), nearestRank(resolvedWaits, 0.9)]);
    assert.equal(help.longestWaits.map((w: any) => [w.userId, w.waitSeconds, w.resolved, w.resolvedBy]), [
      ['cat', catWait, false, null],
      ['bob', 600, true, 'Ms Sato'],
      ['ann', 240, true, 'Ms Sato'],
    ]);
    assert.equal(help.resolvers, [{ name: 'Ms Sato', count: 2 }]);
  });

  it('previous: the latest earlier meeting in which the notebook ran (the slot and the inferred run were on another notebook), with the same definitions', async () => {
    const { previous } = await reportOf(W1);
    const want = expectedReport(W0, NB);
    assert.equal(previous, {
      start: iso(W0.start), end: iso(W0.end), activeStudents: want.active.length, finishedShare: (want.active.length - want.unfinished.length) / want.active.length,
      medianWaitSeconds: null, errors: want.errors, cells: want.cells.map((c) => ({ cellId: c.cellId, succeededShare: c.succeededShare })),
    });
    assert.is((await reportOf(W0)).previous, null, 'nothing earlier ran it');
  });

  it('notebook_path and late_after_minutes change the report as asked', async () => {
    const scratch = await reportOf(W1, '&notebook_path=course/scratch.ipynb&late_after_minutes=20');
    assert.equal(scratch.cells.map((c: any) => [c.cellId, c.ran]), [['c1', 1]]);
    assert.is(scratch.lateAfterMinutes, 20);
    assert.is(scratch.attendance.find((a: any) => a.userId === 'bob').status, 'on_time', 'bob came 15 minutes in: not late with 20');
  });

  it('sessions list: every passed slot of the timetable (Asia/Tokyo) in 8 weeks, the manual meetings, the inferred run — newest first, each with the report\'s headline', async () => {
    const tokyo = new Date(S + 9 * 3_600_000);
    const slot = { weekday: tokyo.getUTCDay(), start: `${String(tokyo.getUTCHours()).padStart(2, '0')}:${String(tokyo.getUTCMinutes()).padStart(2, '0')}`, minutes: 60 };
    const put = await api(sato, 'put', `/api/v1/classes/${classId}/schedule`, { timezone: 'Asia/Tokyo', slots: [slot] });
    assert.is(put.status, 200, JSON.stringify(put.body));
    assert.equal((await api(sato, 'get', `/api/v1/classes/${classId}/schedule`)).body, { classId, timezone: 'Asia/Tokyo', slots: [slot] });
    const now = Date.now();
    const expected: Array<[number, number, string]> = [[W1.start, W1.end, 'manual'], [W0.start, W0.end, 'manual'], [TI, TI + 21 * MIN, 'inferred']];
    for (let at = S; at >= now - 56 * DAY; at -= 7 * DAY) expected.push([at, at + 60 * MIN, 'schedule']);
    expected.sort((a, b) => b[0] - a[0]);
    const list = await api(sato, 'get', `/api/v1/classes/${classId}/sessions`);
    assert.is(list.status, 200);
    assert.equal(list.body.sessions.map((s: any) => [Date.parse(s.start), Date.parse(s.end), s.source]), expected);
    const w1 = list.body.sessions[0];
    assert.equal([w1.id, w1.title, w1.notebookPath], [`${iso(W1.start)}/${iso(W1.end)}`, 'Week 2 lab', NB]);
    assert.equal(w1.headline, (await reportOf(W1)).headline);
    const slotMeeting = list.body.sessions.find((s: any) => Date.parse(s.start) === S);
    assert.equal([slotMeeting.notebookPath, slotMeeting.headline.activeStudents, slotMeeting.headline.runs], [OTHER, 2, 4]);
    assert.ok(list.body.sessions.filter((s: any) => s.source === 'schedule' && s !== slotMeeting).every((s: any) => s.headline.activeStudents === 0), 'a slot nobody came to is listed, empty');
    const page = await api(sato, 'get', `/api/v1/classes/${classId}/sessions?limit=3`);
    assert.equal(page.body.sessions.map((s: any) => s.id), list.body.sessions.slice(0, 3).map((s: any) => s.id));
    assert.is(page.body.nextBefore, page.body.sessions[2].start);
    const next = await api(sato, 'get', `/api/v1/classes/${classId}/sessions?limit=3&before=${encodeURIComponent(page.body.nextBefore)}`);
    assert.equal(next.body.sessions.map((s: any) => s.id), list.body.sessions.slice(3, 6).map((s: any) => s.id));
    // A page that ends in the middle of the inferred run still shows the run whole.
    const cut = await api(sato, 'get', `/api/v1/classes/${classId}/sessions?limit=1&before=${encodeURIComponent(iso(TI + 10 * MIN))}`);
    assert.equal(cut.body.sessions.map((s: any) => [s.source, s.start, s.end]), [['inferred', iso(TI), iso(TI + 21 * MIN)]]);
    // Had the class been created ten days before S, the slots before that would be none of its meetings.
    await stack.store('classes').where({ id: classId }).update({ created_at: iso(S - 10 * DAY) });
    const young = await api(sato, 'get', `/api/v1/classes/${classId}/sessions`);
    assert.equal(young.body.sessions.filter((s: any) => s.source === 'schedule').map((s: any) => Date.parse(s.start)), [S, S - 7 * DAY]);
    await stack.store('classes').where({ id: classId }).update({ created_at: iso(T0 - 60 * DAY) });
  });

  it('a manual meeting is added and deleted; another class\'s teacher gets 403, a missing class 404, bad input 422 with its id', async () => {
    const start = T0 + 2 * 3_600_000;
    const added = await api(sato, 'post', `/api/v1/classes/${classId}/sessions`, { start: iso(start), end: iso(start + 30 * MIN), title: '  Office hour  ' });
    assert.is(added.status, 201);
    assert.equal([added.body.source, added.body.title, added.body.headline.enrolled], ['manual', 'Office hour', 4]);
    const listed = async () => (await api(sato, 'get', `/api/v1/classes/${classId}/sessions`)).body.sessions.map((s: any) => s.id);
    assert.ok((await listed()).includes(added.body.id));
    assert.equal((await api(sato, 'delete', `/api/v1/classes/${classId}/sessions/${added.body.manualId}`)).body, { id: added.body.manualId, deleted: true });
    assert.not.ok((await listed()).includes(added.body.id));
    assert.is((await api(sato, 'delete', `/api/v1/classes/${classId}/sessions/${added.body.manualId}`)).body.error, 'session_not_found');

    const report = `/api/v1/classes/${classId}/sessions/report?start=${iso(W1.start)}&end=${iso(W1.end)}`;
    for (const [method, path] of [['get', report], ['get', `${report.replace('/report?', '/report.csv?')}&table=attendance`], ['get', `/api/v1/classes/${classId}/sessions`], ['get', `/api/v1/classes/${classId}/schedule`], ['put', `/api/v1/classes/${classId}/schedule`], ['post', `/api/v1/classes/${classId}/sessions`], ['get', `/api/v1/dashboard/board.csv?class_id=${classId}`], ['get', `/api/v1/dashboard/progress.csv?class_id=${classId}`]]) {
      const reply = await api(other, method, path, method === 'get' ? undefined : {});
      assert.equal([reply.status, reply.body?.error], [403, 'not_class_teacher'], `${method} ${path}`);
    }
    assert.is((await api(sato, 'get', `/api/v1/classes/999999/sessions`)).body.error, 'class_not_found');

    const unprocessable: Array<[string, string, unknown, string, string]> = [
      ['put', 'schedule', { timezone: 'Mars/Olympus', slots: [] }, 'validation_failed', 'timezone'],
      ['put', 'schedule', { timezone: 'Asia/Tokyo', slots: [{ weekday: 7, start: '09:00', minutes: 60 }] }, 'validation_failed', 'slots[0].weekday'],
      ['put', 'schedule', { timezone: 'Asia/Tokyo', slots: [{ weekday: 1, start: '24:00', minutes: 60 }] }, 'validation_failed', 'slots[0].start'],
      ['put', 'schedule', { timezone: 'Asia/Tokyo', slots: [{ weekday: 1, start: '09:00', minutes: 601 }] }, 'validation_failed', 'slots[0].minutes'],
      ['post', 'sessions', { end: iso(T0) }, 'validation_failed', 'start'],
      ['post', 'sessions', { start: iso(T0), end: iso(T0) }, 'invalid_window', 'end'],
      ['post', 'sessions', { start: iso(T0), end: iso(T0 + 13 * 3_600_000) }, 'invalid_window', 'end'],
      ['get', `sessions/report?start=${iso(T0)}`, undefined, 'validation_failed', 'end'],
      ['get', `sessions/report?start=${iso(T0)}&end=${iso(T0 - MIN)}`, undefined, 'invalid_window', 'end'],
      ['get', `sessions/report.csv?start=${iso(T0)}&end=${iso(T0 + MIN)}&table=grades`, undefined, 'validation_failed', 'table'],
      ['get', 'sessions?limit=0', undefined, 'validation_failed', 'limit'],
    ];
    for (const [method, path, body, error, field] of unprocessable) {
      const reply = await api(sato, method, `/api/v1/classes/${classId}/${path}`, body);
      assert.equal([reply.status, reply.body.error, reply.body.details?.fields?.[0]?.field], [422, error, field], `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(reply.body)}`);
    }
  });

  /** A CSV answer: its headers, whether it starts with the UTF-8 byte-order mark, and its rows parsed back (csv-parse). */
  const csvOf = async (path: string) => {
    const res = await fetch(stack.running.url + path, { headers: { authorization: `Bearer ${sato}` } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.is(res.status, 200, new TextDecoder().decode(bytes));
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    return {
      type: res.headers.get('content-type'),
      disposition: res.headers.get('content-disposition') ?? '',
      bom: bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf,
      header: parse(text, { bom: true, to_line: 1 })[0] as string[],
      rows: parse(text, { bom: true, columns: true }) as Array<Record<string, string>>,
    };
  };
  const cell = (value: unknown) => (value === null || value === undefined ? '' : String(value));

  it('CSV: each table of the report as an attachment (UTF-8 with BOM, snake_case header), parsed back equal to the report; the board and the progress table too', async () => {
    const report = await reportOf(W1);
    const base = `/api/v1/classes/${classId}/sessions/report.csv?start=${iso(W1.start)}&end=${iso(W1.end)}&table=`;
    const attendance = await csvOf(`${base}attendance`);
    assert.ok(attendance.bom, 'a byte-order mark, for Excel');
    assert.match(attendance.type ?? '', /^text\/csv; charset=utf-8/);
    assert.match(attendance.disposition, /^attachment; filename="session-\d+-\d{8}T\d{6}Z-attendance\.csv"$/);
    assert.equal(attendance.header, ['user_id', 'display_name', 'status', 'first_at', 'last_at', 'runs']);
    assert.equal(attendance.rows, report.attendance.map((a: any) => ({ user_id: a.userId, display_name: a.displayName === '=Cat' ? "'=Cat" : a.displayName, status: a.status, first_at: cell(a.firstAt), last_at: cell(a.lastAt), runs: String(a.runs) })));
    assert.ok(attendance.rows.some((r) => r.display_name === NAMES.ann), 'Japanese names intact');
    assert.ok(attendance.rows.some((r) => r.display_name === "'=Cat"), 'a formula-like name is quoted');

    const cells = await csvOf(`${base}cells`);
    assert.equal(cells.rows.map((r) => [r.cell_id, Number(r.ran), Number(r.succeeded_share), r.median_seconds === '' ? null : Number(r.median_seconds), Number(r.stuck)]), report.cells.map((c: any) => [c.cellId, c.ran, c.succeededShare, c.medianSeconds, c.stuck]));
    const help = await csvOf(`${base}help`);
    assert.equal(help.rows.map((r) => [r.user_id, Number(r.wait_seconds), r.resolved, r.resolved_by]), [['ann', 240, 'true', 'Ms Sato'], ['bob', 600, 'true', 'Ms Sato'], ['cat', (W1.end - m(50)) / 1000, 'false', '']]);
    const unfinished = await csvOf(`${base}unfinished`);
    assert.equal(unfinished.rows.map((r) => [r.user_id, r.furthest_cell_id, r.last_cell_id, r.last_succeeded]), report.unfinished.map((u: any) => [u.userId, cell(u.furthestCellId), cell(u.lastCellId), cell(u.lastSucceeded)]));
    const clusters = await csvOf(`${base}clusters`);
    assert.equal(clusters.rows.map((r) => [r.signature, r.cell_id, Number(r.students), Number(r.occurrences), r.user_ids]), report.errorClusters.map((c: any) => [c.signature, c.cellId, c.students, c.occurrences, c.userIds.join(' ')]));

    const board = await request(stack.running.url, 'get', `/api/v1/dashboard/board?class_id=${classId}`, { token: sato });
    const boardCsv = await csvOf(`/api/v1/dashboard/board.csv?class_id=${classId}`);
    assert.match(boardCsv.disposition, /^attachment; filename="board-\d+-/);
    assert.equal(boardCsv.rows.map((r) => [r.user_id, r.status, r.runs]), board.body.cards.map((c: any) => [c.userId, c.status, String(c.runs)]));

    const progress = await request(stack.running.url, 'get', `/api/v1/dashboard/progress?class_id=${classId}&notebook_path=${NB}`, { token: sato });
    const progressCsv = await csvOf(`/api/v1/dashboard/progress.csv?class_id=${classId}&notebook_path=${NB}`);
    assert.equal(progressCsv.header, ['notebook_path', 'cell_index', 'cell_id', 'students', 'ran_share', 'succeeded_share', 'median_attempts_to_success', 'median_seconds']);
    assert.equal(
      progressCsv.rows.map((r) => [r.notebook_path, r.cell_id, Number(r.students), Number(r.ran_share), Number(r.succeeded_share)]),
      progress.body.cells.map((c: any) => [NB, c.cellId, c.students, c.ranShare, c.succeededShare]),
    );
  });

  it.run();
}
