/**
 * The per-cell progress and the error clusters (summed per cluster in the database) read from the
 * rows the projections keep (cell_progress, error_groups) equal what the raw runs and errors give —
 * whatever order runs arrive in, however often one is delivered, for a student enrolled after her
 * first runs (her answer computed from the raw rows), with a window starting in the middle of a day,
 * after the retention sweep took some of a student's runs; an erased student's kept rows go with her.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Knex } from 'knex';
import { MAX_GAP_SECONDS } from '../../../collector/src/activity/cellProgress.ts';
import { aloneInCluster, cellProgressSums, errorClusterSums, type ErrorClusterRow } from '../../../collector/src/activity/progressReads.ts';
import { cellRunSums, errorGroups, type CellRunSum } from '../../../collector/src/activity/reads.ts';
import { clusterErrors, errorGroupsOf, newestErrorIds } from '../../../collector/src/insights/errorClusters.ts';
import { rowsOfNotebookIn, studentRowsIn } from '../../../collector/src/classes/rowScopes.ts';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { sweepRetention } from '../../../collector/src/privacy/retention.ts';
import { login, request } from '../../helpers/http.ts';
import { buildCellEvent, collectorWithStore, countRows, modesToTest, postEvents, settle } from '../../helpers/stack.ts';

const SECRET = 'progress-reads-test-jwt-secret-0123456789';
const PATH = 'course/derived.ipynb';
const T0 = Date.now() - 3 * 3_600_000;
const MIN = 60_000;
const at = (minutes: number) => new Date(T0 + minutes * MIN).toISOString();

/** A run of `user` on cell `cell` at T0 + `minutes`; `error`: a failed run with that message. */
function run(user: string, cell: number, minutes: number, error?: string, id?: string) {
  return buildCellEvent({
    ...(id ? { eventId: id } : {}),
    userId: user,
    sessionId: `s-${user}`,
    notebookPath: PATH,
    cellId: `c${cell}`,
    cellIndex: cell,
    eventTime: at(minutes),
    eventType: error ? 'cell_execution_error' : 'cell_execution_complete',
    success: !error,
    ...(error ? { error: { name: 'NameError', message: error, traceback: 'Traceback …' } } : {}),
  });
}

const progressKey = (r: CellRunSum) => ({
  user: r.user_id, cell: r.cell_key, index: r.cell_index === null ? null : Number(r.cell_index), runs: Number(r.runs),
  firstSuccess: r.first_success === null ? null : Number(r.first_success), seconds: Math.round(Number(r.seconds) * 100) / 100, lastAt: new Date(r.last_at).toISOString(),
});
/** The clusters the rows make (each one's students, counts, cell, newest error's id and time). */
const clustersOf = (rows: ErrorClusterRow[]) => {
  const groups = errorGroupsOf(rows);
  return { clusters: clusterErrors(groups, new Map()).map(({ example, ...c }) => ({ ...c, at: example.at })), newest: newestErrorIds(groups).sort((a, b) => a - b) };
};
/** The same clusters from the kept rows (per cluster) and from the errors (per student, merged). */
const sameClusters = async (db: Knex, options: Parameters<typeof errorGroups>[1], message?: string) =>
  assert.equal(clustersOf(await errorClusterSums(db, options)), clustersOf((await errorGroups(db, options)).map(aloneInCluster)), message);
const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();

for (const mode of modesToTest()) {
  const it = suite(`progress and clusters from kept rows equal the raw computation [${mode}]`);
  const stack = collectorWithStore(it, mode, { JWT_SECRET: SECRET });
  let token: string;
  let classId: number;
  const api = (method: string, route: string, body?: unknown) => request(stack.running.url, method, route, { token, body });

  it.before(async () => {
    await createInstructor(stack.running.collector.db, { email: 'root@example.org', name: 'Root', password: 'root-password-1', role: 'admin' });
    token = await login(stack.running.url, 'root@example.org', 'root-password-1');
    classId = (await api('post', '/api/v1/classes', { name: 'Derived', class_code: 'DERIVED' })).body.id;
    for (const user of ['ann', 'bob', 'cat']) assert.is((await api('post', `/api/v1/classes/${classId}/students`, { user_id: user })).status, 201);
    // ann and bob were enrolled before their work; cat half an hour into hers.
    const ids = async (users: string[]) => (await stack.store('students').whereIn('user_id', users).select('id')).map((r: { id: number }) => r.id);
    await stack.store('class_enrollments').whereIn('student_id', await ids(['ann', 'bob'])).update({ enrolled_at: at(-60) });
    await stack.store('class_enrollments').whereIn('student_id', await ids(['cat'])).update({ enrolled_at: at(30) });

    const first = [
      run('ann', 1, 1, "name 'x' is not defined"), run('ann', 1, 2), run('ann', 2, 4, "name 'y' is not defined"), run('ann', 2, 20), run('ann', 3, 21), run('ann', 1, 40),
      run('bob', 1, 3), run('bob', 2, 5, "name 'z' is not defined"), run('bob', 2, 6, "name 'z' is not defined"), run('bob', 3, 9),
      run('cat', 1, 10, "name 'q' is not defined"), run('cat', 1, 12), run('cat', 2, 25, "name 'w' is not defined"), run('cat', 2, 35, "name 'w' is not defined"), run('cat', 2, 36), run('cat', 3, 50),
    ];
    assert.is((await postEvents(stack.running.url, first)).status, 202);
    await settle(stack.running.url, stack.store);
    // Later: a run ann's offline queue kept (older than her latest), delivered twice, and one of
    // the first batch again.
    const late = run('ann', 2, 3, "name 'y' is not defined", 'late-ann-1');
    for (const batch of [[late], [late, first[1]], [run('bob', 3, 11)]]) {
      assert.is((await postEvents(stack.running.url, batch)).status, 202);
      await settle(stack.running.url, stack.store);
    }
  });

  const classScope = () => ({ classId });

  it('per-cell progress: the kept rows equal the runs summed, for the whole store and as the class shows it (cat from her enrolment on)', async () => {
    const db: Knex = stack.store;
    const options = { maxGapSeconds: MAX_GAP_SECONDS };
    assert.equal(sorted((await cellProgressSums(db, PATH, options)).map(progressKey)), sorted((await cellRunSums(db, PATH, options)).map(progressKey)));
    const scope = rowsOfNotebookIn(db, classScope(), PATH);
    const kept = (await cellProgressSums(db, PATH, { ...options, scope })).map(progressKey);
    assert.equal(sorted(kept), sorted((await cellRunSums(db, PATH, { ...options, scope })).map(progressKey)));
    const cat2 = kept.find((r) => r.user === 'cat' && r.cell === 'c2')!;
    assert.equal([cat2.runs, cat2.firstSuccess], [2, 2], "the class sees cat's runs from her enrolment on");
    const ann2 = kept.find((r) => r.user === 'ann' && r.cell === 'c2')!;
    assert.equal([ann2.runs, ann2.firstSuccess], [3, 3], 'the late run is counted once, in its place (attempt 1 of 3)');
    const ann1 = kept.find((r) => r.user === 'ann' && r.cell === 'c1')!;
    assert.is(ann1.runs, 3, 'a run delivered twice is counted once');
  });

  it('error clusters: the kept rows summed per cluster equal the errors grouped, with a window from before all of them and one starting in the middle of a day', async () => {
    const db: Knex = stack.store;
    for (const since of [new Date(T0 - 3_600_000), new Date(at(5.5)), new Date(at(24))]) {
      for (const scope of [undefined, studentRowsIn(db, classScope())]) {
        for (const notebookPath of [undefined, PATH]) {
          const options = { since, scope, notebookPath };
          await sameClusters(db, options, `since ${since.toISOString()}, ${scope ? 'class' : 'all'}, ${notebookPath ?? 'every notebook'}`);
        }
      }
    }
    // Summed per cluster in the database: one row each, its students listed once.
    const rows = await errorClusterSums(db, { since: new Date(T0 - 3_600_000), notebookPath: PATH });
    assert.is(rows.length, clustersOf(rows).clusters.length, 'one row per cluster');
    assert.equal(rows.find((r) => r.cell_key === 'c2')?.user_ids.sort(), ['ann', 'bob', 'cat']);
    const clusters = (await api('get', `/api/v1/dashboard/errors?class_id=${classId}&notebook_path=${encodeURIComponent(PATH)}&since=${encodeURIComponent(new Date(T0 - MIN).toISOString())}`)).body;
    const ann = clusters.find((c: { userIds: string[]; cellId: string }) => c.cellId === 'c2' && c.userIds.includes('ann'));
    assert.ok(ann, 'the late error is in a cluster');
  });

  it('the retention sweep takes the old runs and errors: the kept rows are computed again from those left', async () => {
    const db: Knex = stack.store;
    const old = (minutes: number, cell: number, error?: string) => ({ ...run('dan', cell, 0, error), eventTime: new Date(Date.now() - 40 * 86_400_000 + minutes * MIN).toISOString() });
    const events = [old(0, 1, "name 'a' is not defined"), old(1, 1), old(2, 2, "name 'b' is not defined"), run('dan', 2, 60, "name 'b' is not defined"), run('dan', 2, 61), run('dan', 1, 62, "name 'a' is not defined")];
    assert.is((await postEvents(stack.running.url, events)).status, 202);
    await settle(stack.running.url, stack.store);
    await sweepRetention(db, { now: new Date(), globalDays: 30 });
    const options = { maxGapSeconds: MAX_GAP_SECONDS };
    const kept = (await cellProgressSums(db, PATH, options)).map(progressKey);
    assert.equal(sorted(kept), sorted((await cellRunSums(db, PATH, options)).map(progressKey)));
    assert.equal(kept.filter((r) => r.user === 'dan').map((r) => r.runs).sort(), [1, 2], "only dan's recent runs are counted");
    const since = new Date(Date.now() - 50 * 86_400_000);
    await sameClusters(db, { since });
  });

  it("erasing a student removes her kept rows; the others' stay", async () => {
    const ids = async (user: string) => (await stack.store('students').where({ user_id: user }).first('id')).id;
    const [ann, bob] = [await ids('ann'), await ids('bob')];
    assert.ok((await countRows(stack.store, 'cell_progress', { student_id: ann })) > 0 && (await countRows(stack.store, 'error_groups', { student_id: ann })) > 0);
    const bobRows = [await countRows(stack.store, 'cell_progress', { student_id: bob }), await countRows(stack.store, 'error_groups', { student_id: bob })];
    assert.is((await api('delete', '/api/v1/students/by-user/ann/data', { confirm: 'ann' })).status, 200);
    assert.equal([await countRows(stack.store, 'cell_progress', { student_id: ann }), await countRows(stack.store, 'error_groups', { student_id: ann })], [0, 0]);
    assert.equal([await countRows(stack.store, 'cell_progress', { student_id: bob }), await countRows(stack.store, 'error_groups', { student_id: bob })], bobRows);
  });

  it.run();
}
