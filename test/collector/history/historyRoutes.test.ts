/**
 * The Notebook Version API (issue 21; seed 000's routes, for real) through the real collector on both
 * engines: a student's saves become versions an instructor of her class reads page by page, compares
 * cell by cell, labels and branches (a fix she sees in her own list); the replay has versions and
 * runs with their errors; stats show deduplication across students. Who may see what: another class's
 * instructor is refused, a version from before her enrolment is hidden, a student sees only hers.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HistoryPage, HistoryStats, NotebookComparison, ReplayTimeline } from '@cell-monitor/shared';
import { createInstructor } from '../../../collector/src/instructors/store.ts';
import { login, request } from '../../helpers/http.ts';
import { waitFor } from '../../helpers/services.ts';
import { buildCellEvent, companionHeaders, modesToTest, openStore, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../../helpers/stack.ts';

const SECRET = 'history-routes-test-jwt-secret-0123456789';
const KEY = 'history-routes-master-key-0123456789';
const NB = 'hw/week1.ipynb';
type Cell = { id?: string; type: string; source: string; outputs?: string };

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const snapshot = (userId: string, cells: Cell[], minutesAgo: number, trigger = 'save') =>
  buildCellEvent({ userId, notebookPath: NB, eventType: 'notebook_snapshot', eventTime: at(minutesAgo), cellId: undefined, cellType: undefined, code: undefined, output: undefined, executionCount: undefined, durationMs: undefined, success: undefined, metadata: { snapshot: { trigger, cells } } });
const run = (userId: string, cellId: string, ok: boolean, minutesAgo: number) =>
  buildCellEvent({ userId, notebookPath: NB, eventType: ok ? 'cell_execution_complete' : 'cell_execution_error', eventTime: at(minutesAgo), cellId, success: ok, code: 'df = load()', ...(ok ? {} : { error: { name: 'FileNotFoundError', message: "No such file: 'data.csv'", traceback: 'Traceback…' } }) });

const template: Cell[] = [
  { id: 't1', type: 'markdown', source: '# Week 1: loading data\nRead the CSV and describe it.' },
  { id: 't2', type: 'code', source: 'import pandas as pd\nimport numpy as np\nimport matplotlib.pyplot as plt' },
  { id: 't3', type: 'markdown', source: 'A long explanation of the exercise, '.repeat(40) },
];
const v1: Cell[] = [...template, { id: 'a', type: 'code', source: 'df = pd.read_csv("data.csv")' }];
const v2: Cell[] = [...template, { id: 'a', type: 'code', source: 'df = pd.read_csv("data.csv")' }, { id: 'b', type: 'code', source: 'df.head()' }];
const v3: Cell[] = [...template, { id: 'a', type: 'code', source: 'df = pd.read_csv("week1/data.csv")' }, { id: 'b', type: 'code', source: 'df.head()' }, { id: 'c', type: 'code', source: 'df.describe()' }];

for (const mode of modesToTest()) {
  const it = suite(`notebook version API [${mode === 'embedded' ? 'sqlite' : 'postgresql'}]`);
  let services: Services;
  let app: RunningCollector;
  let store: ReturnType<typeof openStore>;
  let sato: string;
  let other: string;
  let aliceId: number;
  let versions: number[] = [];
  const api = (method: string, path: string, token: string | undefined, body?: unknown) => request(app.url, method, path, { token, body });
  const send = async (userId: string, events: Array<Record<string, unknown>>) => assert.is((await postEvents(app.url, events, { headers: companionHeaders(KEY, userId) })).status, 202);
  const stored = (n: number, userId: string) =>
    waitFor(async () => Number((await store('history_versions as v').join('students as s', 's.id', 'v.student_id').where('s.user_id', userId).count({ n: '*' }))[0].n) >= n || undefined, 30_000, `${n} versions of ${userId}`);

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET, INGEST_KEY: KEY }));
    store = openStore(services.databaseUrl);
    await createInstructor(app.collector.db, { email: 'sato@example.org', name: 'Ms Sato', password: 'sato-password-1', role: 'instructor' });
    await createInstructor(app.collector.db, { email: 'ito@example.org', name: 'Mr Ito', password: 'ito-password-1', role: 'instructor' });
    sato = await login(app.url, 'sato@example.org', 'sato-password-1');
    other = await login(app.url, 'ito@example.org', 'ito-password-1');
    const classId = (await api('post', '/api/v1/classes', sato, { name: 'Data 101', class_code: 'D101' })).body.id;
    await api('post', '/api/v1/classes', other, { name: 'Other', class_code: 'OT1' });
    for (const user of ['alice', 'bob', 'carol']) assert.is((await api('post', `/api/v1/classes/${classId}/students`, sato, { user_id: user })).status, 201);
    // Enrolled an hour ago: a save from two hours ago is from before and stays hidden from the class.
    await store('class_enrollments').update({ enrolled_at: at(60) });
    await send('alice', [snapshot('alice', v1, 120)]);
    await send('alice', [snapshot('alice', v1, 30), run('alice', 'a', true, 29), snapshot('alice', v2, 20), run('alice', 'b', false, 15), snapshot('alice', v3, 10, 'submission')]);
    await send('bob', [snapshot('bob', v1, 25)]);
    await send('carol', [snapshot('carol', v1, 25)]);
    await stored(4, 'alice');
    await stored(1, 'carol');
    aliceId = Number((await store('students').where({ user_id: 'alice' }).first('id')).id);
  });
  it.after(async () => {
    await app.close();
    await store.destroy();
    await services.stop();
  });

  it('history: her versions newest first, paginated, the hand-in labelled; the save from before her enrolment is not shown', async () => {
    const page = (await api('get', `/api/v1/notebook-version/history?student_id=${aliceId}&notebook_path=${encodeURIComponent(NB)}&limit=2`, sato)).body as HistoryPage;
    assert.equal([page.total, page.items.length, page.skip, page.limit], [3, 2, 0, 2]);
    assert.equal(page.items.map((v) => v.trigger), ['submission', 'save']);
    assert.equal(page.items[0].commits.map((c) => [c.kind, c.message]), [['submission', 'handed in']]);
    assert.equal([page.items[0].cell_count, page.items[0].notebook_path, page.items[0].branch], [6, NB, null]);
    const rest = (await api('get', `/api/v1/notebook-version/history?student_id=${aliceId}&notebook_path=${encodeURIComponent(NB)}&skip=2`, sato)).body as HistoryPage;
    versions = [rest.items[0].id, page.items[1].id, page.items[0].id];
    const hidden = Number((await store('history_versions').where({ student_id: aliceId }).orderBy('saved_at').first('id')).id);
    assert.is((await api('get', `/api/v1/notebook-version/snapshot/${hidden}`, sato)).body.error, 'version_not_found');
    assert.equal((await api('get', `/api/v1/notebook-version/notebooks?student_id=${aliceId}`, sato)).body.map((n: { notebook_path: string; versions: number }) => [n.notebook_path, n.versions]), [[NB, 3]]);
  });

  it('snapshot/{id}: a version with its cells in order; compare 1 → 3 names exactly the changed cells, with the line diff', async () => {
    const detail = (await api('get', `/api/v1/notebook-version/snapshot/${versions[1]}`, sato)).body;
    assert.equal(detail.cells.map((c: { cell_id: string }) => c.cell_id), ['t1', 't2', 't3', 'a', 'b']);
    assert.is(detail.cells[4].source, 'df.head()');
    const diff = (await api('post', '/api/v1/notebook-version/compare', sato, { from_snapshot_id: versions[0], to_snapshot_id: versions[2] })).body as NotebookComparison;
    assert.equal(diff.changes.filter((c) => c.kind !== 'unchanged').map((c) => [c.kind, c.cell_id]), [['changed', 'a'], ['added', 'b'], ['added', 'c']]);
    assert.equal(diff.changes.find((c) => c.cell_id === 'a')!.lines, [{ op: 'remove', text: 'df = pd.read_csv("data.csv")' }, { op: 'add', text: 'df = pd.read_csv("week1/data.csv")' }]);
    assert.equal(diff.statistics, { added: 2, removed: 0, moved: 0, changed: 1, unchanged: 3, outputs_changed: 0 });
    const bad = await api('post', '/api/v1/notebook-version/compare', sato, { from_snapshot_id: versions[0] });
    assert.equal([bad.status, bad.body.error], [422, 'validation_failed']);
  });

  it('the replay timeline: versions and finished runs oldest first, the failed run with its error between versions 2 and 3', async () => {
    const timeline = (await api('get', `/api/v1/notebook-version/timeline?student_id=${aliceId}&notebook_path=${encodeURIComponent(NB)}`, sato)).body as ReplayTimeline;
    assert.equal(timeline.versions.map((v) => v.id), versions);
    assert.equal(timeline.runs.map((r) => [r.cell_id, r.success, r.error_name]), [['a', true, null], ['b', false, 'FileNotFoundError']]);
    const failed = Date.parse(timeline.runs[1].at);
    assert.ok(failed > Date.parse(timeline.versions[1].saved_at) && failed < Date.parse(timeline.versions[2].saved_at), 'between versions 2 and 3');
  });

  it('commit and branch: a label and an annotated fix on a branch, which the student sees in her own list; a taken name is 409', async () => {
    const commit = await api('post', '/api/v1/notebook-version/commit', sato, { snapshot_id: versions[1], message: 'after office hours' });
    assert.equal([commit.status, commit.body.kind, commit.body.made_by, commit.body.message], [201, 'instructor', 'Ms Sato', 'after office hours']);
    assert.is((await api('post', '/api/v1/notebook-version/commit', sato, { snapshot_id: versions[1], message: '  ' })).status, 422);
    const fix = [...v2.map((c) => ({ cell_id: c.id, cell_type: c.type, source: c.source })), { cell_id: 'fix', cell_type: 'markdown', source: 'The file is in week1/: use that path.' }];
    const branch = await api('post', '/api/v1/notebook-version/branch', sato, { from_snapshot_id: versions[1], name: 'fix-path', cells: fix, message: 'see the note' });
    assert.equal([branch.status, branch.body.name, branch.body.versions, branch.body.created_by, branch.body.from_version_id], [201, 'fix-path', 1, 'Ms Sato', versions[1]]);
    assert.equal([(await api('post', '/api/v1/notebook-version/branch', sato, { from_snapshot_id: versions[1], name: 'fix-path' })).body.error], ['branch_exists']);
    const listed = (await api('get', `/api/v1/notebook-version/branches?student_id=${aliceId}&notebook_path=${encodeURIComponent(NB)}`, sato)).body;
    assert.equal(listed.map((b: { name: string }) => b.name), ['fix-path']);
    const mine = (await request(app.url, 'get', `/api/v1/student/notebook-versions?notebook_path=${encodeURIComponent(NB)}`, { headers: companionHeaders(KEY, 'alice') })).body as HistoryPage;
    const fromSato = mine.items.find((v) => v.branch === 'fix-path')!;
    assert.equal([fromSato.trigger, fromSato.author, fromSato.commits.map((c) => c.message)], ['instructor', 'Ms Sato', ['see the note']]);
    assert.is(mine.items.find((v) => v.id === versions[1])!.commits[0].message, 'after office hours');
    assert.equal(mine.branches.map((b) => b.name), ['fix-path']);
    const detail = await request(app.url, 'get', `/api/v1/student/notebook-versions/${fromSato.id}`, { headers: companionHeaders(KEY, 'alice') });
    assert.is(detail.body.cells.at(-1).source, 'The file is in week1/: use that path.');
  });

  it('stats: three students saving the same template store its cells once (dedup ratio printed)', async () => {
    const stats = (await api('get', '/api/v1/notebook-version/stats', sato)).body as HistoryStats;
    // alice's 3 visible + the fix, bob's and carol's: 6 versions of 4–7 cells, the template in every one.
    assert.is(stats.total_snapshots, 6);
    assert.equal([stats.total_commits, stats.active_branches], [3, 1]);
    assert.ok(stats.dedup_ratio > 3, `the template is stored once: ratio ${stats.dedup_ratio}`);
    assert.ok(stats.stored_bytes < stats.referenced_bytes / 3);
    console.log(`# [${mode}] ${stats.total_snapshots} versions, ${stats.cells} cells, ${stats.blobs} blobs: ${stats.stored_bytes} bytes stored for ${stats.referenced_bytes} referenced — dedup ratio ${stats.dedup_ratio}`);
    const hers = (await api('get', `/api/v1/notebook-version/stats?student_id=${aliceId}`, sato)).body as HistoryStats;
    assert.is(hers.total_snapshots, 4);
  });

  it("who may see what: another class's instructor is refused, no token is 401, a student reads only her own versions", async () => {
    const refused = await api('get', `/api/v1/notebook-version/history?student_id=${aliceId}&notebook_path=${encodeURIComponent(NB)}`, other);
    assert.equal([refused.status, refused.body.error], [403, 'not_class_teacher']);
    assert.is((await api('get', `/api/v1/notebook-version/snapshot/${versions[0]}`, other)).body.error, 'not_class_teacher');
    assert.is((await api('post', '/api/v1/notebook-version/compare', other, { from_snapshot_id: versions[0], to_snapshot_id: versions[2] })).status, 403);
    assert.is((await api('post', '/api/v1/notebook-version/commit', other, { snapshot_id: versions[0], message: 'mine now' })).status, 403);
    assert.is((await api('get', '/api/v1/notebook-version/stats', other)).body.total_snapshots, 0);
    assert.is((await api('get', `/api/v1/notebook-version/snapshot/${versions[0]}`, undefined)).status, 401);
    const bobReads = await request(app.url, 'get', `/api/v1/student/notebook-versions/${versions[0]}`, { headers: companionHeaders(KEY, 'bob') });
    assert.equal([bobReads.status, bobReads.body.error], [404, 'version_not_found']);
    const noCredential = await request(app.url, 'get', `/api/v1/student/notebook-versions?notebook_path=${encodeURIComponent(NB)}`, { headers: { 'x-cell-monitor-user': 'alice' } });
    assert.is(noCredential.status, 401);
    assert.is((await api('get', '/api/v1/notebook-version/snapshot/not-a-number', sato)).body.error, 'version_not_found');
    assert.is((await api('get', `/api/v1/notebook-version/history?student_id=${aliceId}`, sato)).status, 422);
  });

  it.run();
}
