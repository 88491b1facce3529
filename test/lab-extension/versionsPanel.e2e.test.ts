/**
 * The student's Versions panel in a real JupyterLab (issue 21): the built wheel in a venv, `jupyter
 * lab` with the companion pointed at the real collector CLI, headless Chromium. Versions are seeded
 * as the student's companion sends them (`notebook_snapshot` events posted to the companion route,
 * stamped and credentialed there); the student opens the panel, picks the oldest version, restores a
 * deleted cell and an edited one, writes the version as a new file, and sees a clear line when the
 * collector is away. Locally a missing prerequisite skips this file; under CI=true it fails.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import { chromium, type Browser, type Page } from 'playwright-core';
import { artifactPath, CHROMIUM, installWheel, missingPrerequisite, noticeSeen, startJupyterLab, type JupyterLab } from '../helpers/jupyter.ts';
import { freePort, tempDir, waitFor } from '../helpers/services.ts';
import { openStore, spawnCollector, type CollectorProcess } from '../helpers/stack.ts';
import { studentCredential } from '../../collector/src/auth/studentCredential.ts';

const INGEST_KEY = `e2e-versions-master-key-${process.pid}-secret`;
const STUDENT = 'さくら';
const JWT_SECRET = `e2e-versions-jwt-secret-${process.pid}-0123456789abcdef`;
const NOTEBOOK = 'circle.ipynb';
const MANY = 'many.ipynb';
const missing = missingPrerequisite();
if (missing && process.env.CI === 'true') throw new Error(`CI=true and the browser E2E cannot run: ${missing}`);
if (missing) console.log(`# skipped: ${missing} (never skipped when CI=true)`);

type Cell = { id: string; type: 'code' | 'markdown'; source: string };
/** The notebook as it was handed in (version 1) … */
const HANDED_IN: Cell[] = [
  { id: 'title', type: 'markdown', source: '# Circles <b>not markup</b>' },
  { id: 'imports', type: 'code', source: 'import math' },
  { id: 'area', type: 'code', source: 'def area(r):\n    return math.pi * r ** 2' },
  { id: 'check', type: 'code', source: 'assert round(area(1), 2) == 3.14' },
  { id: 'show', type: 'code', source: 'print(area(2))' },
];
/** … and as it is now: the area function broken, the check deleted. */
const NOW: Cell[] = [HANDED_IN[0], HANDED_IN[1], { id: 'area', type: 'code', source: 'def area(r):\n    return 2 * r  # tried something' }, HANDED_IN[4]];

interface Stack {
  collector: CollectorProcess;
  lab: JupyterLab;
  browser: Browser;
  page: Page;
}
let stack: Stack;
let setupError: unknown;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

function e2e(name: string, body: (page: Page) => Promise<void>): void {
  if (missing) return test.skip(name);
  test(name, async () => {
    if (setupError) throw setupError;
    try {
      await body(stack.page);
    } catch (error) {
      const file = artifactPath(`failed-versions-${name.slice(0, 40).replace(/[^A-Za-z0-9]+/g, '-')}.png`);
      await stack.page.screenshot({ path: file }).catch(() => undefined);
      console.log(`# screenshot of the failure: ${file}`);
      throw error;
    }
  });
}

function writeCells(dir: string, name: string, cells: Cell[]): void {
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
    cells: cells.map((c) => (c.type === 'code' ? { cell_type: 'code', id: c.id, metadata: {}, source: c.source, outputs: [], execution_count: null } : { cell_type: 'markdown', id: c.id, metadata: {}, source: c.source })),
  };
  fs.writeFileSync(path.join(dir, name), JSON.stringify(notebook, null, 1));
}

function snapshotEvent(notebookPath: string, trigger: 'save' | 'submission' | 'interval', cells: Cell[], at: Date) {
  return {
    eventId: `versions-e2e-${process.pid}-${notebookPath}-${trigger}-${at.getTime()}`,
    eventType: 'notebook_snapshot',
    eventTime: at.toISOString(),
    sessionId: `versions-e2e-${process.pid}`,
    notebookPath,
    metadata: { snapshot: { trigger, cells } },
  };
}

/** Posts snapshots as the student's companion does: to the companion route, which stamps and credentials them. */
async function postSnapshots(events: Array<ReturnType<typeof snapshotEvent>>): Promise<void> {
  const reply = await fetch(`${stack.lab.url}/cell-monitor?token=${stack.lab.token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
  assert.equal(reply.status, 202, await reply.text());
}

test.before(async () => {
  if (missing) return;
  try {
    const venv = installWheel();
    const dataDir = tempDir('versions-e2e-data');
    const collector = await spawnCollector({ PORT: String(await freePort()), DATA_DIR: dataDir, DATABASE_URL: `sqlite://${path.join(dataDir, 'store.sqlite')}`, INGEST_KEY, JWT_SECRET });
    cleanups.push(async () => {
      if (collector.child.exitCode === null) {
        collector.child.kill('SIGTERM');
        await collector.exited;
      }
    });
    const rootDir = tempDir('versions-e2e-notebooks');
    writeCells(rootDir, NOTEBOOK, NOW);
    const lab = await startJupyterLab(venv, { collectorUrl: collector.url, credential: studentCredential(INGEST_KEY, STUDENT), user: STUDENT, rootDir, args: ['--LabApp.expose_app_in_browser=True'] });
    cleanups.push(() => lab.stop());
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    cleanups.push(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1400, height: 850 } });
    await noticeSeen(context, STUDENT);
    stack = { collector, lab, browser, page: await context.newPage() };
    // Oldest first: handed in two hours ago, then a save an hour ago (the same cells as now).
    const now = Date.now();
    await postSnapshots([snapshotEvent(NOTEBOOK, 'submission', HANDED_IN, new Date(now - 2 * 3600_000)), snapshotEvent(NOTEBOOK, 'save', NOW, new Date(now - 3600_000))]);
    // A long day of automatic versions in another notebook: more than one page (50) of them.
    writeCells(rootDir, MANY, [{ id: 'x', type: 'code', source: 'x = 54' }]);
    await postSnapshots(Array.from({ length: 55 }, (_, i) => snapshotEvent(MANY, 'interval', [{ id: 'x', type: 'code', source: `x = ${i}` }], new Date(now - (60 - i) * 60_000))));
    const store = openStore(`sqlite://${path.join(dataDir, 'store.sqlite')}`);
    cleanups.push(() => store.destroy());
    await waitFor(async () => Number((await store('history_versions').count({ n: '*' }))[0].n) === 57 || undefined, 30_000, 'the 57 versions stored');
  } catch (error) {
    setupError = error;
  }
});

test.after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The cells of the open notebook, from its model (what a save would write). */
function notebookCells(page: Page): Promise<Array<{ id: string; type: string; source: string }>> {
  return page.evaluate(() => {
    const app = (window as any).jupyterapp;
    const panel = app.shell.currentWidget;
    return panel.content.model.sharedModel.cells.map((c: any) => ({ id: c.id, type: c.cell_type, source: c.getSource() }));
  });
}

e2e('the Versions panel lists the versions newest first, compares the handed-in one with the notebook now, and restores a deleted and an edited cell', async (page) => {
  await page.goto(`${stack.lab.url}/lab/workspaces/versions-${process.pid}/tree/${NOTEBOOK}?reset&token=${stack.lab.token}`);
  await page.locator('.jp-NotebookPanel .jp-Cell').first().waitFor({ timeout: 60_000 });
  await page.locator('.jp-SideBar .lm-TabBar-tab[data-id="cell-monitor-versions"]').click();
  const items = page.locator('.cm-Version');
  await waitFor(async () => (await items.count()) === 2, 15_000, 'two versions in the panel');
  assert.match(await items.nth(0).innerText(), /Version 2[\s\S]*saved · 4 cells/);
  assert.match(await items.nth(1).innerText(), /Version 1[\s\S]*handed in · 5 cells[\s\S]*handed in/);

  await items.nth(1).click();
  const comparison = page.locator('.cm-Versions-comparison');
  await comparison.waitFor({ timeout: 10_000 });
  assert.match(await comparison.innerText(), /Since this version: 1 edited, 1 deleted, 3 unchanged\./);
  const deleted = page.locator('.cm-Versions-change[data-kind="removed"]');
  assert.match(await deleted.innerText(), /Was cell 4: deleted since this version[\s\S]*assert round\(area\(1\), 2\) == 3\.14/);
  const edited = page.locator('.cm-Versions-change[data-kind="changed"]');
  assert.match(await edited.innerText(), /Cell 3: edited since this version/);
  assert.equal(await edited.locator('.cm-Versions-line[data-op="remove"] .cm-Versions-text').innerText(), '    return math.pi * r ** 2');
  assert.equal(await edited.locator('.cm-Versions-line[data-op="add"] .cm-Versions-text').innerText(), '    return 2 * r  # tried something');
  await page.screenshot({ path: artifactPath('jupyterlab-versions-compare.png') });

  // The deleted check comes back where it stood (before print(area(2))), with its old id.
  await deleted.locator('.cm-Versions-restoreCell').click();
  await waitFor(async () => (await notebookCells(page)).length === 5, 5_000, 'the restored cell in the notebook');
  const afterInsert = await notebookCells(page);
  assert.deepEqual(afterInsert[3], { id: 'check', type: 'code', source: 'assert round(area(1), 2) == 3.14' });
  assert.equal(afterInsert[4].source, 'print(area(2))');
  // It is one step of the notebook's cell undo: z in command mode takes it out, Shift+Z puts it back.
  await page.locator('.jp-NotebookPanel .jp-Cell').nth(1).locator('.jp-InputPrompt').click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('z');
  await waitFor(async () => (await notebookCells(page)).length === 4, 5_000, 'undo of the restore');
  await page.keyboard.press('Shift+Z');
  await waitFor(async () => (await notebookCells(page)).length === 5, 5_000, 'redo of the restore');

  // The edited function gets its handed-in source back; the comparison then shows only what is still different: nothing.
  await page.locator('.cm-Versions-change[data-kind="changed"] .cm-Versions-restoreCell').click();
  await waitFor(async () => (await notebookCells(page))[2].source === HANDED_IN[2].source, 5_000, 'the old source in the cell');
  await page.locator('.cm-Versions-statistics', { hasText: 'The same as your notebook now.' }).waitFor({ timeout: 5_000 });
  // That is one step of the cell's own undo (Ctrl+Z in the cell), and the comparison follows the edit.
  await page.locator('.jp-NotebookPanel .jp-Cell').nth(2).locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Control+z');
  await waitFor(async () => (await notebookCells(page))[2].source === NOW[2].source, 5_000, 'undo of the restored source');
  await page.locator('.cm-Versions-statistics', { hasText: 'Since this version: 1 edited' }).waitFor({ timeout: 5_000 });
  await page.keyboard.press('Control+Shift+z');
  await waitFor(async () => (await notebookCells(page))[2].source === HANDED_IN[2].source, 5_000, 'redo of the restored source');
  await page.locator('.cm-Versions-statistics', { hasText: 'The same as your notebook now.' }).waitFor({ timeout: 5_000 });
  // Data is text, never markup: the markdown cell's <b> is shown as written.
  assert.equal(await page.locator('.cm-Versions b').count(), 0);

  // Saved, the file on disk has it.
  await page.locator('.jp-NotebookPanel .jp-Cell').nth(0).locator('.jp-InputPrompt').click();
  await page.keyboard.press('Control+s');
  await waitFor(() => {
    const saved = JSON.parse(fs.readFileSync(path.join(stack.lab.rootDir, NOTEBOOK), 'utf8'));
    const sources = saved.cells.map((c: { source: string | string[] }) => (Array.isArray(c.source) ? c.source.join('') : c.source)); // nbformat writes lists of lines
    return sources.length === 5 && sources[3] === HANDED_IN[3].source && sources[2] === HANDED_IN[2].source ? true : undefined;
  }, 10_000, 'the restored cells saved to disk');
  // The save itself is captured (snapshots.ts through the companion): after Refresh it is the newest version.
  await waitFor(
    async () => {
      await page.locator('.cm-Versions-refresh').click();
      await page.waitForTimeout(500);
      return /Version 3[\s\S]*saved · 5 cells/.test(await items.nth(0).innerText()) || undefined;
    },
    20_000,
    'the save as version 3 in the panel',
  );
  await page.screenshot({ path: artifactPath('jupyterlab-versions-restored.png') });
});

e2e('"Restore as new file" writes the version next to the notebook as "circle (version 1).ipynb" and opens it', async (page) => {
  await page.locator('.cm-Versions-restoreFile').click();
  const file = path.join(stack.lab.rootDir, 'circle (version 1).ipynb');
  await waitFor(() => (fs.existsSync(file) ? true : undefined), 10_000, 'the new file');
  const written = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(
    written.cells.map((c: any) => [c.id, c.cell_type, Array.isArray(c.source) ? c.source.join('') : c.source]),
    HANDED_IN.map((c) => [c.id, c.type, c.source]),
  );
  assert.equal(written.metadata.kernelspec.name, 'python3');
  await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'circle (version 1).ipynb' }).waitFor({ timeout: 15_000 });
});

e2e('a notebook with more versions than one page shows the newest 50, and "Show older versions" the rest down to version 1', async (page) => {
  await page.goto(`${stack.lab.url}/lab/workspaces/versions-many-${process.pid}/tree/${MANY}?reset&token=${stack.lab.token}`);
  await page.locator('.jp-NotebookPanel .jp-Cell').first().waitFor({ timeout: 60_000 });
  await page.locator('.jp-SideBar .lm-TabBar-tab[data-id="cell-monitor-versions"]').click();
  const items = page.locator('.cm-Version');
  await waitFor(async () => (await items.count()) === 50, 15_000, 'the first page');
  assert.match(await items.nth(0).innerText(), /Version 55[\s\S]*kept automatically \(every few minutes\)/);
  await page.locator('.cm-Versions-more').click();
  await waitFor(async () => (await items.count()) === 55, 10_000, 'the older versions');
  assert.match(await items.nth(54).innerText(), /Version 1\b/);
  assert.equal(await page.locator('.cm-Versions-more').isVisible(), false);
  // The oldest against the notebook now: one line edited.
  await items.nth(54).click();
  await page.locator('.cm-Versions-change[data-kind="changed"]', { hasText: 'Cell 1: edited since this version' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('.cm-Versions-line[data-op="remove"] .cm-Versions-text').innerText(), 'x = 0');
});

e2e('with the collector away the panel says so in one line, and no dialog opens', async (page) => {
  await page.locator('.cm-Versions-refresh').waitFor({ state: 'visible', timeout: 5_000 });
  stack.collector.child.kill('SIGTERM');
  await stack.collector.exited;
  await page.locator('.cm-Versions-refresh').click();
  await page.locator('.cm-Versions-message', { hasText: 'the class server cannot be reached' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('.jp-Dialog').count(), 0);
  await page.screenshot({ path: artifactPath('jupyterlab-versions-away.png') });
});

test.run();
