/**
 * `npm run bench:dashboard [-- --quick]`: the dashboard's figures, printed, never asserted. The real
 * collector CLI runs against throwaway PostgreSQL and Redis servers.
 *
 * 1. Ingest → card latency: 300 students enrolled in one class, each running a cell 20 times a
 *    minute (100 runs/s in all) through the real ingest API, while a `/dashboard/ws` client watches
 *    the class; for each card it receives, now − the event's own time. Target p95 < 1 s.
 * 2. Per-cell progress and error clusters of one notebook, 300 students × 40 cells × 20 runs
 *    (240,000 runs), then again at 5× the history (100 runs per student and cell, 1,200,000 runs):
 *    median request time of five, as the class sees it (the history is after the enrolments).
 *    Targets: progress < 200 ms, clusters < 100 ms, the same at 5×. Beside each, the raw query the
 *    route ran before the kept rows (activity/reads.ts over every run and error), in process.
 * 3. First paint of the 300-student board in headless Chromium (sign-in to 300 cards). Target < 2 s.
 * 4. The page's bundle, gzipped.
 *
 * Environment: BENCH_DASHBOARD_SECONDS (phase 1, default 60; --quick 15), CHROMIUM (default /usr/bin/chromium).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import WebSocket from 'ws';
import { chromium } from 'playwright-core';
import { createDb } from '../collector/src/db/createDb.ts';
import { createInstructor } from '../collector/src/instructors/store.ts';
import { MAX_GAP_SECONDS } from '../collector/src/activity/cellProgress.ts';
import { cellRunSums, errorGroups } from '../collector/src/activity/reads.ts';
import { rowsOfNotebookIn, studentRowsIn } from '../collector/src/classes/rowScopes.ts';
import { DASHBOARD_DIST } from '../collector/src/http/pageRoutes.ts';
import { startPostgres, startRedis, tempDir, waitFor } from '../test/helpers/services.ts';
import { spawnCollector } from '../test/helpers/stack.ts';
import { fmt, ms, sleep, stopChild } from './bench-probe.ts';

const quick = process.argv.includes('--quick');
const SECONDS = Number(process.env.BENCH_DASHBOARD_SECONDS ?? (quick ? 15 : 60));
const STUDENTS = 300;
const CELLS = 40;
const RUNS_PER_CELL = 20;
const SECRET = 'bench-dashboard-jwt-secret-0123456789-abcdef';
const PASSWORD = 'bench-password-1';

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN;
};

async function api(base: string, method: string, route: string, token?: string, body?: unknown): Promise<any> {
  const res = await fetch(base + route, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function post(base: string, events: object[]): Promise<void> {
  const res = await fetch(`${base}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
  if (res.status !== 202) throw new Error(`ingest: ${res.status} ${await res.text()}`);
}

const user = (i: number) => `bench-${String(i).padStart(3, '0')}`;

async function main(): Promise<void> {
  console.log(`cell-monitor dashboard benchmark${quick ? ' (quick)' : ''}: node ${process.version}, ${os.cpus().length} CPUs`);
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const databaseUrl = await postgres.createDatabase('bench_dashboard');
  const dataDir = tempDir('bench-dashboard');
  const collector = await spawnCollector({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl, REDIS_URL: redis.url, JWT_SECRET: SECRET, INGEST_RATE_LIMIT: '0', INGEST_BYTES_PER_MINUTE: '0' }); // the seeding is one sender, not a class: no per-student budgets
  const base = collector.url;
  const db = createDb(databaseUrl);
  try {
    await createInstructor(db, { email: 'bench@example.org', name: 'Bench Teacher', password: PASSWORD, role: 'instructor' });
    const { token } = await api(base, 'POST', '/api/v1/auth/login', undefined, { email: 'bench@example.org', password: PASSWORD });
    const cls = await api(base, 'POST', '/api/v1/classes', token, { name: 'Bench class', class_code: 'BENCH' });
    for (let i = 0; i < STUDENTS; i++) await api(base, 'POST', `/api/v1/classes/${cls.id}/students`, token, { user_id: user(i), name: `Student ${i}` });

    // 1. Ingest → card latency.
    const socket = new WebSocket(`${base.replace('http', 'ws')}/dashboard/ws?class_id=${cls.id}`, ['cell-monitor.bearer', token]);
    const latencies: number[] = [];
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'card' && message.card.lastActivityAt) latencies.push(Date.now() - Date.parse(message.card.lastActivityAt));
    });
    await new Promise((resolve) => socket.once('open', resolve));
    const perSecond = (STUDENTS * 20) / 60;
    let seq = 0;
    const started = Date.now();
    let sent = 0;
    while (Date.now() - started < SECONDS * 1000) {
      const tick = Date.now();
      // Each request carries one student's run, as each student's companion would send it.
      const batch = Array.from({ length: perSecond }, () => {
        const i = seq++ % STUDENTS;
        return { eventId: `live-${seq}`, eventType: seq % 7 === 0 ? 'cell_execution_error' : 'cell_execution_complete', eventTime: new Date().toISOString(), userId: user(i), sessionId: `s-${i}`, notebookPath: 'live.ipynb', cellId: `c${seq % CELLS}`, cellIndex: seq % CELLS, success: seq % 7 !== 0, ...(seq % 7 === 0 ? { error: { name: 'NameError', message: "name 'x' is not defined" } } : {}) };
      });
      await Promise.all(batch.map((e) => post(base, [e])));
      sent += batch.length;
      await sleep(Math.max(0, 1000 - (Date.now() - tick)));
    }
    await sleep(2000);
    socket.close();
    console.log(`\ningest → card update (${fmt(sent)} runs over ${SECONDS} s, ${STUDENTS} students at 20 runs/min, ${fmt(latencies.length)} cards received):`);
    console.log(`  p50 ${ms(quantile(latencies, 0.5))}, p95 ${ms(quantile(latencies, 0.95))}, max ${ms(Math.max(...latencies))} (target p95 < 1000 ms)`);

    // 2. Per-cell progress and clusters over 300 × 40 × 20 runs, then 5× the history. The class
    // shows runs from the enrolment on: the enrolments are dated before the history.
    const t0 = Date.now() - 4 * 3_600_000;
    await db('class_enrollments').where({ class_id: cls.id }).update({ enrolled_at: new Date(t0 - 3_600_000).toISOString() });
    let n = 0;
    /** `runs` more runs per student and cell, after the `before` already sent. */
    const history = (before: number, runs: number) => {
      const all: object[] = [];
      for (let i = 0; i < STUDENTS; i++) {
        for (let c = 0; c < CELLS; c++) {
          for (let r = before; r < before + runs; r++) {
            const ok = r === RUNS_PER_CELL - 1 || (i + c + r) % 3 !== 0;
            n++;
            all.push({ eventId: `hist-${n}`, eventType: ok ? 'cell_execution_complete' : 'cell_execution_error', eventTime: new Date(t0 + (before * CELLS + c * runs + (r - before)) * 500 + i).toISOString(), userId: user(i), sessionId: `h-${i}`, notebookPath: 'history.ipynb', cellId: `cell-${c}`, cellIndex: c, success: ok, ...(ok ? {} : { error: { name: ['NameError', 'KeyError', 'TypeError'][c % 3], message: `name 'v${r}' is not defined` } }) });
          }
        }
      }
      return all;
    };
    const since = new Date(t0 - 60_000);
    const routes = [
      { label: 'progress (per cell, 40 cells)', target: 200, route: `/api/v1/dashboard/progress?class_id=${cls.id}&notebook_path=history.ipynb`, raw: () => cellRunSums(db, 'history.ipynb', { maxGapSeconds: MAX_GAP_SECONDS, scope: rowsOfNotebookIn(db, { classId: cls.id }, 'history.ipynb') }) },
      { label: 'error clusters', target: 100, route: `/api/v1/dashboard/errors?class_id=${cls.id}&notebook_path=history.ipynb&since=${encodeURIComponent(since.toISOString())}`, raw: () => errorGroups(db, { since, notebookPath: 'history.ipynb', scope: studentRowsIn(db, { classId: cls.id }) }) },
    ];
    const median = async (work: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let k = 0; k < 5; k++) {
        const t = performance.now();
        await work();
        times.push(performance.now() - t);
      }
      return quantile(times, 0.5);
    };
    let sentRuns = 0;
    for (const [scale, runs] of [[1, RUNS_PER_CELL], [5, 4 * RUNS_PER_CELL]] as const) {
      const all = history(sentRuns / (STUDENTS * CELLS), runs);
      sentRuns += all.length;
      const loadStarted = Date.now();
      for (let i = 0; i < all.length; i += 100 * 8) await Promise.all(Array.from({ length: 8 }, (_, k) => all.slice(i + k * 100, i + (k + 1) * 100)).filter((b) => b.length).map((b) => post(base, b)));
      await waitFor(async () => {
        const [{ count }] = await db('cell_executions').join('notebooks', 'notebooks.id', 'cell_executions.notebook_id').where('notebooks.path', 'history.ipynb').count({ count: '*' });
        return Number(count) >= sentRuns;
      }, 1_800_000, 'the history to be persisted');
      console.log(`\nper-cell and cluster queries at ${scale}× the history (${fmt(sentRuns)} runs of one notebook; ${fmt(all.length)} loaded in ${((Date.now() - loadStarted) / 1000).toFixed(0)} s):`);
      for (const { label, target, route, raw } of routes) {
        const answer = await api(base, 'GET', route, token);
        const size = Array.isArray(answer) ? `${fmt(answer.length)} clusters` : `${fmt(answer.students)} students`;
        console.log(`  ${label} (${size}): median ${ms(await median(() => api(base, 'GET', route, token)))} of 5 (target < ${target} ms); the raw query it ran before: ${ms(await median(raw))}`);
      }
    }

    // 3. First paint of the 300-student board.
    if (!fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'))) {
      console.log('\nfirst paint: n/a (dashboard not built: npm run build:dashboard)');
    } else {
      const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
      try {
        const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
        await page.goto(base);
        await page.fill('input[type=email]', 'bench@example.org');
        await page.fill('input[type=password]', PASSWORD);
        const t = Date.now();
        await page.click('button[type=submit]');
        await page.waitForFunction((count) => document.querySelectorAll('[data-card]').length >= count, STUDENTS, { timeout: 30_000 });
        console.log(`\nfirst paint of the ${STUDENTS}-student board (sign-in click → ${STUDENTS} cards): ${ms(Date.now() - t)} (target < 2000 ms)`);
        fs.mkdirSync('test-artifacts', { recursive: true });
        await page.screenshot({ path: 'test-artifacts/dashboard-300-students-laptop.png' });
        console.log('  screenshot: test-artifacts/dashboard-300-students-laptop.png');
      } finally {
        await browser.close();
      }
    }

    // 4. Bundle size.
    if (fs.existsSync(DASHBOARD_DIST)) {
      const files = fs.readdirSync(DASHBOARD_DIST).filter((f) => /\.(js|css|html)$/.test(f));
      const raw = files.reduce((sum, f) => sum + fs.statSync(path.join(DASHBOARD_DIST, f)).size, 0);
      const gz = files.reduce((sum, f) => sum + zlib.gzipSync(fs.readFileSync(path.join(DASHBOARD_DIST, f))).length, 0);
      console.log(`\ndashboard bundle: ${fmt(raw / 1024)} KB, ${fmt(gz / 1024)} KB gzipped (${files.join(', ')})`);
    }
  } finally {
    await db.destroy();
    await stopChild(collector.child);
    await redis.stop();
    await postgres.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
