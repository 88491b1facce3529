/**
 * A shared lab PC under a real JupyterHub (DummyAuthenticator, SimpleLocalProcessSpawner, the wheel,
 * credentials from cell_monitor.hub.spawner_environment, the real collector CLI, Debian Chromium with
 * ONE browser profile for everyone). Every student's server is on the hub's one origin, so the
 * browser's IndexedDB, localStorage and Web Locks are shared by all of them: events must still only
 * leave through the server of the student who recorded them. Locally a missing prerequisite skips
 * this file; under CI=true it fails.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'uvu';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Knex } from 'knex';
import { artifactPath, CHROMIUM, installWheel, noticeSeen, writeNotebook } from '../helpers/jupyter.ts';
import { missingPrerequisite, startJupyterHub, type JupyterHub } from '../helpers/jupyterhub.ts';
import { freePort, tempDir, waitFor } from '../helpers/services.ts';
import { e2eTests, skipUnlessCi } from '../helpers/browser.ts';
import { openStore, spawnCollector, type CollectorProcess } from '../helpers/stack.ts';

const INGEST_KEY = `hub-master-key-${process.pid}-secret`;
const ALICE = 'alice';
/** The next student at the PC: a name that is not Latin-1 (percent-encoded in the hub's URLs and in the stamp). */
const TARO = 'たろう';
const missing = skipUnlessCi(missingPrerequisite(), 'the JupyterHub E2E');

let collector: CollectorProcess;
let collectorEnv: Record<string, string>;
let hub: JupyterHub;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let store: Knex;
let setupError: unknown;
const started = Date.now();
const phase = (what: string) => console.log(`# ${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
const cleanups: Array<() => Promise<unknown> | unknown> = [];

async function stored(where: Record<string, unknown>): Promise<Array<{ event_id: string; event_type: string; user_id: string; session_id: string; body: Record<string, any> }>> {
  const rows = await store('events').where(where).orderBy('id');
  return rows.map((row: any) => ({ ...row, body: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload }));
}

async function stopCollector(): Promise<void> {
  if (collector.child.exitCode !== null) return;
  collector.child.kill('SIGTERM');
  await collector.exited;
}

/**
 * Through the hub's own login page (which starts the student's server) straight into JupyterLab:
 * with `notebook`, open and its kernel idle; without, the lab shell loaded (the extension is running).
 */
async function logIn(user: string, notebook?: string): Promise<void> {
  phase(`${user} logs in`);
  const lab = `/user/${encodeURIComponent(user)}/lab`;
  const spawn = `/hub/spawn?next=${encodeURIComponent(notebook ? `${lab}/tree/${notebook}?reset` : lab)}`;
  await page.goto(`${hub.url}/hub/login?next=${encodeURIComponent(spawn)}`);
  await page.locator('#username_input').fill(user);
  await page.locator('#password_input').fill('any password');
  await page.locator('#login_submit').click();
  await page.waitForURL((url) => url.pathname.startsWith(lab), { timeout: 90_000 });
  if (notebook) {
    await page.locator('.jp-NotebookPanel .jp-Cell').first().waitFor({ timeout: 60_000 });
    await page.locator('.jp-StatusBar-Widget', { hasText: /Python 3 \(ipykernel\) \| Idle/ }).first().waitFor({ timeout: 60_000 });
  } else await page.locator('#jp-main-dock-panel').waitFor({ timeout: 60_000 });
  phase(`${user} is in JupyterLab`);
}

async function run(index: number, expectOutput: string): Promise<void> {
  const cell = page.locator('.jp-NotebookPanel .jp-Cell').nth(index);
  await cell.locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Control+Enter');
  await cell.locator('.jp-OutputArea-output', { hasText: expectOutput }).waitFor({ timeout: 30_000 });
}

async function logOut(): Promise<void> {
  phase('log out');
  await page.goto(`${hub.url}/hub/logout`);
  await page.locator('#username_input').waitFor({ timeout: 30_000 });
}

/** The cell runs `user` recorded that wait in the browser's IndexedDB (any database of the hub's origin), read from any page of it. */
async function queuedRuns(user: string): Promise<string[]> {
  return page.evaluate(async (owner) => {
    const runs: string[] = [];
    for (const { name } of await indexedDB.databases()) {
      if (!name?.startsWith('cell-monitor')) continue;
      const events = await new Promise<Array<{ eventType: string; userId: string; code?: string }>>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('events').objectStore('events').getAll();
          all.onsuccess = () => {
            open.result.close();
            resolve(all.result);
          };
        };
      });
      for (const e of events) if (e.eventType === 'cell_execution_complete' && e.userId === owner) runs.push(e.code ?? '');
    }
    return runs;
  }, user);
}

/**
 * The one shared queue of earlier versions (IndexedDB `cell-monitor`, owner not recorded), as an
 * upgraded lab PC has it: a run alice recorded (its userId) and one whose recorder is unknown.
 */
const LEGACY_RUN = 'legacy_run = "alice, before the upgrade"';
const UNKNOWN_RUN = 'nobody_knows_whose = 1';
async function seedLegacyQueue(): Promise<void> {
  const event = (code: string, userId?: string) => ({
    eventId: crypto.randomUUID(),
    eventType: 'cell_execution_complete',
    eventTime: new Date().toISOString(),
    ...(userId ? { userId } : {}),
    sessionId: crypto.randomUUID(),
    notebookPath: 'lab1.ipynb',
    cellId: 'legacy-cell',
    code,
    success: true,
  });
  await page.evaluate(
    (events) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('cell-monitor', 1);
        open.onupgradeneeded = () => {
          open.result.createObjectStore('events', { autoIncrement: true });
          open.result.createObjectStore('meta');
        };
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('events', 'readwrite');
          for (const e of events) tx.objectStore('events').add(e);
          tx.oncomplete = () => (open.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
    [event(LEGACY_RUN, ALICE), event(UNKNOWN_RUN)],
  );
}

async function legacyQueue(): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('cell-monitor');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('events').objectStore('events').getAll();
          all.onsuccess = () => (open.result.close(), resolve(all.result.map((e: { code: string }) => e.code)));
        };
      }),
  );
}

const e2e = e2eTests({
  missing,
  tag: 'hub',
  setupError: () => setupError,
  page: () => page,
  onFailure: (file) => console.log(`# screenshot of the failure: ${file}\n# hub log (tail):\n${hub?.output().slice(-3000)}`),
});

test.before(async () => {
  if (missing) return;
  try {
    const venv = installWheel();
    phase('wheel installed');
    const dataDir = tempDir('hub-data');
    // A fixed port: the collector is stopped while alice works and started again on the same address.
    collectorEnv = { PORT: String(await freePort()), DATA_DIR: dataDir, DATABASE_URL: `sqlite://${path.join(dataDir, 'store.sqlite')}`, INGEST_KEY, JWT_SECRET: `hub-jwt-secret-${process.pid}-0123456789abcdefghij` };
    const collectorUrl = `http://127.0.0.1:${collectorEnv.PORT}`;
    const [c, h] = await Promise.allSettled([spawnCollector(collectorEnv), startJupyterHub(venv, { collectorUrl, masterKey: INGEST_KEY })]);
    if (c.status === 'fulfilled') (collector = c.value), cleanups.push(stopCollector);
    if (h.status === 'fulfilled') (hub = h.value), cleanups.push(() => hub.stop());
    for (const started of [c, h]) if (started.status === 'rejected') throw started.reason;
    store = openStore(collectorEnv.DATABASE_URL);
    cleanups.push(() => store.destroy());
    phase('hub up');
    writeNotebook(hub.homeOf(ALICE), 'lab1.ipynb', ['alice_was_here = 1\nprint("alice ran cell one")', 'print("alice ran cell two")']);
    writeNotebook(hub.homeOf(TARO), 'lab1.ipynb', ['print("taro ran a cell")']);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    cleanups.push(() => browser.close());
    // One browser profile for the whole lab PC.
    context = await browser.newContext({ viewport: { width: 1400, height: 850 } });
    await noticeSeen(context, ALICE);
    await noticeSeen(context, TARO);
    page = await context.newPage();
  } catch (error) {
    setupError = error;
  }
});

test.after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  phase('stopped');
});

e2e("a shared lab PC: alice's runs queued while the collector was away are never sent under the next student's name, and arrive under hers when she logs back in", async () => {
  // The PC's browser still has the shared queue of an earlier version.
  await page.goto(`${hub.url}/hub/login`);
  await seedLegacyQueue();
  // alice works while the collector is down: her runs wait in the browser (with her run from the old queue).
  await stopCollector();
  await logIn(ALICE, 'lab1.ipynb');
  await run(0, 'alice ran cell one');
  await run(1, 'alice ran cell two');
  await waitFor(async () => (await queuedRuns(ALICE)).length >= 3, 15_000, "alice's runs in her queue");
  await page.screenshot({ path: artifactPath('hub-alice-offline.png') });
  await logOut();

  // The collector is back; たろう logs in on the same browser and runs a cell.
  collector = await spawnCollector(collectorEnv);
  await logIn(TARO, 'lab1.ipynb');
  await run(0, 'taro ran a cell');
  const his = await waitFor(async () => {
    const rows = await stored({ user_id: TARO, event_type: 'cell_execution_complete' });
    return rows.length ? rows : undefined;
  }, 20_000, "たろう's run stored under his name");
  await page.screenshot({ path: artifactPath('hub-taro.png') });
  assert.deepEqual(his.map((row) => row.body.code), ['print("taro ran a cell")']);
  // His page drains oldest first: had it sent alice's queue, her runs would be stored before his.
  const underHisName = await stored({ user_id: TARO });
  assert.deepEqual(underHisName.filter((row) => JSON.stringify(row.body).includes('alice')), [], 'nothing of alice under たろう');
  assert.deepEqual(await stored({ user_id: ALICE }), [], "alice's events wait for her");
  assert.equal((await queuedRuns(ALICE)).length, 3, 'still queued in the browser, for alice');
  assert.deepEqual(await legacyQueue(), [UNKNOWN_RUN], 'the run of an unknown recorder stays in the old queue, unsent');
  await logOut();

  // alice comes back: her page sends her queue, stamped by her own server.
  await logIn(ALICE);
  const hers = await waitFor(async () => {
    const rows = await stored({ user_id: ALICE, event_type: 'cell_execution_complete' });
    return rows.length >= 3 ? rows : undefined;
  }, 30_000, "alice's queued runs stored under alice");
  const cellOne = 'alice_was_here = 1\nprint("alice ran cell one")';
  assert.deepEqual(hers.map((row) => row.body.code).sort(), [cellOne, 'print("alice ran cell two")', LEGACY_RUN].sort());
  // Her offline page load is closed too (its session_end, stashed as the page unloaded at her logout), under her name.
  const offline = hers.find((row) => row.body.code === cellOne)!.session_id;
  await waitFor(async () => (await stored({ user_id: ALICE, session_id: offline, event_type: 'session_end' })).length === 1, 15_000, "the session_end of alice's offline page load");
  const herSessions = new Set((await stored({ user_id: ALICE })).map((row) => row.session_id));
  const underHisNameNow = await stored({ user_id: TARO });
  assert.deepEqual(underHisNameNow.filter((row) => herSessions.has(row.session_id) || JSON.stringify(row.body).includes('alice')), [], 'no event of any of her page loads under たろう');
  await waitFor(async () => (await queuedRuns(ALICE)).length === 0, 15_000, "alice's queue to empty");
  assert.deepEqual(await legacyQueue(), [UNKNOWN_RUN], 'the run of an unknown recorder is still never sent');
  assert.equal((await stored({})).filter((row) => row.body.code === UNKNOWN_RUN).length, 0);
  await logOut();
});

test.run();
