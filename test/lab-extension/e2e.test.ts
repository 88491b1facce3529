/**
 * End to end in a real JupyterLab: the built wheel installed with pip into a venv, `jupyter lab`
 * with the companion pointed at the real collector CLI (INGEST_KEY set), headless Debian Chromium
 * driven by playwright-core. Locally a missing prerequisite skips this file; under CI=true it fails.
 *
 * Prints (does not assert) the main-thread time the extension adds per cell execution and the bytes
 * per event on the wire.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Knex } from 'knex';
import { artifactPath, CHROMIUM, installWheel, missingPrerequisite, noticeSeen, startJupyterLab, writeNotebook, type JupyterLab } from '../helpers/jupyter.ts';
import { request } from '../helpers/http.ts';
import { freePort, tempDir, waitFor } from '../helpers/services.ts';
import { openStore, spawnCollector, type CollectorProcess } from '../helpers/stack.ts';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { studentCredential } from '../../collector/src/auth/studentCredential.ts';

const INGEST_KEY = `e2e-master-key-${process.pid}-secret`;
/** The student this Jupyter server belongs to: not Latin-1, so it must travel percent-encoded. */
const STUDENT = '王小明';
const CREDENTIAL = studentCredential(INGEST_KEY, STUDENT);
const JWT_SECRET = `e2e-jwt-secret-${process.pid}-0123456789abcdefghij`;
const missing = missingPrerequisite();
if (missing && process.env.CI === 'true') throw new Error(`CI=true and the browser E2E cannot run: ${missing}`);
if (missing) console.log(`# skipped: ${missing} (never skipped when CI=true)`);
/** A test that rethrows a set-up failure and leaves a screenshot in test-artifacts/ when it fails. */
function e2e(name: string, body: (page: Page) => Promise<void>): void {
  if (missing) return test.skip(name);
  test(name, async () => {
    if (setupError) throw setupError;
    try {
      await body(stack.page);
    } catch (error) {
      const file = artifactPath(`failed-${name.slice(0, 40).replace(/[^A-Za-z0-9]+/g, '-')}.png`);
      await stack.page.screenshot({ path: file }).catch(() => undefined);
      console.log(`# screenshot of the failure: ${file}`);
      throw error;
    }
  });
}

interface Stack {
  collector: CollectorProcess;
  collectorEnv: Record<string, string>;
  lab: JupyterLab;
  browser: Browser;
  page: Page;
  store: Knex;
  username: string;
}
let stack: Stack;
/** uvu does not report an error thrown by a before hook; each test rethrows it instead. */
let setupError: unknown;
/** What to stop after the tests, in reverse order (also when set-up failed half way). */
const cleanups: Array<() => Promise<unknown> | unknown> = [];

interface StoredEvent {
  event_id: string;
  event_type: string;
  user_id: string;
  notebook_path: string | null;
  cell_id: string | null;
  payload: string;
}

async function events(where: Record<string, unknown>): Promise<Array<StoredEvent & { body: Record<string, any> }>> {
  const rows: StoredEvent[] = await stack.store('events').where(where).orderBy('id');
  return rows.map((row) => ({ ...row, body: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload }));
}

async function startTheCollector(env: Record<string, string>): Promise<CollectorProcess> {
  return spawnCollector(env);
}

/** Opens a notebook in a fresh workspace and waits until its kernel is idle. */
async function openNotebook(page: Page, name: string, workspace: string): Promise<void> {
  await page.goto(`${stack.lab.url}/lab/workspaces/${workspace}/tree/${name}?reset&token=${stack.lab.token}`);
  await page.locator('.jp-NotebookPanel .jp-Cell').first().waitFor({ timeout: 60_000 });
  // The status bar names the kernel and says Idle only once the kernel is connected (the toolbar's
  // indicator reads idle before that, and a cell run then is silently not executed).
  await page.locator('.jp-StatusBar-Widget', { hasText: /Python 3 \(ipykernel\) \| Idle/ }).first().waitFor({ timeout: 60_000 });
}

async function measures(page: Page): Promise<{ capture: Array<{ duration: number; phase: string }>; batches: Array<{ events: number; bytes: number; jsonBytes: number; gzip: boolean; status?: number }> }> {
  return page.evaluate(() => ({
    capture: performance.getEntriesByName('cell-monitor:capture').map((e) => ({ duration: e.duration, phase: (e as PerformanceMeasure).detail?.phase })),
    batches: performance.getEntriesByName('cell-monitor:batch').map((e) => (e as PerformanceMark).detail),
  }));
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
};

/**
 * Main-thread time of the capture handlers per cell execution (one 'scheduled' + one 'executed'
 * handler each; Chrome's timer resolution here is 0.1 ms) and bytes on the wire per event.
 */
function printMeasures(label: string, m: Awaited<ReturnType<typeof measures>>, executions: number): void {
  const scheduled = m.capture.filter((c) => c.phase === 'scheduled').map((c) => c.duration);
  const executed = m.capture.filter((c) => c.phase === 'executed').map((c) => c.duration);
  const total = [...scheduled, ...executed].reduce((s, d) => s + d, 0);
  const delivered = m.batches.filter((b) => b.status === 202);
  const events = delivered.reduce((s, b) => s + b.events, 0);
  const bytes = delivered.reduce((s, b) => s + b.bytes, 0);
  const json = delivered.reduce((s, b) => s + b.jsonBytes, 0);
  if (executions > 0) {
    console.log(
      `# measure (${label}): main-thread capture time per cell execution: mean ${(total / executions).toFixed(2)} ms,` +
        ` median ${(median(scheduled) + median(executed)).toFixed(2)} ms, slowest handler ${Math.max(0, ...scheduled, ...executed).toFixed(2)} ms (${executions} executions)`,
    );
  }
  if (events > 0) {
    console.log(
      `# measure (${label}): on the wire ${(bytes / events).toFixed(0)} bytes/event, gzip=${delivered.every((b) => b.gzip)}` +
        ` (JSON ${(json / events).toFixed(0)} bytes/event; ${delivered.length} batches, ${events} events)`,
    );
  }
}

test.before(async () => {
  if (missing) return;
  try {
    await setUp();
  } catch (error) {
    setupError = error;
  }
});

async function setUp(): Promise<void> {
  const venv = installWheel();
  const dataDir = tempDir('e2e-data');
  const collectorEnv = {
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    DATABASE_URL: `sqlite://${path.join(dataDir, 'store.sqlite')}`,
    INGEST_KEY,
    JWT_SECRET,
  };
  const collector = await startTheCollector(collectorEnv);
  cleanups.push(async () => {
    const current = stack?.collector ?? collector;
    if (current.child.exitCode === null) {
      current.child.kill('SIGTERM');
      await current.exited;
    }
  });
  const rootDir = tempDir('e2e-notebooks');
  writeNotebook(rootDir, 'first.ipynb', ['print("hello from the e2e test")', 'undefined_name_in_e2e + 1']);
  writeNotebook(rootDir, 'offline.ipynb', Array.from({ length: 20 }, (_, i) => `print("offline run ${i}")`));
  const lab = await startJupyterLab(venv, { collectorUrl: collector.url, credential: CREDENTIAL, user: STUDENT, rootDir });
  cleanups.push(() => lab.stop());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  cleanups.push(() => browser.close());
  const store = openStore(collectorEnv.DATABASE_URL);
  cleanups.push(() => store.destroy());
  const context = await browser.newContext({ viewport: { width: 1400, height: 850 } });
  await noticeSeen(context, STUDENT);
  const page = await context.newPage();
  stack = { collector, collectorEnv, lab, browser, page, store, username: '' };
}

test.after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

e2e("a print cell, a NameError cell and a save reach the collector within 10 s, as the server's student (王小明), with credentials enforced", async (page) => {
  await openNotebook(page, 'first.ipynb', `e2e-first-${process.pid}`);
  // The server belongs to STUDENT (CELL_MONITOR_USER, as JupyterHub's spawner sets it): every event is theirs.
  stack.username = STUDENT;

  const cells = page.locator('.jp-NotebookPanel .jp-Cell');
  assert.equal(await cells.nth(0).locator('.jp-InputArea-editor').innerText(), 'print("hello from the e2e test")');
  await cells.nth(0).locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Shift+Enter');
  await cells.nth(0).locator('.jp-OutputArea-output', { hasText: 'hello from the e2e test' }).waitFor({ timeout: 30_000 });
  await page.keyboard.press('Shift+Enter');
  await cells.nth(1).locator('.jp-OutputArea-output', { hasText: 'NameError' }).waitFor({ timeout: 30_000 });
  await page.keyboard.press('Control+s');
  const savedAt = Date.now();

  const user = { user_id: stack.username, notebook_path: 'first.ipynb' };
  const found = await waitFor(
    async () => {
      const [complete, error, saved] = await Promise.all([
        events({ ...user, event_type: 'cell_execution_complete' }),
        events({ ...user, event_type: 'cell_execution_error' }),
        events({ ...user, event_type: 'notebook_saved' }),
      ]);
      return complete.length && error.length && saved.length ? { complete, error, saved } : undefined;
    },
    10_000,
    'cell_execution_complete, cell_execution_error and notebook_saved in the collector',
  );
  console.log(`# all three stored ${Date.now() - savedAt} ms after the save`);
  const complete = found.complete[0].body;
  assert.equal(complete.cellId, 'cell-0');
  assert.equal(complete.code, 'print("hello from the e2e test")');
  assert.equal(complete.executionCount, 1);
  assert.equal(complete.success, true);
  assert.match(String(complete.output), /hello from the e2e test/);
  assert.ok(complete.durationMs > 0);
  const error = found.error[0].body;
  assert.equal(error.error.name, 'NameError');
  assert.match(error.error.message, /undefined_name_in_e2e/);
  assert.match(error.error.traceback, /NameError/);
  assert.doesNotMatch(error.error.traceback, /\u001b\[/, 'ANSI colours are stripped');
  assert.equal(error.success, false);
  const logged = await stack.store('error_logs').where({ event_id: found.error[0].event_id }).first();
  assert.equal(logged?.error_name, 'NameError');

  // Every event of this browser carries the server-stamped user; none was stored for anyone else.
  const all = await events({});
  assert.ok(all.length >= 6, `session_start, notebook_opened, 2 starts, complete, error, saved: got ${all.map((e) => e.event_type)}`);
  assert.deepEqual([...new Set(all.map((e) => e.user_id))], [stack.username]);
  assert.ok(all.some((e) => e.event_type === 'session_start'));
  assert.ok(all.some((e) => e.event_type === 'notebook_opened' && e.notebook_path === 'first.ipynb'));

  // Credentials are enforced by the collector; neither the credential nor the master key reaches the browser.
  const direct = await fetch(`${stack.collector.url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
  assert.equal(direct.status, 401);
  const html = await (await fetch(`${stack.lab.url}/lab?token=${stack.lab.token}`)).text();
  const content = await page.content();
  for (const secret of [INGEST_KEY, CREDENTIAL]) assert.ok(!html.includes(secret) && !content.includes(secret), 'no secret in the page');

  printMeasures('online', await measures(page), 2);
});

e2e('"Ask for help" sends help_request, shows the open request, and a second click sends help_cancel', async (page) => {
  const button = page.locator('.jp-NotebookPanel-toolbar .cm-HelpButton-button');
  assert.equal((await button.innerText()).trim(), 'Ask for help');
  assert.equal(await button.getAttribute('aria-pressed'), 'false');
  await button.click();
  await waitFor(async () => (await events({ user_id: stack.username, event_type: 'help_request' })).length === 1, 10_000, 'help_request');
  assert.equal(await button.getAttribute('aria-pressed'), 'true');
  assert.match(await button.innerText(), /Help requested/);
  const request = (await events({ event_type: 'help_request' }))[0];
  assert.equal(request.notebook_path, 'first.ipynb');
  await page.screenshot({ path: artifactPath('jupyterlab-help-button.png') });
  assert.ok(fs.statSync(artifactPath('jupyterlab-help-button.png')).size > 10_000);

  await button.click();
  await waitFor(async () => (await events({ user_id: stack.username, event_type: 'help_cancel' })).length === 1, 10_000, 'help_cancel');
  assert.equal(await button.getAttribute('aria-pressed'), 'false');
  assert.equal((await button.innerText()).trim(), 'Ask for help');
});

/** The instructor side, straight to the collector (as the dashboard will). */
async function instructorApi(method: string, route: string, token?: string, body?: unknown): Promise<any> {
  const reply = await request(stack.collector.url, method, route, { token, body });
  assert.ok(reply.status < 300, `${method} ${route}: ${reply.status}`);
  return reply.body;
}

e2e('Assignments panel: the assignment is listed, the open notebook is submitted, and the grade appears as a notification and in the panel', async (page) => {
  await createInstructor(stack.store, { email: 'teacher@example.org', name: 'Teacher', password: 'teacher-password-1', role: 'admin' });
  const { token } = await instructorApi('POST', '/api/v1/auth/login', undefined, { email: 'teacher@example.org', password: 'teacher-password-1' });
  const cls = await instructorApi('POST', '/api/v1/classes', token, { name: 'Python 101', class_code: `PY-${process.pid}` });
  await instructorApi('POST', `/api/v1/classes/${cls.id}/students`, token, { user_id: stack.username });
  const assignment = await instructorApi('POST', '/api/v1/assignments', token, { class_id: cls.id, notebook_path: 'first.ipynb', title: 'Homework 1', due_date: '2099-01-01T00:00:00Z' });

  await page.locator('.jp-SideBar .lm-TabBar-tab[data-id="cell-monitor-assignments"]').click();
  const item = page.locator(`.cm-Assignment[data-assignment-id="${assignment.id}"]`);
  await item.waitFor({ timeout: 10_000 });
  assert.match(await item.innerText(), /Homework 1[\s\S]*Python 101[\s\S]*Not submitted/);

  await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'first.ipynb' }).click();
  await item.locator('.cm-Assignment-submit').click();
  await page.locator(`.cm-Assignment[data-assignment-id="${assignment.id}"][data-status="submitted"]`).waitFor({ timeout: 10_000 });
  const [submission] = await instructorApi('GET', `/api/v1/submissions?assignment_id=${assignment.id}`, token);
  assert.equal(submission.user_id, stack.username, 'submitted as the Jupyter user');
  const full = await instructorApi('GET', `/api/v1/submissions/${submission.id}`, token);
  assert.equal(full.notebook_content.cells[0].source, 'print("hello from the e2e test")');

  await instructorApi('PUT', `/api/v1/submissions/${submission.id}`, token, { score: 92, feedback: 'Nice work' });
  await page.locator('.jp-toast-message, .Toastify__toast', { hasText: 'graded: 92/100' }).first().waitFor({ timeout: 15_000 });
  await page.locator(`.cm-Assignment[data-assignment-id="${assignment.id}"][data-status="graded"]`).waitFor({ timeout: 10_000 });
  assert.match(await item.innerText(), /Graded: 92\/100 — Nice work/);
  await page.screenshot({ path: artifactPath('jupyterlab-assignments-panel.png') });
  await page.locator('.jp-SideBar .lm-TabBar-tab[data-id="filebrowser"]').click();
});

e2e('the help loop closes in the dashboard: "Ask for help" shows on the board and in the queue; claimed and resolved there, the button resets and a notification says so; a class message sent from the dashboard arrives once', async (page) => {
  // The Assignments test made the instructor and the class this student is enrolled in. The
  // instructor watches the dashboard in a browser of their own.
  const instructor = await (await stack.browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  cleanups.push(() => instructor.context().close());
  await instructor.goto(stack.collector.url);
  await instructor.fill('input[type=email]', 'teacher@example.org');
  await instructor.fill('input[type=password]', 'teacher-password-1');
  await instructor.click('button[type=submit]');
  const myCard = instructor.locator(`[data-card="${stack.username}"]`);
  await myCard.waitFor({ timeout: 15_000 });
  await instructor.locator('.conn.live').waitFor({ timeout: 10_000 });

  const button = page.locator('.jp-NotebookPanel-toolbar .cm-HelpButton-button');
  await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'first.ipynb' }).click();
  assert.equal((await button.innerText()).trim(), 'Ask for help');
  const asked = Date.now();
  await button.click();
  await instructor.locator(`[data-card="${stack.username}"][data-status="help"]`).waitFor({ timeout: 10_000 });
  await instructor.locator('.queue .request').first().waitFor({ timeout: 10_000 });
  console.log(`# "Ask for help" in JupyterLab → card and queue in the dashboard: ${Date.now() - asked} ms`);
  assert.match(await instructor.locator('.queue .request').first().innerText(), /first\.ipynb/);

  await instructor.locator('.queue .request button', { hasText: 'Claim' }).first().click();
  await instructor.locator('.queue .request.claimed', { hasText: 'Teacher' }).waitFor({ timeout: 10_000 });
  await instructor.screenshot({ path: artifactPath('dashboard-e2e-help-claimed.png') });
  const resolved = Date.now();
  await instructor.locator('.queue .request button', { hasText: 'Resolve' }).first().click();
  await page.locator('.jp-toast-message, .Toastify__toast', { hasText: 'help request on first.ipynb was resolved by Teacher' }).first().waitFor({ timeout: 15_000 });
  await waitFor(async () => (await button.getAttribute('aria-pressed')) === 'false', 10_000, 'the help button to reset');
  console.log(`# Resolve in the dashboard → the student's button and notification: ${Date.now() - resolved} ms`);
  assert.equal((await button.innerText()).trim(), 'Ask for help');
  assert.equal((await events({ user_id: stack.username, event_type: 'help_cancel' })).length, 1, "resetting sent nothing (the one help_cancel is the earlier test's)");
  await instructor.locator(`[data-card="${stack.username}"]:not([data-status="help"])`).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: artifactPath('jupyterlab-help-resolved.png') });

  await instructor.locator('[role=tab]', { hasText: 'Broadcast' }).click();
  await instructor.fill('.broadcast textarea', 'Ten minutes left — save your work');
  await instructor.locator('.broadcast button[type=submit]', { hasText: 'Send' }).click();
  await instructor.locator('.broadcast [role=status]', { hasText: 'Sent to 1 student.' }).waitFor({ timeout: 10_000 });
  const toast = page.locator('.Toastify__toast', { hasText: 'Ten minutes left — save your work' });
  await toast.first().waitFor({ timeout: 15_000 });
  // A second message as a sentinel: notifications are shown in order, so a repeat of the first would be on screen by the time it is.
  await instructor.fill('.broadcast textarea', 'Sentinel message');
  await instructor.locator('.broadcast button[type=submit]', { hasText: 'Send' }).click();
  await page.locator('.jp-toast-message, .Toastify__toast', { hasText: 'Sentinel message' }).first().waitFor({ timeout: 15_000 });
  assert.equal(await toast.count(), 1, 'shown once');
});

e2e('kernel interrupt and restart are recorded, and a settings change (Send cell code: off) applies without a reload', async (page) => {
  const user = { user_id: stack.username, notebook_path: 'first.ipynb' };
  await page.locator('.jp-NotebookPanel-toolbar [data-command="notebook:interrupt-kernel"]').click();
  await waitFor(async () => (await events({ ...user, event_type: 'kernel_interrupt' })).length === 1, 10_000, 'kernel_interrupt');

  await page.locator('.jp-NotebookPanel-toolbar [data-command="notebook:restart-kernel"]').click();
  await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
  const restarts = await waitFor(async () => {
    const rows = await events({ ...user, event_type: 'kernel_restart' });
    return rows.length ? rows : undefined;
  }, 10_000, 'kernel_restart').catch(async (error) => {
    console.log('# events so far:', (await events({})).map((e) => e.event_type).join(' '));
    throw error;
  });
  assert.equal(restarts.length, 1, `one restart, one event: ${JSON.stringify(restarts.map((r) => [r.body.eventTime, r.body.metadata, r.body.sessionId]))}`);
  assert.equal(restarts[0].body.metadata?.reason, 'user');
  await page.locator('.jp-StatusBar-Widget', { hasText: /Python 3 \(ipykernel\) \| Idle/ }).first().waitFor({ timeout: 60_000 });

  // Settings → Settings Editor → cell-monitor → untick "Send cell code"; no reload.
  await page.keyboard.press('Control+,');
  await page.locator('.jp-PluginList-entry', { hasText: 'cell-monitor' }).first().click();
  const sendCode = page.getByLabel('Send cell code');
  assert.equal(await sendCode.isChecked(), true);
  await sendCode.uncheck();
  await waitFor(
    async () => {
      const res = await page.evaluate(async () => (await fetch('/lab/api/settings/@cell-monitor/lab-extension:plugin')).json());
      return res.raw?.includes('"captureCode": false') || res.settings?.captureCode === false;
    },
    10_000,
    'the setting to be saved',
  );
  await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'first.ipynb' }).click();
  const cell = page.locator('.jp-NotebookPanel .jp-Cell').nth(0);
  await cell.locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Control+Enter');
  const [rerun] = await waitFor(async () => {
    const rows = await events({ ...user, event_type: 'cell_execution_complete', cell_id: 'cell-0' });
    return rows.length === 2 ? rows.slice(1) : undefined;
  }, 10_000, 'the re-run of the first cell');
  assert.equal(rerun.body.code, undefined, 'no code once "Send cell code" is off');
  assert.equal(rerun.body.executionCount, 1, 'a fresh kernel after the restart');
  assert.match(String(rerun.body.output), /hello from the e2e test/);
});

e2e('offline: collector stopped, 20 cells run, page reloaded, collector started → all 20 executions arrive exactly once', async (page) => {
  // What a student could notice while the collector is away: failed requests (each one an error
  // line in the browser console) and dialogs.
  const seen = { failedPosts: 0, failedStudentCalls: 0, probes: 0, consoleErrors: [] as string[], failed: [] as string[] };
  page.on('response', (response) => {
    if (response.status() >= 400) seen.failed.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
    if (!new URL(response.url()).pathname.endsWith('/cell-monitor')) return;
    if (response.request().method() === 'GET') seen.probes += 1;
    else if (response.status() >= 500) seen.failedPosts += 1;
  });
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.includes('/cell-monitor/student/') && response.status() >= 500) seen.failedStudentCalls += 1;
  });
  page.on('console', (message) => {
    if (message.type() === 'error') seen.consoleErrors.push(message.text());
  });
  stack.collector.child.kill('SIGTERM');
  assert.equal(await stack.collector.exited, 0);

  await openNotebook(page, 'offline.ipynb', `e2e-offline-${process.pid}`);
  await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Run$/ }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^Run All Cells$/ }).click();
  const outputs = page.locator('.jp-NotebookPanel .jp-OutputArea-output');
  await waitFor(async () => (await outputs.count()) === 20, 60_000, '20 outputs');
  await outputs.nth(19).filter({ hasText: 'offline run 19' }).waitFor({ timeout: 30_000 });
  const offlineMeasures = await measures(page);

  // The events are waiting in IndexedDB while the collector is down (in the queue of this server's student).
  const queueName = `cell-monitor:queue:${JSON.stringify(['/', STUDENT])}`;
  const queued = await waitFor(
    () =>
      page.evaluate(
        (name) =>
          new Promise<number>((resolve, reject) => {
            const open = indexedDB.open(name);
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const count = open.result.transaction('events').objectStore('events').count();
              count.onsuccess = () => resolve(count.result >= 40 ? count.result : 0);
              count.onerror = () => reject(count.error);
            };
          }),
        queueName,
      ),
    10_000,
    '40 events queued in IndexedDB',
  );
  console.log(`# ${queued} events queued in IndexedDB while the collector was down`);
  assert.equal((await events({ notebook_path: 'offline.ipynb' })).length, 0);

  assert.equal(await page.locator('.jp-Dialog').count(), 0, 'no dialog for the student');
  await page.reload();
  await page.locator('.jp-NotebookPanel .jp-Cell').first().waitFor({ timeout: 60_000 });
  stack.collector = await startTheCollector(stack.collectorEnv);

  const arrived = await waitFor(
    async () => {
      const rows = await events({ notebook_path: 'offline.ipynb', event_type: 'cell_execution_complete' });
      return rows.length >= 20 ? rows : undefined;
    },
    60_000,
    '20 executions after the collector came back',
  );
  // A save after the queue drained, as a sentinel: the queue sends in order, so a duplicate of the
  // offline runs (a resent batch) would be stored by the time the save is.
  const saves = (await events({ notebook_path: 'offline.ipynb', event_type: 'notebook_saved' })).length;
  await page.locator('.jp-NotebookPanel .jp-Cell').first().click();
  await page.keyboard.press('Control+s');
  await waitFor(async () => (await events({ notebook_path: 'offline.ipynb', event_type: 'notebook_saved' })).length > saves, 30_000, 'the sentinel save');
  const completes = await events({ notebook_path: 'offline.ipynb', event_type: 'cell_execution_complete' });
  assert.equal(completes.length, 20);
  assert.equal(arrived.length, 20);
  assert.deepEqual(
    completes.map((e) => e.body.executionCount).sort((a, b) => a - b),
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  assert.equal(new Set(completes.map((e) => e.cell_id)).size, 20);
  assert.ok(completes.every((e) => e.user_id === stack.username));
  assert.equal((await events({ notebook_path: 'offline.ipynb', event_type: 'cell_execution_start' })).length, 20);
  const executions = await stack.store('cell_executions').whereIn('event_id', completes.map((e) => e.event_id)).count({ n: '*' });
  assert.equal(Number(executions[0].n), 20);

  console.log(
    `# while the collector was down: ${seen.failedPosts} failed POSTs, ${seen.probes} probes (GET, 200),` +
      ` ${seen.consoleErrors.length} console errors; failed requests: ${seen.failed.join(', ') || 'none'}`,
  );
  // One failed post finds the collector away; after that, across page loads, only probes.
  assert.ok(seen.failedPosts + seen.failedStudentCalls <= 2, `${seen.failedPosts} failed posts, ${seen.failedStudentCalls} failed notification polls`);
  assert.ok(seen.failedStudentCalls <= 1, `${seen.failedStudentCalls} failed notification polls: the poller must probe once the collector is away`);
  assert.ok(seen.probes > 0, 'the extension probed instead of re-posting');
  // The two pages left behind (first.ipynb → offline.ipynb, then the reload) ended their sessions.
  const starts = await events({ event_type: 'session_start' });
  const ends = await waitFor(async () => {
    const rows = await events({ event_type: 'session_end' });
    return rows.length >= 2 ? rows : undefined;
  }, 10_000, 'two session_end events');
  assert.equal(ends.length, 2);
  for (const end of ends) assert.ok(starts.some((s) => s.body.sessionId === end.body.sessionId), 'a session_end closes a session_start');
  const byType = (await stack.store('events').select('event_type').count({ n: '*' }).groupBy('event_type').orderBy('event_type')) as unknown as Array<{ event_type: string; n: number }>;
  console.log(`# stored so far: ${byType.map((r) => `${r.event_type} ${r.n}`).join(', ')}`);
  printMeasures('offline run of 20 cells', offlineMeasures, 20);
  printMeasures('after reload, queue delivered', await measures(page), 0);
});

e2e('two tabs share one queue and only one drains it (Web Lock); when that tab closes the other takes over', async (page) => {
  const second = await page.context().newPage();
  await openNotebook(second, 'first.ipynb', `e2e-second-tab-${process.pid}`);
  const helpButton = second.locator('.jp-NotebookPanel-toolbar .cm-HelpButton-button');
  const requestsBefore = (await events({ event_type: 'help_request' })).length;
  const firstTabBatches = (await measures(page)).batches.length;

  await helpButton.click();
  await waitFor(async () => (await events({ event_type: 'help_request' })).length === requestsBefore + 1, 10_000, 'the second tab\'s help_request');
  assert.equal((await measures(second)).batches.length, 0, 'the second tab sent nothing itself');
  assert.ok((await measures(page)).batches.length > firstTabBatches, 'the first tab delivered it');

  await page.close();
  stack.page = second;
  const cancelsBefore = (await events({ event_type: 'help_cancel' })).length;
  await helpButton.click();
  await waitFor(async () => (await events({ event_type: 'help_cancel' })).length === cancelsBefore + 1, 15_000, 'help_cancel after the first tab closed');
  assert.ok((await measures(second)).batches.some((b) => b.status === 202), 'the second tab took over the queue');
});

test.run();
