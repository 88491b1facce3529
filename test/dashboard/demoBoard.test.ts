/**
 * The demo in a real browser, as a newcomer meets it: `npm run demo` running, the sign-in page names
 * the demo account, signing in with what it shows opens a busy board (help, stuck, catching up) marked "Demo data" — on every
 * tab and on a student's page. Leaves test-artifacts/demo-board.png (the README's screenshot) — look at it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { artifactPath } from '../helpers/jupyter.ts';
import { dashboardPageMissing, signIn, skipUnlessCi, openPage } from '../helpers/browser.ts';
import { spawnDemo, type DemoProcess } from '../helpers/demo.ts';
import { waitFor } from '../helpers/services.ts';
import { startServices, type Services } from '../helpers/stack.ts';

const missing = skipUnlessCi(dashboardPageMissing(), 'the demo browser test');

// The demo's target is the embedded default (the server side runs on both engines in test/collector/demo).
for (const mode of missing ? [] : (['embedded'] as const)) {
  const it = suite(`the demo in Chromium [${mode}]`);
  let services: Services;
  let demo: DemoProcess;
  let browser: Browser;
  let page: Page;

  it.before(async () => {
    services = await startServices(mode);
    demo = await spawnDemo(services.env());
    ({ browser, page } = await openPage({ viewport: { width: 1440, height: 900 } }));
  });
  it.after(async () => {
    await browser?.close();
    if (demo?.child.exitCode === null) await demo.stop();
    await services?.stop();
  });

  it('the sign-in page says how to sign in to the demo; with those credentials the board is busy and marked demo data', async () => {
    await page.goto(demo.url);
    const hint = page.locator('.demo-signin');
    await hint.waitFor({ timeout: 10_000 });
    assert.match(await hint.innerText(), /Demo data is loaded here \(npm run demo\)/);
    const email = await page.locator('[data-demo-email]').innerText();
    const password = await page.locator('[data-demo-password]').innerText();
    await page.screenshot({ path: artifactPath('demo-sign-in.png') });
    await signIn(page, demo.url, email, password);
    const banner = page.locator('[data-demo]');
    await banner.waitFor({ timeout: 15_000 });
    assert.match(await banner.innerText(), /Demo data[\s\S]*simulated[\s\S]*npm run demo -- --remove/);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-card]').length === 30 && document.querySelectorAll('[data-status=help]').length >= 1 && document.querySelectorAll('[data-status=stuck]').length >= 1 && document.querySelectorAll('[data-status=catching_up]').length >= 1,
      undefined,
      { timeout: 60_000 },
    );
    await waitFor(async () => (await page.locator('.conn.live').count()) === 1, 10_000, 'live');
    assert.ok((await page.locator('.queue .request').count()) >= 1, 'someone waits in the help queue');
    await page.screenshot({ path: artifactPath('demo-board.png') });
  });

  it('every screen keeps the demo banner: the other tabs and a student', async () => {
    for (const tab of ['Where the class is', 'Error clusters']) {
      await page.locator('[role=tab]', { hasText: tab }).click();
      assert.is(await page.locator('[data-demo]').count(), 1, tab);
    }
    await page.locator('.cluster').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: artifactPath('demo-error-clusters.png') });
    await page.locator('[role=tab]', { hasText: 'Board' }).click();
    await page.locator('[data-card] .card-button').first().click();
    await page.locator('.view.student').waitFor({ timeout: 10_000 });
    assert.is(await page.locator('[data-demo]').count(), 1, 'a student');
  });

  it.run();
}
