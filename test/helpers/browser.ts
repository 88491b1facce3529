/**
 * What the browser tests share: the rule for a missing prerequisite (a failure under CI=true, a
 * logged skip elsewhere), the dashboard page's prerequisites and sign-in form, an API call that must
 * succeed, and the wrapper of the JupyterLab end-to-end tests (a screenshot of every failure).
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DASHBOARD_DIST } from '../../collector/src/http/pageRoutes.ts';
import { request } from './http.ts';
import { artifactPath, CHROMIUM } from './jupyter.ts';

/** `missing` (why `what` cannot run here) fails the run under CI=true and is logged as a skip elsewhere; returns it. */
export function skipUnlessCi(missing: string | undefined, what: string): string | undefined {
  if (missing && process.env.CI === 'true') throw new Error(`CI=true and ${what} cannot run: ${missing}`);
  if (missing) console.log(`# skipped: ${missing} (never skipped when CI=true)`);
  return missing;
}

/** Why the dashboard page cannot be driven here (no Chromium, the page not built), or undefined. */
export function dashboardPageMissing(): string | undefined {
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} not found (apt-get install chromium)`;
  if (!fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'))) return 'the dashboard is not built (npm run build:dashboard)';
  return undefined;
}

/** Opens the dashboard at `base` and submits its sign-in form. */
export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(base);
  await page.fill('input[type=email]', email);
  await page.fill('input[type=password]', password);
  await page.click('button[type=submit]');
}

/** An API call that must succeed (a status under 300, else the test fails with the answer); its body. */
export async function call(base: string, method: string, route: string, token?: string, body?: unknown): Promise<any> {
  const reply = await request(base, method, route, { token, body });
  assert.ok(reply.status < 300, `${method} ${route}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

export interface E2eSuite {
  /** Why the suite cannot run here: its tests are skipped. */
  missing: string | undefined;
  /** The screenshot of a failure is test-artifacts/failed-<tag>-<test name>.png. */
  tag: string;
  /** The error the suite's setup caught, if any: every test fails with it. */
  setupError: () => unknown;
  page: () => Page;
  /** More to say on a failure, told the screenshot's path. */
  onFailure?: (screenshot: string) => void;
}

/** A test of an end-to-end suite: skipped while `missing`, failed by the setup's error, photographed when it fails. */
export function e2eTests(suite: E2eSuite): (name: string, body: () => Promise<void>) => void {
  return (name, body) => {
    if (suite.missing) return test.skip(name);
    test(name, async () => {
      const setupError = suite.setupError();
      if (setupError) throw setupError;
      try {
        await body();
      } catch (error) {
        const file = artifactPath(`failed-${suite.tag}-${name.slice(0, 30).replace(/[^A-Za-z0-9]+/g, '-')}.png`);
        await suite.page().screenshot({ path: file }).catch(() => undefined);
        suite.onFailure?.(file);
        throw error;
      }
    });
  };
}

/** Headless Debian Chromium and one page of this size (and locale, time zone): what a page suite drives. */
export async function openPage(options: { viewport: { width: number; height: number }; locale?: string; timezoneId?: string; acceptDownloads?: boolean }): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  return { browser, page: await browser.newPage(options) };
}

/** A page suite's end: the browser, then the collector, then its services (each only if it was started). */
export async function closeSuite(parts: { browser?: Browser; app?: { close(): Promise<unknown> }; services?: { stop(): Promise<unknown> } }): Promise<void> {
  await parts.browser?.close();
  await parts.app?.close();
  await parts.services?.stop();
}
