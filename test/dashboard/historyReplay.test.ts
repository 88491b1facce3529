/**
 * The replay of a student's notebook in headless Debian Chromium against the real collector, in both
 * modes (issue 21): three saved versions of lab1.ipynb with runs between them — three NameErrors on
 * one cell between versions 2 and 3, so the student is stuck. The stuck card opens her history at
 * the newest error; the keyboard moves the slider to version 2 (its cells shown, markup as text);
 * "next error" lands on the first error run (its cell highlighted, the error beside it); version 3
 * compared with version 1 shows the changed and added cells; an error cluster's student opens at
 * the cluster's example. Screenshots at laptop and projector size go to test-artifacts/.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { artifactPath } from '../helpers/jupyter.ts';
import { call, closeSuite, dashboardPageMissing, openPage, signIn, skipUnlessCi } from '../helpers/browser.ts';
import { modesToTest, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';
import { classEvent } from '../helpers/simulatedClass.ts';

const SECRET = 'history-replay-page-jwt-secret-0123456789-abc';
const MIN = 60_000;
const missing = skipUnlessCi(dashboardPageMissing(), 'the history replay browser test');
type Cell = { id: string; type: 'code' | 'markdown'; source: string; outputs?: string };

const snapshot = (user: string, agoMs: number, cells: Cell[]) => classEvent(user, 'notebook_snapshot', agoMs, { metadata: { snapshot: { trigger: 'save', cells } } });
function run(user: string, cellId: string, cellIndex: number, agoMs: number, code: string, error?: [string, string]) {
  return classEvent(user, error ? 'cell_execution_error' : 'cell_execution_complete', agoMs, {
    cellId, cellIndex, code, durationMs: 30, success: !error,
    ...(error ? { error: { name: error[0], message: error[1], traceback: `Traceback (most recent call last):\n  Cell In[4], line 1\n${error[0]}: ${error[1]}` } } : {}),
  });
}

const title: Cell = { id: 'm1', type: 'markdown', source: '# Lab 1 — sums\nAdd the numbers, then print the total.' };
const notes: Cell = { id: 'm2', type: 'markdown', source: 'My notes: <img src=x onerror=alert(1)> works?' };
const total: Cell = { id: 'c3', type: 'code', source: 'total = x + y + z\nprint(total)' };
const V1: Cell[] = [title, { id: 'c1', type: 'code', source: 'x = 1' }, { id: 'c2', type: 'code', source: 'print(x)', outputs: JSON.stringify([{ output_type: 'stream', name: 'stdout', text: '1\n' }]) }];
const V2: Cell[] = [title, { id: 'c1', type: 'code', source: 'x = 1\ny = x + 1' }, { id: 'c2', type: 'code', source: 'print(x + y)', outputs: JSON.stringify([{ output_type: 'stream', name: 'stdout', text: '3\n' }]) }, total, notes];
const V3: Cell[] = [title, { id: 'c1', type: 'code', source: 'x = 1\ny = x + 1\nz = 3' }, V2[2], total, notes];
const NAME_ERROR: [string, string] = ['NameError', "name 'z' is not defined"];

for (const mode of missing ? [] : modesToTest()) {
  const it = suite(`history replay in Chromium [${mode}]`);
  const tag = mode === 'embedded' ? 'embedded' : 'pg';
  let services: Services;
  let app: RunningCollector;
  let browser: Browser;
  let page: Page;
  let errorTimes: number[] = [];

  /** The moment the replay shows: its time, what happened, which version. */
  const now = async () => ({
    at: Date.parse((await page.locator('.replay-time').getAttribute('datetime')) ?? ''),
    what: await page.locator('.replay-what').innerText(),
    version: await page.locator('.replay-version').innerText(),
  });

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET }));
    await createInstructor(app.collector.db, { email: 'sato@example.org', name: 'Ms Sato', password: 'sato-password-1', role: 'instructor' });
    const token = (await call(app.url, 'POST', '/api/v1/auth/login', undefined, { email: 'sato@example.org', password: 'sato-password-1' })).token;
    const classId = (await call(app.url, 'POST', '/api/v1/classes', token, { name: 'Python 1', class_code: 'PY1' })).id;
    await call(app.url, 'POST', `/api/v1/classes/${classId}/students`, token, { user_id: 'ada', name: 'Ada Lovelace' });
    await app.collector.db('class_enrollments').where({ class_id: classId }).update({ enrolled_at: new Date(Date.now() - 24 * 3_600_000).toISOString() });
    const errors = [6, 5, 4].map((m) => run('ada', 'c3', 3, m * MIN, total.source, NAME_ERROR));
    errorTimes = errors.map((e) => Date.parse(e.eventTime));
    const events = [
      classEvent('ada', 'session_start', 11 * MIN),
      snapshot('ada', 10 * MIN, V1),
      run('ada', 'c1', 1, 9.5 * MIN, 'x = 1'),
      run('ada', 'c2', 2, 9 * MIN, 'print(x)'),
      snapshot('ada', 7 * MIN, V2),
      run('ada', 'c1', 1, 6.5 * MIN, 'x = 1\ny = x + 1'),
      ...errors,
      snapshot('ada', 2 * MIN, V3),
    ];
    assert.is((await postEvents(app.url, events)).status, 202);
    ({ browser, page } = await openPage({ viewport: { width: 1366, height: 768 }, locale: 'en-US' }));
  });
  it.after(() => closeSuite({ browser, app, services }));

  it("the stuck card opens the student's history at the error that made her stuck: the cell highlighted, the error beside it", async () => {
    await signIn(page, app.url, 'sato@example.org', 'sato-password-1');
    await page.locator('[data-card="ada"][data-status="stuck"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-card="ada"] .card-button').click();
    await page.locator('.replay .replay-time').waitFor({ timeout: 10_000 });
    await page.locator('.nb-cell.ran').waitFor({ timeout: 10_000 });
    const moment = await now();
    assert.ok(Math.abs(moment.at - errorTimes[2]) < 1_000, 'the newest NameError on the stuck cell');
    assert.match(moment.what, /ran cell 4 — failed: NameError/);
    assert.match(moment.version, /version 2 of 3/);
    const ran = page.locator('.nb-cell.ran.ran-ko');
    assert.is(await ran.getAttribute('data-cell-id'), 'c3');
    assert.match(await ran.locator('.run-aside').innerText(), /NameError[\s\S]*name 'z' is not defined/);
    assert.is(await page.locator('.nb-cell.ran').count(), 1);
  });

  it('the keyboard moves the slider to version 2: its cells are shown, a cell with markup stays text', async () => {
    const slider = page.locator('.replay-track input[type=range]');
    await slider.focus();
    await page.keyboard.press('Home');
    assert.match((await now()).version, /version 1 of 3/);
    assert.is(await page.locator('.nb-cell').count(), 3);
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    const moment = await now();
    assert.match(moment.what, /^saved$/);
    assert.match(moment.version, /version 2 of 3/);
    await page.waitForFunction(() => document.querySelectorAll('.nb-cell').length === 5);
    const sources = await page.locator('.nb-source').allInnerTexts();
    assert.equal(sources, V2.map((c) => c.source));
    assert.match(await page.locator('[data-cell-id="c2"] .nb-output').innerText(), /^3\s*$/);
    assert.is(await page.locator('.history img').count(), 0, 'markup in a cell is not HTML');
    assert.match(await page.locator('[data-cell-id="m2"]').innerText(), /<img src=x onerror=alert\(1\)>/);
    assert.is(await page.locator('.nb-cell.ran').count(), 0, 'a save: no cell ran');
    await page.screenshot({ path: artifactPath(`history-version2-laptop-${tag}.png`) });
  });

  it('next error lands on the error run between versions 2 and 3: its cell highlighted and its error shown; previous change goes back to version 2', async () => {
    await page.locator('.replay-buttons button', { hasText: 'Next error' }).click();
    const moment = await now();
    assert.ok(Math.abs(moment.at - errorTimes[0]) < 1_000, 'the first of the three errors');
    assert.match(moment.version, /version 2 of 3/);
    assert.is(await page.locator('.nb-cell.ran.ran-ko').getAttribute('data-cell-id'), 'c3');
    assert.match(await page.locator('.run-aside').innerText(), /failed[\s\S]*NameError[\s\S]*name 'z' is not defined/);
    await page.screenshot({ path: artifactPath(`history-error-run-laptop-${tag}.png`) });
    await page.locator('.replay-buttons button', { hasText: 'Previous change' }).click();
    assert.match((await now()).what, /^saved$/);
    await page.locator('.replay-buttons button', { hasText: 'Next error' }).click();
  });

  it('version 3 compared with version 1 shows the changed cells with their lines, and the added ones', async () => {
    await page.locator('.replay-track input[type=range]').focus();
    await page.keyboard.press('End');
    assert.match((await now()).version, /version 3 of 3/);
    await page.locator('.compare-bar select').selectOption({ index: 1 });
    await page.locator('.comparison').waitFor({ timeout: 5_000 });
    assert.match(await page.locator('.comparison h4').innerText(), /From version 1 to version 3/);
    assert.is(await page.locator('[data-change="changed"]').count(), 2);
    assert.is(await page.locator('[data-change="added"]').count(), 2);
    assert.match(await page.locator('[data-change="changed"][data-cell-id="c1"]').innerText(), /\+\s*z = 3/);
    assert.match(await page.locator('[data-change="changed"][data-cell-id="c2"]').innerText(), /−\s*print\(x\)[\s\S]*\+\s*print\(x \+ y\)/);
    assert.is(await page.locator('.comparison img').count(), 0);
    await page.screenshot({ path: artifactPath(`history-compare-laptop-${tag}.png`) });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.locator('.header input[type=checkbox]').check();
    await page.screenshot({ path: artifactPath(`history-compare-projector-${tag}.png`) });
    await page.locator('.compare-bar button', { hasText: 'Back to the notebook' }).click();
    await page.locator('.replay-buttons button', { hasText: 'Previous error' }).click();
    await page.locator('.nb-cell.ran').waitFor();
    await page.screenshot({ path: artifactPath(`history-error-run-projector-${tag}.png`) });
    await page.locator('.header input[type=checkbox]').uncheck();
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  it("an error cluster's student opens her history at the cluster's example", async () => {
    await page.locator('button', { hasText: 'Back to the board' }).click();
    await page.locator('[role=tab]', { hasText: 'Error clusters' }).click();
    const cluster = page.locator('.cluster', { hasText: 'NameError' }).first();
    await cluster.waitFor({ timeout: 10_000 });
    await cluster.locator('summary').click();
    await page.screenshot({ path: artifactPath(`history-cluster-jump-${tag}.png`) });
    await cluster.locator('[data-replay="ada"]', { hasText: 'Ada Lovelace' }).click();
    await page.locator('.nb-cell.ran').waitFor({ timeout: 10_000 });
    const moment = await now();
    assert.ok(Math.abs(moment.at - errorTimes[2]) < 1_000, "the example's moment");
    assert.is(await page.locator('.nb-cell.ran').getAttribute('data-cell-id'), 'c3');
  });

  it('日本語: the same replay in Japanese words', async () => {
    await page.locator('.lang button', { hasText: '日本語' }).first().click();
    await page.locator('.history h3', { hasText: '履歴' }).waitFor({ timeout: 5_000 });
    assert.match((await now()).version, /第 2 版 \/ 全 3 版/);
    await page.screenshot({ path: artifactPath(`history-error-run-ja-${tag}.png`) });
    await page.locator('.lang button', { hasText: 'EN' }).first().click();
  });

  it.run();
}
