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
/** A hub admin (JupyterHub's admin role may open every user's server). */
const TEACHER = 'teacher';
const TEACHER_RUN = 'print("checked by the teacher")';
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
const consoleLines: string[] = [];
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

/** A hub admin logs in and opens `user`'s notebook on `user`'s server (granting the hub's "Authorize access" if asked). */
async function visitAsAdmin(user: string, notebook: string): Promise<void> {
  phase(`${TEACHER} (hub admin) opens ${user}'s server`);
  const visited = consoleLines.length;
  await page.goto(`${hub.url}/hub/login?next=${encodeURIComponent('/hub/home')}`);
  await page.locator('#username_input').fill(TEACHER);
  await page.locator('#password_input').fill('any password');
  await page.locator('#login_submit').click();
  await page.waitForURL((url) => url.pathname.startsWith('/hub/home'), { timeout: 30_000 });
  const lab = `/user/${encodeURIComponent(user)}/lab`;
  await page.goto(`${hub.url}${lab}/tree/${notebook}?reset`);
  await page.waitForURL((url) => url.pathname.startsWith(lab) || url.pathname.includes('/oauth2/authorize'), { timeout: 30_000 });
  if (!new URL(page.url()).pathname.startsWith(lab)) {
    await page.locator('form input[type=submit], form button[type=submit]').first().click();
    await page.waitForURL((url) => url.pathname.startsWith(lab), { timeout: 30_000 });
  }
  await page.locator('.jp-NotebookPanel .jp-Cell').first().waitFor({ timeout: 60_000 });
  await page.locator('.jp-StatusBar-Widget', { hasText: /Python 3 \(ipykernel\) \| (Idle|Busy)/ }).first().waitFor({ timeout: 60_000 });
  await waitFor(async () => consoleLines.slice(visited).some((line) => line.includes(`belongs to ${user}; nothing is recorded`)), 30_000, 'the extension to see a visitor');
  phase(`${TEACHER} is in ${user}'s JupyterLab`);
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
    const [c, h] = await Promise.allSettled([spawnCollector(collectorEnv), startJupyterHub(venv, { collectorUrl, masterKey: INGEST_KEY, admins: [TEACHER] })]);
    if (c.status === 'fulfilled') (collector = c.value), cleanups.push(stopCollector);
    if (h.status === 'fulfilled') (hub = h.value), cleanups.push(() => hub.stop());
    for (const started of [c, h]) if (started.status === 'rejected') throw started.reason;
    store = openStore(collectorEnv.DATABASE_URL);
    cleanups.push(() => store.destroy());
    phase('hub up');
    writeNotebook(hub.homeOf(ALICE), 'lab1.ipynb', ['alice_was_here = 1\nprint("alice ran cell one")', 'print("alice ran cell two")', TEACHER_RUN]);
    writeNotebook(hub.homeOf(TARO), 'lab1.ipynb', ['print("taro ran a cell")']);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    cleanups.push(() => browser.close());
    // One browser profile for the whole lab PC.
    context = await browser.newContext({ viewport: { width: 1400, height: 850 } });
    await noticeSeen(context, ALICE);
    await noticeSeen(context, TARO);
    page = await context.newPage();
    page.on('console', (message) => consoleLines.push(message.text()));
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

  // A hub admin opens alice's server (her notebook, her kernel) and runs a cell there: nothing is recorded.
  await visitAsAdmin(ALICE, 'lab1.ipynb');
  await run(2, 'checked by the teacher');
  const refused = await page.evaluate(async (base) => {
    const xsrf = document.cookie.split('; ').find((c) => c.startsWith('_xsrf='))?.slice('_xsrf='.length) ?? '';
    const response = await fetch(`${base}cell-monitor`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-XSRFToken': decodeURIComponent(xsrf) }, body: JSON.stringify({ events: [] }) });
    return { status: response.status, body: await response.json() };
  }, `/user/${ALICE}/`);
  assert.equal(refused.status, 403, 'her server sends nothing for a visiting admin');
  assert.equal(refused.body.error, 'visitor_not_recorded');
  assert.equal((await queuedRuns(ALICE)).filter((code) => code === TEACHER_RUN).length, 0, "the admin's run is not queued as alice's");
  assert.equal((await queuedRuns(ALICE)).length, 3, "and the admin's page left alice's queue for her");
  await page.screenshot({ path: artifactPath('hub-admin-visits-alice.png') });
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
  // alice's queue is empty: had the admin's page queued or sent her run, it would be stored by now.
  assert.deepEqual((await stored({})).filter((row) => JSON.stringify(row.body).includes('checked by the teacher')), [], "the admin's run is stored under no name");
  assert.deepEqual(await stored({ user_id: TEACHER }), []);
  await logOut();
});

e2e('"Check connection" from a hub-spawned server: every hop green, the test event stored apart under the student', async () => {
  await logOut(); // whoever the browser was signed in as
  await logIn(TARO);
  // JupyterLab may still be rebuilding its Help menu as late plugins add their items: an open menu
  // is then replaced under the pointer (the item "detached from the DOM"), so open it again until the click lands.
  await waitFor(async () => {
    await page.keyboard.press('Escape');
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Help' }).click({ timeout: 5_000 });
    await page.locator('.lm-Menu-itemLabel', { hasText: 'Cell Monitor: Check connection' }).click({ timeout: 3_000 });
    return true;
  }, 45_000, 'the Help menu\'s "Cell Monitor: Check connection" clicked');
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('.cm-check').waitFor({ timeout: 30_000 });
  const hops = await dialog.locator('.cm-check li').evaluateAll((items) => items.map((li) => [(li as HTMLElement).dataset.hop!, (li as HTMLElement).dataset.ok === 'true']));
  await page.screenshot({ path: artifactPath('hub-check-connection.png') });
  assert.deepEqual(hops, [['companion', true], ['collector', true], ['credential', true], ['stored', true]]);
  await page.locator('.jp-Dialog button', { hasText: 'Close' }).click();
  assert.equal((await store('connection_tests').where({ user_id: TARO })).length, 1, 'his test event, under his name');
  assert.deepEqual(await stored({ event_type: 'connection_test' }), [], 'and not among the events');
  await logOut();
});

e2e("the master key is in no student server's or kernel's environment; each server holds only its own student's credential", async () => {
  const { hub: hubProcess, servers } = hub.processes();
  // Not vacuous: the hub that issues the credentials does hold the key.
  assert.equal(hubProcess.environ.CELL_MONITOR_MASTER_KEY, INGEST_KEY);
  const singleuser = servers.filter((p) => p.cmdline.includes('jupyterhub.singleuser'));
  const kernels = servers.filter((p) => p.cmdline.includes('ipykernel'));
  const users = singleuser.map((p) => p.environ.JUPYTERHUB_USER);
  assert.ok(users.includes(ALICE) && users.includes(TARO), `both students' servers (${users})`);
  assert.equal(kernels.length >= 2, true, `their kernels (${kernels.length})`);
  for (const p of servers) {
    const holding = Object.entries(p.environ).filter(([, value]) => value.includes(INGEST_KEY)).map(([name]) => name);
    assert.deepEqual(holding, [], `the master key in the environment of ${p.cmdline}`);
  }
  for (const server of singleuser) {
    assert.equal(server.environ.CELL_MONITOR_USER, server.environ.JUPYTERHUB_USER);
    assert.match(server.environ.CELL_MONITOR_CREDENTIAL ?? '', /^cmc2_\d+_/, 'its own credential');
    assert.equal(server.environ.CELL_MONITOR_COLLECTOR_URL, `http://127.0.0.1:${collectorEnv.PORT}`, "the collector URL from the hub's environment");
  }
  assert.equal(new Set(singleuser.map((p) => p.environ.CELL_MONITOR_CREDENTIAL)).size, singleuser.length, 'a credential of its own each');
  // The companion removes the credential before any kernel starts: a kernel has neither.
  for (const kernel of kernels) assert.equal(kernel.environ.CELL_MONITOR_CREDENTIAL, undefined, `a credential in ${kernel.cmdline}`);
});

e2e("each student's events are stored under their hub name only", async () => {
  const all = await stored({});
  assert.deepEqual([...new Set(all.map((row) => row.user_id))].sort(), [ALICE, TARO].sort(), 'no other name (not the percent-encoded たろう, not the admin)');
  assert.equal(all.some((row) => row.user_id === encodeURIComponent(TARO)), false);
  const text = (row: (typeof all)[number]) => JSON.stringify(row.body);
  const whose = (pattern: RegExp) => [...new Set(all.filter((row) => pattern.test(text(row))).map((row) => row.user_id))];
  assert.deepEqual(whose(/taro ran a cell/), [TARO], 'his runs under his name only');
  assert.deepEqual(whose(/alice ran cell|alice_was_here|before the upgrade/), [ALICE], 'hers under hers only');
  // A page load (session) belongs to one student.
  const owners = new Map<string, Set<string>>();
  for (const row of all) owners.set(row.session_id, (owners.get(row.session_id) ?? new Set()).add(row.user_id));
  assert.deepEqual([...owners].filter(([, users]) => users.size > 1), [], 'no session under two names');
});

test.run();
