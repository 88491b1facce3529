/**
 * "Where the class is" and the error clusters, computed by the collector from a generated class sent
 * through the real ingest API, against the same figures computed here from what was generated.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClassProgress, ErrorCluster, StudentTimeline } from '@cell-monitor/shared';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { login } from '../../helpers/http.ts';
import { waitFor } from '../../helpers/services.ts';
import { seededRandom } from '../../helpers/random.ts';
import { countRows, modesToTest, openStore, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

const SECRET = 'insights-test-jwt-secret-0123456789-abcdef';
const CELLS = 8;
const STUDENTS = 20;
const MAX_GAP_S = 600;

/** Error templates: the cluster each message must land in is known here, not computed by the code under test. */
const TEMPLATES = [
  { name: 'NameError', message: (r: () => number) => `name '${['x', 'df', 'total', 'y2'][Math.floor(r() * 4)]}' is not defined`, cluster: "NameError: name '…' is not defined" },
  { name: 'KeyError', message: (r: () => number) => `'${['price', 'qty', 'id'][Math.floor(r() * 3)]}'`, cluster: "KeyError: '…'" },
  { name: 'IndexError', message: (r: () => number) => `index ${Math.floor(r() * 50)} is out of bounds for axis 0 with size ${Math.floor(r() * 9)}`, cluster: 'IndexError: index … is out of bounds for axis … with size …' },
];

interface Run {
  user: string;
  cell: number;
  ok: boolean;
  at: number;
  template?: number;
}

function generateClass(start: number) {
  const r = seededRandom(20261124);
  const runs: Run[] = [];
  const users = Array.from({ length: STUDENTS }, (_, i) => `gen${i + 1}`);
  for (const user of users) {
    let t = start + Math.floor(r() * 60_000);
    const reach = 1 + Math.floor(r() * CELLS); // how far this student gets
    for (let cell = 1; cell <= reach; cell++) {
      const failures = r() < 0.4 ? 1 + Math.floor(r() * 3) : 0;
      const gives = cell === reach && r() < 0.3; // some stop on a cell they never solved
      for (let k = 0; k < failures; k++) {
        t += Math.floor(r() * 200_000) + 1_000;
        runs.push({ user, cell, ok: false, at: t, template: (cell + k) % TEMPLATES.length });
      }
      if (!gives) {
        t += Math.floor(r() * (r() < 0.5 ? 1_500_000 : 200_000)) + 1_000; // often a long break: gaps over 10 min count as 10 min
        runs.push({ user, cell, ok: true, at: t });
      }
    }
  }
  return { users, runs };
}

const nearestRankMedian = (values: number[]) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.5 * sorted.length) - 1];
};

for (const mode of modesToTest()) {
  const it = suite(`dashboard progress and error clusters [${mode}]`);
  let services: Services;
  let app: RunningCollector;
  let token: string;
  let classId: number;
  const generated = generateClass(Date.now() - 6 * 3_600_000);

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET }));
    await createInstructor(app.collector.db, { email: 'sato@example.org', name: 'Ms Sato', password: 'sato-password-1', role: 'instructor' });
    token = await login(app.url, 'sato@example.org', 'sato-password-1');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    classId = ((await (await fetch(`${app.url}/api/v1/classes`, { method: 'POST', headers, body: JSON.stringify({ name: 'Gen', class_code: 'GEN' }) })).json()) as { id: number }).id;
    for (const user of generated.users) await fetch(`${app.url}/api/v1/classes/${classId}/students`, { method: 'POST', headers, body: JSON.stringify({ user_id: user }) });
    // The generated day starts 6 hours ago: the students were enrolled before it (a class shows a
    // student's work only from her enrolment on, lms/classBoundary.ts).
    await app.collector.db('class_enrollments').where({ class_id: classId }).update({ enrolled_at: new Date(Date.now() - 24 * 3_600_000).toISOString() });
    const r = seededRandom(7);
    const events = generated.runs.map((run, i) => ({
      eventId: `gen-${i}`,
      eventType: run.ok ? 'cell_execution_complete' : 'cell_execution_error',
      eventTime: new Date(run.at).toISOString(),
      userId: run.user,
      sessionId: `s-${run.user}`,
      notebookPath: 'course/lab2.ipynb',
      cellId: `cell-${run.cell}`,
      cellIndex: run.cell,
      success: run.ok,
      code: `step_${run.cell}()`,
      ...(run.ok ? {} : { error: { name: TEMPLATES[run.template!].name, message: TEMPLATES[run.template!].message(r), traceback: `Traceback …\n${TEMPLATES[run.template!].name}` } }),
    }));
    for (let i = 0; i < events.length; i += 100) assert.is((await postEvents(app.url, events.slice(i, i + 100))).status, 202);
    const store = openStore(services.databaseUrl);
    try {
      await waitFor(async () => (await countRows(store, 'cell_executions')) === events.length, 20_000, 'every run stored');
    } finally {
      await store.destroy();
    }
  });
  it.after(async () => {
    await app.close();
    await services.stop();
  });

  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(app.url + path, { headers: { authorization: `Bearer ${token}` } });
    assert.is(res.status, 200, path);
    return (await res.json()) as T;
  };

  it('per cell in notebook order: ran, succeeded, median attempts and time; the cell each student is on; progress', async () => {
    const progress = await get<ClassProgress>(`/api/v1/dashboard/progress?class_id=${classId}`);
    assert.is(progress.notebookPath, 'course/lab2.ipynb', 'the notebook most students ran is the default');
    const byUser = new Map<string, Run[]>();
    for (const run of generated.runs) byUser.set(run.user, [...(byUser.get(run.user) ?? []), run]);
    const seenUsers = [...byUser.keys()];
    assert.is(progress.students, seenUsers.length);
    const cells = [...new Set(generated.runs.map((r) => r.cell))].sort((a, b) => a - b);
    assert.equal(progress.cells.map((c) => c.cellId), cells.map((c) => `cell-${c}`));
    for (const cell of cells) {
      const ran = seenUsers.filter((u) => byUser.get(u)!.some((r) => r.cell === cell));
      const attempts = ran.flatMap((u) => {
        const mine = byUser.get(u)!.filter((r) => r.cell === cell);
        const first = mine.findIndex((r) => r.ok);
        return first === -1 ? [] : [first + 1];
      });
      const seconds = ran.map((u) => {
        const all = byUser.get(u)!;
        return Math.round(all.reduce((sum, r, i) => (r.cell === cell && i > 0 ? sum + Math.min(MAX_GAP_S, (r.at - all[i - 1].at) / 1000) : sum), 0));
      });
      const got = progress.cells.find((c) => c.cellId === `cell-${cell}`)!;
      assert.equal(
        { ran: got.ranShare, ok: got.succeededShare, attempts: got.medianAttemptsToSuccess, seconds: got.medianSeconds, index: got.cellIndex },
        { ran: ran.length / seenUsers.length, ok: attempts.length / seenUsers.length, attempts: nearestRankMedian(attempts), seconds: nearestRankMedian(seconds), index: cell },
        `cell ${cell}`,
      );
    }
    const onCell = new Map<number, number>();
    for (const u of seenUsers) {
      const last = byUser.get(u)!.at(-1)!.cell;
      onCell.set(last, (onCell.get(last) ?? 0) + 1);
    }
    assert.equal(progress.currentCell.map((c) => c.students), cells.map((c) => onCell.get(c) ?? 0));
    for (const row of progress.perStudent) {
      const solved = new Set(byUser.get(row.userId)!.filter((r) => r.ok).map((r) => r.cell)).size;
      assert.is(row.progressPercent, Math.round((100 * solved) / cells.length), row.userId);
    }
  });

  it('error clusters: grouped by masked message and cell, most students first, with the students listed', async () => {
    const since = new Date(Date.now() - 7 * 3_600_000).toISOString();
    const clusters = await get<ErrorCluster[]>(`/api/v1/dashboard/errors?class_id=${classId}&since=${encodeURIComponent(since)}`);
    const expected = new Map<string, { users: Set<string>; count: number }>();
    for (const run of generated.runs.filter((r) => !r.ok)) {
      const key = `${TEMPLATES[run.template!].cluster} @cell-${run.cell}`;
      const entry = expected.get(key) ?? { users: new Set(), count: 0 };
      entry.users.add(run.user);
      entry.count += 1;
      expected.set(key, entry);
    }
    assert.is(clusters.length, expected.size);
    for (const cluster of clusters) {
      const want = expected.get(`${cluster.signature} @${cluster.cellId}`);
      assert.ok(want, `unexpected cluster ${cluster.signature} @${cluster.cellId}`);
      assert.equal([cluster.students, cluster.occurrences, cluster.userIds], [want!.users.size, want!.count, [...want!.users].sort()]);
    }
    for (let i = 1; i < clusters.length; i++) assert.ok(clusters[i - 1].students >= clusters[i].students, 'largest first');
    // Errors stored before signatures were kept (signature NULL) are masked when read: the same clusters.
    await app.collector.db('error_logs').whereRaw('id % 2 = 0').update({ signature: null });
    assert.equal(await get<ErrorCluster[]>(`/api/v1/dashboard/errors?class_id=${classId}&since=${encodeURIComponent(since)}`), clusters);
  });

  it("a student's timeline: newest first, code and errors as sent, per-cell attempts in order", async () => {
    const user = generated.users.find((u) => generated.runs.some((r) => r.user === u && !r.ok))!;
    const timeline = await get<StudentTimeline>(`/api/v1/dashboard/students/${user}/timeline?class_id=${classId}`);
    const mine = generated.runs.filter((r) => r.user === user);
    assert.is(timeline.entries.length, mine.length);
    assert.is(timeline.entries[0].at, new Date(mine.at(-1)!.at).toISOString(), 'newest first');
    assert.is(timeline.entries.find((e) => e.error)!.code?.startsWith('step_'), true);
    const cells = [...new Set(mine.map((r) => r.cell))];
    assert.equal(
      timeline.attempts.map((a) => [a.cellId, a.results]),
      cells.map((c) => [`cell-${c}`, mine.filter((r) => r.cell === c).map((r) => r.ok)]),
    );
  });

  it.run();
}
