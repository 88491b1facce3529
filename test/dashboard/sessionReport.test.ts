/**
 * The after-class report in headless Debian Chromium against the real collector, in both modes
 * (issue 22). Two meetings of "Python 1" on lab3.ipynb go through the real ingest API with chosen
 * times: last week's (3 students) and today's, 3 h ago (4 of 5 students; one late, one absent; two
 * stuck on cell 3 with a NameError whose message carries `<b>`; two help requests, one resolved by
 * the instructor). The instructor adds today's meeting with the "by hand" form, opens its report and
 * reads the figures this file works out from the events it sent; switches to 日本語; prints it
 * (print media, then page.pdf on A4). An empty class says how a session comes to exist and takes a
 * timetable. Screenshots and the PDF go to test-artifacts/ — look at them.
 */
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { artifactPath } from '../helpers/jupyter.ts';
import { call, closeSuite, dashboardPageMissing, openPage, signIn, skipUnlessCi } from '../helpers/browser.ts';
import { modesToTest, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';

const SECRET = 'session-report-page-jwt-secret-0123456789-ab';
const MIN = 60_000;
const missing = skipUnlessCi(dashboardPageMissing(), 'the session report browser test');
const NOTEBOOK = 'course/lab3.ipynb';
const EXTRA = 'course/extra.ipynb';
const MARKUP_MESSAGE = "name '<b>total</b>' is not defined";
let seq = 0;

/** The meeting of today starts 3 h ago, on a whole minute (the form's inputs have minutes). */
const T0 = Math.floor((Date.now() - 3 * 60 * MIN) / MIN) * MIN;
const LAST_WEEK = T0 - 7 * 24 * 60 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();
/** A `datetime-local` value in Asia/Tokyo (UTC+9, no summer time): the browser's zone below. */
const tokyoInput = (ms: number) => new Date(ms + 9 * 60 * MIN).toISOString().slice(0, 16);

function event(userId: string, type: string, at: number, fields: Record<string, unknown> = {}) {
  return { eventId: `report-${process.pid}-${++seq}`, eventType: type, eventTime: iso(at), userId, sessionId: `s-${userId}-${at}`, notebookPath: NOTEBOOK, ...fields };
}
/** A run of cell `c<index+1>` at minute `minute` of the meeting starting at `base`; an error when `error` is given. */
function run(userId: string, base: number, minute: number, index: number, error?: [string, string]) {
  return event(userId, error ? 'cell_execution_error' : 'cell_execution_complete', base + minute * MIN, {
    cellId: `c${index + 1}`, cellIndex: index, success: !error, durationMs: 40, code: `step_${index + 1}()`,
    ...(error ? { error: { name: error[0], message: error[1], traceback: `Traceback (most recent call last):\n${error[0]}: ${error[1]}` } } : {}),
  });
}
const NAME_ERROR: [string, string] = ['NameError', MARKUP_MESSAGE];
const TYPE_ERROR: [string, string] = ['TypeError', "unsupported operand type(s) for +: 'int' and 'str'"];

/** Last week: Ada finishes; Chiyo fails cell 3 once; Dan does cells 1–2. */
const lastWeek = [
  event('ada', 'session_start', LAST_WEEK + 1 * MIN), run('ada', LAST_WEEK, 3, 0), run('ada', LAST_WEEK, 6, 1), run('ada', LAST_WEEK, 12, 2), run('ada', LAST_WEEK, 20, 3),
  event('chiyo', 'session_start', LAST_WEEK + 2 * MIN), run('chiyo', LAST_WEEK, 4, 0), run('chiyo', LAST_WEEK, 8, 1), run('chiyo', LAST_WEEK, 15, 2, NAME_ERROR),
  event('dan', 'session_start', LAST_WEEK + 3 * MIN), run('dan', LAST_WEEK, 5, 0), run('dan', LAST_WEEK, 9, 1),
];
/**
 * Today: Ada finishes (4 runs); Chiyo is stuck on cell 3 (3 NameErrors), asks for help at 28,
 * is helped at 34, succeeds, then fails cell 4 (7 runs); Fumi is stuck on cell 3 and asks at 50,
 * never helped (5 runs); Dan arrives at 40 (2 runs); Eve never shows. Ada runs one cell of another
 * notebook at 60 (5 runs in all).
 */
const today = [
  event('ada', 'session_start', T0 + 1 * MIN), run('ada', T0, 3, 0), run('ada', T0, 8, 1), run('ada', T0, 20, 2), run('ada', T0, 35, 3),
  event('chiyo', 'session_start', T0 + 2 * MIN), run('chiyo', T0, 4, 0), run('chiyo', T0, 10, 1),
  run('chiyo', T0, 22, 2, NAME_ERROR), run('chiyo', T0, 24, 2, NAME_ERROR), run('chiyo', T0, 26, 2, NAME_ERROR),
  event('chiyo', 'help_request', T0 + 28 * MIN, { cellId: 'c3', cellIndex: 2 }), run('chiyo', T0, 36, 2), run('chiyo', T0, 45, 3, TYPE_ERROR),
  event('fumi', 'session_start', T0 + 2 * MIN), run('fumi', T0, 5, 0), run('fumi', T0, 12, 1),
  run('fumi', T0, 30, 2, NAME_ERROR), run('fumi', T0, 33, 2, NAME_ERROR), run('fumi', T0, 38, 2, NAME_ERROR),
  event('fumi', 'help_request', T0 + 50 * MIN, { cellId: 'c3', cellIndex: 2 }),
  event('dan', 'session_start', T0 + 40 * MIN), run('dan', T0, 42, 0), run('dan', T0, 55, 1),
  // Ada also tries the extra notebook once: the report's notebook picker offers it.
  { ...run('ada', T0, 60, 0), notebookPath: EXTRA, cellId: 'x1' },
];
const runsToday = today.filter((e) => e.eventType.startsWith('cell_execution')).length;
const errorsToday = today.filter((e) => e.eventType === 'cell_execution_error').length;

for (const mode of missing ? [] : modesToTest()) {
  const it = suite(`session report in Chromium [${mode}]`);
  const tag = mode === 'embedded' ? 'embedded' : 'pg';
  let services: Services;
  let app: RunningCollector;
  let browser: Browser;
  let page: Page;
  let token: string;
  const urls: string[] = [];

  it.before(async () => {
    services = await startServices(mode);
    app = await startCollector(services.env({ JWT_SECRET: SECRET }));
    await createInstructor(app.collector.db, { email: 'sato@example.org', name: 'Ms Sato', password: 'sato-password-1', role: 'instructor' });
    token = (await call(app.url, 'POST', '/api/v1/auth/login', undefined, { email: 'sato@example.org', password: 'sato-password-1' })).token;
    const classId = (await call(app.url, 'POST', '/api/v1/classes', token, { name: 'Python 1', class_code: 'PY1' })).id;
    await call(app.url, 'POST', '/api/v1/classes', token, { name: 'Python 2 (empty)', class_code: 'PY2' });
    const names: Record<string, string> = { ada: 'Ada Lovelace', chiyo: '佐藤 千代', dan: 'Dan Kim', eve: 'Eve Novak', fumi: 'Fumi Ito' };
    for (const [user_id, name] of Object.entries(names)) await call(app.url, 'POST', `/api/v1/classes/${classId}/students`, token, { user_id, name });
    // Enrolled a month ago: both meetings count them (a class shows work from enrolment on).
    await app.collector.db('class_enrollments').where({ class_id: classId }).update({ enrolled_at: iso(T0 - 30 * 24 * 60 * MIN) });
    assert.is((await postEvents(app.url, [...lastWeek, ...today])).status, 202);
    // Last week's meeting, added by hand through the API (today's is added with the page's form).
    await call(app.url, 'POST', `/api/v1/classes/${classId}/sessions`, token, { start: iso(LAST_WEEK), end: iso(LAST_WEEK + 90 * MIN), title: 'Lab 3, first try' });
    // The instructor resolves Chiyo's request through the real route; it resolves "now", so its
    // time is moved back into the meeting: 34 min, 6 min after she asked.
    let chiyo: { id: number } | undefined;
    for (let i = 0; i < 50 && !chiyo; i++) {
      const board = await call(app.url, 'GET', `/api/v1/dashboard/board?class_id=${classId}`, token);
      chiyo = board.helpQueue.find((h: { userId: string }) => h.userId === 'chiyo');
      if (!chiyo) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(chiyo, "Chiyo's help request is in the queue");
    await call(app.url, 'POST', `/api/v1/help_requests/${chiyo!.id}/resolve`, token);
    await app.collector.db('help_requests').where({ id: chiyo!.id }).update({ resolved_at: iso(T0 + 34 * MIN), claimed_at: iso(T0 + 34 * MIN) });
    ({ browser, page } = await openPage({ viewport: { width: 1366, height: 900 }, locale: 'en-US', timezoneId: 'Asia/Tokyo', acceptDownloads: true }));
    page.on('request', (r) => urls.push(r.url()));
  });
  it.after(() => closeSuite({ browser, app, services }));

  it('an empty class says how a session comes to exist, and takes a timetable', async () => {
    await signIn(page, app.url, 'sato@example.org', 'sato-password-1');
    await page.locator('.class-picker select').waitFor({ timeout: 15_000 });
    await page.locator('.class-picker select').selectOption({ label: 'Python 2 (empty)' });
    await page.locator('[role=tab]', { hasText: 'Sessions & reports' }).click();
    await page.locator('.sessions-empty').waitFor({ timeout: 10_000 });
    assert.match(await page.locator('.sessions-empty').innerText(), /No sessions yet[\s\S]*timetable[\s\S]*by hand/);
    assert.match(await page.locator('.schedule').innerText(), /No timetable yet/);
    await page.screenshot({ path: artifactPath(`session-report-empty-${tag}.png`) });
    await page.locator('.schedule button', { hasText: 'Edit the timetable' }).click();
    await page.locator('.schedule input[type=text]').fill('Asia/Tokyo');
    await page.locator('.schedule [data-slot="0"] input[type=time]').fill('09:00');
    await page.locator('.schedule [data-slot="0"] input[type=number]').fill('0');
    assert.match(await page.locator('.schedule .problems').innerText(), /Slot 1: the length is 1 to 600 minutes/);
    assert.ok(await page.locator('.schedule button[type=submit]').isDisabled(), 'a slot of 0 minutes cannot be saved');
    await page.locator('.schedule [data-slot="0"] input[type=number]').fill('90');
    await page.locator('.schedule button[type=submit]').click();
    await page.locator('.schedule-line', { hasText: 'Monday 09:00–10:30 (Asia/Tokyo)' }).waitFor({ timeout: 10_000 });
  });

  it("today's meeting added by hand is listed with its headline; its report shows the figures of the events sent", async () => {
    await page.locator('.class-picker select').selectOption({ label: 'Python 1' });
    await page.locator('.manual-session').waitFor({ timeout: 10_000 });
    await page.locator('.manual-session input[name=start]').fill(tokyoInput(T0));
    await page.locator('.manual-session input[name=end]').fill(tokyoInput(T0 + 90 * MIN));
    await page.locator('.manual-session input[name=title]').fill('Lab 3 — loops');
    await page.locator('.manual-session button[type=submit]').click();
    const row = page.locator('.sessions-table tr', { hasText: 'Lab 3 — loops' });
    await row.waitFor({ timeout: 10_000 });
    assert.match(await row.innerText(), /by hand[\s\S]*lab3\.ipynb[\s\S]*4 \/ 5/);
    assert.match(await page.locator('.sessions-table').innerText(), /Lab 3, first try/);
    await page.screenshot({ path: artifactPath(`session-report-list-${tag}.png`), fullPage: true });

    await row.locator('button', { hasText: 'Open the report' }).click();
    await page.locator('.report .report-headline').waitFor({ timeout: 15_000 });
    const figure = (id: string) => page.locator(`[data-figure="${id}"] dd`).innerText();
    assert.is(await figure('active'), '4 of 5');
    assert.is(await figure('runs'), String(runsToday));
    assert.is(await figure('errors'), String(errorsToday));
    assert.is(await figure('help'), '2');
    assert.is(await figure('wait'), '6 min 00', "Chiyo's: requested at 28, resolved at 34");
    assert.match(await page.locator('.report-head').innerText(), /Python 1[\s\S]*lab3\.ipynb/);

    const onTime = await page.locator('[data-attendance="on_time"]').innerText();
    for (const name of ['Ada Lovelace', '佐藤 千代', 'Fumi Ito']) assert.ok(onTime.includes(name), `${name} on time`);
    assert.match(await page.locator('[data-attendance="late"]').innerText(), /Late \(1\)[\s\S]*Dan Kim/);
    assert.match(await page.locator('[data-attendance="absent"]').innerText(), /Absent \(1\)[\s\S]*Eve Novak/);
  });

  it('per cell in notebook order: shares of the 4 active students, cell 3 marked as where they got stuck', async () => {
    const cells = page.locator('table.per-cell tbody tr');
    assert.equal(await cells.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-cell'))), ['c1', 'c2', 'c3', 'c4']);
    const cellRow = (id: string) => page.locator(`table.per-cell tr[data-cell="${id}"] td`).allInnerTexts();
    const [, ran1, ok1] = await cellRow('c1');
    assert.match(ran1, /^100% \(4\)/);
    assert.match(ok1, /^100% \(4\)/);
    const [label3, ran3, ok3, , , stuck3] = await cellRow('c3');
    assert.match(label3, /3\s*⚠/);
    assert.match(ran3, /^75% \(3\)/);
    assert.match(ok3, /^50% \(2\)/);
    assert.is(stuck3, '2', 'Chiyo and Fumi: three errors in a row');
    const [, ran4, ok4] = await cellRow('c4');
    assert.match(ran4, /^50% \(2\)/);
    assert.match(ok4, /^25% \(1\)/);
    assert.is(await page.locator('table.per-cell tr.stuck-cell').count(), 1);
    assert.is(await page.locator('table.per-cell tr.stuck-cell').getAttribute('data-cell'), 'c3');
    assert.match(await page.locator('.stuck-summary').innerText(), /cell 3/);
    assert.is(await page.locator('.report-chart canvas').count(), 1, 'the chart is drawn (uPlot)');
  });

  it("error clusters with their example as text (its <b> shown, not bold); help waits; who did not reach the end", async () => {
    const cluster = page.locator('.report-cluster', { hasText: 'NameError' });
    assert.match(await cluster.innerText(), /2 students/);
    assert.ok((await cluster.locator('pre').innerText()).includes(MARKUP_MESSAGE), 'the example message, markup as text');
    assert.is(await page.locator('.report-clusters b').count(), 0, 'no <b> element from student text');
    assert.match(await page.locator('.report-cluster', { hasText: 'TypeError' }).innerText(), /1 student/);

    const waits = await page.locator('table.longest-waits tbody tr').allInnerTexts();
    assert.is(waits.length, 2);
    assert.match(waits[0], /Fumi Ito[\s\S]*3[\s\S]*40 min 00[\s\S]*not resolved/, 'asked at 50, the meeting ended at 90');
    assert.match(waits[1], /佐藤 千代[\s\S]*6 min 00[\s\S]*Ms Sato/);
    assert.match(await page.locator('.resolvers').innerText(), /Ms Sato \(1\)/);

    assert.match(await page.locator('.unfinished-section h2').innerText(), /\(3\)/);
    const stopped = (user: string) => page.locator(`[data-unfinished="${user}"]`).innerText();
    assert.match(await stopped('chiyo'), /佐藤 千代\s+3\s+4\s*✗ failed/);
    assert.match(await stopped('fumi'), /Fumi Ito\s+2\s+3\s*✗ failed/);
    assert.match(await stopped('dan'), /Dan Kim\s+2\s+2\s*✓ succeeded/);
    assert.is(await page.locator('[data-unfinished="ada"]').count(), 0);
  });

  it("compared with last week's meeting on the notebook: per cell and the headline", async () => {
    assert.match(await page.locator('.comparison-section h2').innerText(), /Compared with the previous session/);
    const cellChange = (id: string) => page.locator(`table.cell-changes tr[data-cell="${id}"] td`).allInnerTexts();
    assert.equal(await cellChange('c1'), ['1', '100%', '100%', '±0 pt']);
    assert.equal(await cellChange('c3'), ['3', '33%', '50%', '+17 pt']);
    assert.equal(await page.locator('tr[data-change="active"] td').allInnerTexts(), ['Active students', '3', '4', '+1']);
    assert.equal(await page.locator('tr[data-change="errors"] td').allInnerTexts(), ['Errors', '1', String(errorsToday), `+${errorsToday - 1}`]);
    await page.screenshot({ path: artifactPath(`session-report-en-${tag}.png`), fullPage: true });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.locator('.header input[type=checkbox]').check();
    await page.screenshot({ path: artifactPath(`session-report-projector-${tag}.png`) });
    await page.locator('.header input[type=checkbox]').uncheck();
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  it("the notebook picker shows the same meeting's other notebook: its cells, no earlier session to compare", async () => {
    await page.locator('.report-toolbar select').selectOption({ label: 'extra.ipynb (1)' });
    await page.locator(`.report[data-notebook="${EXTRA}"]`).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('table.per-cell tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-cell'))), ['x1']);
    assert.match((await page.locator('table.per-cell tr[data-cell="x1"] td').allInnerTexts())[1], /^25% \(1\)/, '1 of the 4 active students');
    assert.match(await page.locator('.comparison-section').innerText(), /No earlier session on this notebook/);
    await page.locator('.report-toolbar select').selectOption({ label: 'lab3.ipynb (4)' });
    await page.locator(`.report[data-notebook="${NOTEBOOK}"]`).waitFor({ timeout: 10_000 });
  });

  it('a table downloads as CSV with the token in a header, never in a URL', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-csv="cells"]').click()]);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    assert.match(text, /c3/);
    assert.ok(text.split('\n').length >= 5, 'a header and the four cells');
    const sent = await page.evaluate(() => sessionStorage.getItem('cell-monitor:dashboard-token'));
    assert.ok(sent);
    assert.equal(urls.filter((u) => u.includes(sent!)), []);
  });

  it('日本語: the same report in Japanese words', async () => {
    await page.locator('.lang button', { hasText: '日本語' }).first().click();
    await page.locator('.report h1', { hasText: '授業レポート' }).waitFor({ timeout: 5_000 });
    assert.match(await page.locator('[data-attendance="absent"]').innerText(), /欠席 \(1\)[\s\S]*Eve Novak/);
    assert.is(await page.locator('[data-figure="active"] dd').innerText(), '5 人中 4 人');
    assert.match(await page.locator('.report-when').innerText(), /^\d{4}年\d{1,2}月\d{1,2}日\(.\) \d\d:\d\d–\d\d:\d\d$/);
    await page.screenshot({ path: artifactPath(`session-report-ja-${tag}.png`), fullPage: true });
  });

  it('printed: the report alone, black on white, the chart redrawn at paper width; A4 and Letter PDFs', async () => {
    await page.emulateMedia({ media: 'print' });
    await page.locator('.chart-box.printing canvas').waitFor({ timeout: 5_000 });
    assert.is(await page.locator('.header').isVisible(), false, 'no header');
    assert.is(await page.locator('.tabs').isVisible(), false, 'no tabs');
    assert.is(await page.locator('.report-toolbar').isVisible(), false, 'no toolbar');
    assert.is(await page.locator('.chart-box canvas').evaluate((c) => (c as HTMLCanvasElement).width), 1360, 'drawn at twice the paper column (680 px)');
    // As laid out on A4: the column is 210 mm less two 12 mm margins, 703 px at 96 px per inch.
    await page.setViewportSize({ width: 703, height: 1000 });
    await page.screenshot({ path: artifactPath(`session-report-print-${tag}.png`), fullPage: true });
    const suffix = tag === 'embedded' ? '' : `-${tag}`;
    const pagesOf = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
    const ja = await page.pdf({ path: artifactPath(`session-report-ja${suffix}.pdf`), format: 'A4' });
    // The switch is in the header, which is not printed: pressed as the page would be, by its click.
    await page.locator('.lang button', { hasText: 'EN' }).first().dispatchEvent('click');
    await page.locator('.report h1', { hasText: 'After-class report' }).waitFor({ timeout: 5_000 });
    const en = await page.pdf({ path: artifactPath(`session-report${suffix}.pdf`), format: 'A4' });
    const letter = await page.pdf({ path: artifactPath(`session-report-letter${suffix}.pdf`), format: 'Letter' });
    console.log(`# [${mode}] printed report: ${pagesOf(en)} A4 pages in English, ${pagesOf(ja)} in Japanese, ${pagesOf(letter)} Letter pages`);
    for (const pages of [pagesOf(en), pagesOf(ja), pagesOf(letter)]) assert.ok(pages >= 2 && pages <= 3, `a five-student report on two or three sheets (no blank pages, no chrome): ${pages}`);
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.emulateMedia({ media: 'screen' });
  });

  it('a meeting added by hand can be deleted from the list', async () => {
    await page.locator('.report-toolbar button', { hasText: 'Back to the sessions' }).click();
    const lastWeek = page.locator('.sessions-table tr', { hasText: 'Lab 3, first try' });
    await lastWeek.locator('button', { hasText: 'Delete' }).click();
    await page.locator('.sessions .notice', { hasText: 'Session deleted.' }).waitFor({ timeout: 10_000 });
    assert.is(await lastWeek.count(), 0);
    assert.is(await page.locator('.sessions-table tr', { hasText: 'Lab 3 — loops' }).count(), 1, "today's is still there");
  });

  it.run();
}
