/**
 * A self-reported (v1) student is marked as such wherever the dashboard names her — her card, the
 * help queue, her timeline — as text; a credentialed student with the same email is not, and the two
 * are two cards (LEGACY_V1_CLIENTS=1: the v1 identity lives in its own `v1:` namespace).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { artifactPath, CHROMIUM } from '../helpers/jupyter.ts';
import { call, dashboardPageMissing, signIn, skipUnlessCi } from '../helpers/browser.ts';
import { request } from '../helpers/http.ts';
import { waitFor } from '../helpers/services.ts';
import { buildCellEvent, modesToTest, postEvents, startCollector, startServices, type RunningCollector, type Services } from '../helpers/stack.ts';

const SECRET = 'self-reported-badge-jwt-secret-0123456789';
const CLASS_CODE = 'V1-BADGE';
const HANAKO = 'hanako@school.example.jp';
const missing = skipUnlessCi(dashboardPageMissing(), 'the dashboard browser test');

for (const mode of missing ? [] : modesToTest()) {
  const it = suite(`self-reported badge in Chromium [${mode}]`);
  let services: Services;
  let setup: RunningCollector;
  let app: RunningCollector;
  let browser: Browser;
  let page: Page;

  it.before(async () => {
    services = await startServices(mode);
    // The class LEGACY_CLASS_CODE names must exist before a collector with v1 clients starts.
    setup = await startCollector(services.env({ JWT_SECRET: SECRET, LEGACY_CLASS_CODE: CLASS_CODE }));
    await createInstructor(setup.collector.db, { email: 'sato@example.org', name: 'Ms Sato', password: 'sato-password-1', role: 'instructor' });
    const token = (await call(setup.url, 'POST', '/api/v1/auth/login', undefined, { email: 'sato@example.org', password: 'sato-password-1' })).token;
    const classId = (await call(setup.url, 'POST', '/api/v1/classes', token, { name: 'Python 入門', class_code: CLASS_CODE })).id;
    await call(setup.url, 'POST', `/api/v1/classes/${classId}/students`, token, { user_id: HANAKO, name: 'Hanako Yamada' });
    await setup.collector.db('class_enrollments').where({ class_id: classId }).update({ enrolled_at: new Date(Date.now() - 3_600_000).toISOString() });
    app = await startCollector(services.env({ JWT_SECRET: SECRET, LEGACY_V1_CLIENTS: '1', LEGACY_CLASS_CODE: CLASS_CODE }));
    // Hanako's own run (from this machine's companion), and a v1 browser naming her email asking for help.
    assert.is((await postEvents(app.url, [buildCellEvent({ userId: HANAKO, eventTime: new Date(Date.now() - 60_000).toISOString() })])).status, 202);
    const v1Help = { eventType: 'help', eventTime: new Date(Date.now() - 30_000).toISOString(), emailAddress: 'Hanako@School.example.jp', userName: 'Hanako', teamName: null, notebookPath: 'lesson1.ipynb', cellId: 'c1', cellIndex: 0 };
    assert.is((await postEvents(app.url, v1Help)).status, 202);
    await waitFor(async () => {
      const board = await request(app.url, 'get', `/api/v1/dashboard/board?class_id=${classId}`, { token });
      return board.body?.cards?.length === 2 && board.body.helpQueue.length === 1 ? true : undefined;
    }, 20_000, 'both students on the board');
    browser = await chromium.launch({ executablePath: CHROMIUM });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  });
  it.after(async () => {
    await browser?.close();
    for (const c of [app, setup]) await c?.close();
    await services?.stop();
  });

  it('the v1 card, its help request and its timeline say "self-reported"; the credentialed card does not', async () => {
    await signIn(page, app.url, 'sato@example.org', 'sato-password-1');
    const v1Card = page.locator(`[data-card="v1:${HANAKO}"]`);
    await v1Card.waitFor({ timeout: 15_000 });
    assert.is((await v1Card.locator('[data-self-reported]').innerText()).trim(), 'self-reported');
    assert.is(await page.locator(`[data-card="${HANAKO}"] [data-self-reported]`).count(), 0, 'the credentialed student is not marked');
    assert.is(await page.locator(`[data-card="${HANAKO}"] .name`).innerText(), 'Hanako Yamada');
    assert.is((await page.locator('[data-help] [data-self-reported]').innerText()).trim(), 'self-reported', 'in the help queue');
    await page.screenshot({ path: artifactPath(`dashboard-self-reported-${mode === 'embedded' ? 'embedded' : 'pg'}.png`) });
    await v1Card.locator('.card-button').click();
    await page.locator('h2 [data-self-reported]').waitFor({ timeout: 10_000 });
    assert.is((await page.locator('h2 [data-self-reported]').innerText()).trim(), 'self-reported', 'on her timeline');
  });

  it.run();
}
