/**
 * The class as it really runs, in headless Debian Chromium against the real collector (embedded; the
 * roster API is tested on both engines in test/collector/lms/roster.test.ts): a 40-line roster with 3
 * bad lines is previewed in the page (nothing written until confirmed), imported, and the board
 * shows the roster's names grouped by team with each team's status. Screenshots in test-artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { DASHBOARD_DIST } from '../../collector/src/dashboard/pageRoutes.ts';
import { artifactPath, CHROMIUM } from '../helpers/jupyter.ts';
import { login, request } from '../helpers/http.ts';
import { tempDir, waitFor } from '../helpers/services.ts';
import { postEvents, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';
import { cellRun, classEvent } from '../helpers/simulatedClass.ts';

const SECRET = 'classroom-page-jwt-secret-0123456789-abcdef';
const TEAMS = ['チームA', 'チームB', 'チームC', 'チームD', 'チームE', 'チームF', 'チームG', 'チームH'];
const FAMILY = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤'];
const GIVEN = ['花子', '太郎', '陽菜', '蓮', '結衣', '湊', '葵', '大翔', '凛', '悠真'];
const pad = (i: number) => String(i).padStart(2, '0');
const missing = !fs.existsSync(CHROMIUM) ? `${CHROMIUM} not found (apt-get install chromium)` : !fs.existsSync(path.join(DASHBOARD_DIST, 'index.html')) ? 'the dashboard is not built (npm run build:dashboard)' : undefined;
if (missing && process.env.CI === 'true') throw new Error(`CI=true and the classroom browser test cannot run: ${missing}`);
if (missing) console.log(`# skipped: ${missing} (never skipped when CI=true)`);

const nameOf = (i: number) => `${FAMILY[i % 10]} ${GIVEN[(i * 3 + Math.floor(i / 10)) % 10]}`;

/** 40 lines: 37 good (st01…st37, in 8 teams), then a line without a user name, a bad email and a repeated user. */
function rosterFile(dir: string): string {
  const lines = ['ユーザー名,氏名,メール,チーム,学籍番号'];
  for (let i = 1; i <= 37; i++) lines.push(`st${pad(i)},${nameOf(i)},st${pad(i)}@uni.example,${TEAMS[(i - 1) % 8]},B26-${pad(i)}`);
  lines.push(',名無し,nobody@uni.example,チームA,B26-98', 'st99,Bad Mail,not-an-email,チームB,B26-99', 'st05,Again,again@uni.example,チームC,B26-05');
  const file = path.join(dir, 'roster.csv');
  fs.writeFileSync(file, '\uFEFF' + lines.join('\r\n') + '\r\n');
  return file;
}

const it = suite('classroom page in Chromium: roster and teams');
let services: Services;
let app: RunningCollector;
let browser: Browser;
let page: Page;
let token: string;
let classId: number;

if (!missing) {
  it.before(async () => {
    services = await startServices('embedded');
    app = await startCollector(services.env({ JWT_SECRET: SECRET }));
    await createInstructor(app.collector.db, { email: 'sato@example.org', name: 'Ms Sato', password: 'sato-password-1', role: 'instructor' });
    token = await login(app.url, 'sato@example.org', 'sato-password-1');
    classId = (await request(app.url, 'post', '/api/v1/classes', { token, body: { name: 'Python 入門', class_code: 'PY1' } })).body.id;
    browser = await chromium.launch({ executablePath: CHROMIUM });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'ja-JP' });
  });
  it.after(async () => {
    await browser?.close();
    await app?.close();
    await services?.stop();
  });

  it('a 40-line roster with 3 bad lines: the preview shows them and nothing is written until confirmed', async () => {
    await page.goto(app.url);
    await page.fill('input[type=email]', 'sato@example.org');
    await page.fill('input[type=password]', 'sato-password-1');
    await page.click('button[type=submit]');
    await page.locator('[role=tab]', { hasText: '名簿とチーム' }).click();
    await page.setInputFiles('.roster input[type=file]', rosterFile(tempDir('roster-')));
    await page.locator('.roster button', { hasText: 'プレビュー' }).click();
    await page.locator('.roster-preview').waitFor({ timeout: 10_000 });
    assert.match(await page.locator('.roster-preview').innerText(), /40 行中 37 行を取り込めます/);
    assert.equal(await page.locator('[data-error-line]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-error-line'))), ['39', '40', '41']);
    assert.match(await page.locator('[data-error-line="40"]').innerText(), /not-an-email/);
    await page.screenshot({ path: artifactPath('roster-preview.png'), fullPage: true });
    const before = await request(app.url, 'get', `/api/v1/classes/${classId}/roster`, { token });
    assert.is(before.body.students.length, 0, 'the preview wrote nothing');

    await page.locator('.roster-preview button.primary', { hasText: '37 行を取り込む' }).click();
    await waitFor(async () => (await page.locator('.roster-table tbody tr').count()) === 37, 10_000, 'the roster table shows the import');
    const after = await request(app.url, 'get', `/api/v1/classes/${classId}/roster`, { token });
    assert.is(after.body.students.length, 37);
    assert.is(after.body.teams.length, 8);
  });

  it('the board shows the roster names grouped by team; a team with a student asking for help comes first, with that status', async () => {
    const events = [
      ...Array.from({ length: 37 }, (_, i) => [classEvent(`st${pad(i + 1)}`, 'session_start', 20_000), cellRun(`st${pad(i + 1)}`, 1, true, 10_000)]).flat(),
      cellRun('st14', 2, false, 6_000), // チームF
      classEvent('st14', 'help_request', 5_000, { cellId: 'c2', cellIndex: 2 }),
      cellRun('st03', 3, false, 9_000), cellRun('st03', 3, false, 6_000), cellRun('st03', 3, false, 3_000), // チームC: stuck
    ];
    assert.is((await postEvents(app.url, events)).status, 202);
    await page.locator('[role=tab]', { hasText: 'ボード' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-card]').length === 37 && document.querySelector('[data-card="st14"]')?.getAttribute('data-status') === 'help', undefined, { timeout: 15_000 });
    assert.match(await page.locator('[data-card="st12"] .name').innerText(), new RegExp(nameOf(12)));
    await page.locator('.by-team input').check();
    await waitFor(async () => (await page.locator('section.team').count()) === 8, 5_000, 'one section per team');
    const order = await page.locator('section.team').evaluateAll((sections) => sections.map((s) => [s.getAttribute('data-team'), s.className.replace('team team-', '')]));
    assert.equal(order.slice(0, 2), [['チームF', 'help'], ['チームC', 'stuck']]);
    assert.equal(order.slice(2).map(([team]) => team), ['チームA', 'チームB', 'チームD', 'チームE', 'チームG', 'チームH']);
    assert.is(await page.locator('section.team[data-team="チームA"] [data-card]').count(), 5);
    assert.match(await page.locator('section.team[data-team="チームF"] h3').innerText(), /チームF[\s\S]*ヘルプ要請[\s\S]*4 人/);
    await page.screenshot({ path: artifactPath('board-by-team.png') });
  });

  it.run();
} else {
  it.run();
}

