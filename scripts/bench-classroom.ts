/**
 * `npm run bench:classroom [-- --quick]` (issue 20 item 5): the classroom at scale. 2,000 students
 * in 10 classes, each running a cell every 2 s (1,000 events/s in all), through the ingest API the
 * way the extension's companion sends them (one request per flush with the student's credential,
 * the budgets as shipped), spread over 3 collectors on one Redis + PostgreSQL — a student stays
 * on one collector, as behind a hub's proxy. One dashboard watcher per class, each on one of the
 * collectors (`/dashboard/ws`). Printed, never asserted: ack p99 (send → 202, target < 20 ms)
 * and ingest → card p99 (the event's own time → the card carrying it on the class's board, target
 * < 250 ms), with the collectors' peak RSS. The collectors run the compiled build admins install
 * (built here first); BENCH_COLLECTOR=src runs the sources through tsx instead (~60 MB more each).
 *
 * Environment: BENCH_CLASSROOM_SECONDS (default 60; --quick 15), BENCH_CLASSROOM_STUDENTS (2000).
 */
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import WebSocket from 'ws';
import { createDb } from '../collector/src/db/createDb.ts';
import { createInstructor } from '../collector/src/instructors/store.ts';
import { startPostgres, startRedis, tempDir } from '../test/helpers/services.ts';
import { ROOT, spawnCollector, type CollectorProcess } from '../test/helpers/stack.ts';
import { postAs } from './bench-fairness.ts';
import { percentile } from './bench-load.ts';
import { cpuWindow, fmt, mb, ms, removeTempDir, sleep, stopChild, watchMemory, type MemoryWatch } from './bench-probe.ts';

const quick = process.argv.includes('--quick');
const SECONDS = Number(process.env.BENCH_CLASSROOM_SECONDS ?? (quick ? 15 : 60));
const STUDENTS = Number(process.env.BENCH_CLASSROOM_STUDENTS ?? 2000);
const CLASSES = 10;
const COLLECTORS = 3;
const PERIOD_MS = 2_000;
const SECRET = 'bench-classroom-jwt-secret-0123456789-abcdef';
const MASTER_KEY = 'bench-classroom-master-key-0123456789abcdef';
const PASSWORD = 'bench-password-1';
const TARGET = { ackP99: 20, cardP99: 250 };
const COMPILED = (process.env.BENCH_COLLECTOR ?? 'dist') !== 'src';

const user = (i: number) => `room-${String(i).padStart(4, '0')}`;

async function api(base: string, method: string, route: string, token?: string, body?: unknown): Promise<any> {
  const res = await fetch(base + route, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function main(): Promise<void> {
  console.log(`cell-monitor classroom benchmark${quick ? ' (quick)' : ''}: node ${process.version}, ${os.cpus().length} CPUs`);
  console.log(`${fmt(STUDENTS)} students in ${CLASSES} classes, one run every ${PERIOD_MS / 1000} s each (${fmt((STUDENTS * 1000) / PERIOD_MS)} events/s), ${COLLECTORS} collectors on one Redis + PostgreSQL, a board watcher per class, ${SECONDS} s`);
  if (COMPILED) execFileSync('npm', ['run', '--silent', 'build', '-w', 'collector'], { cwd: ROOT, stdio: 'inherit' });
  console.log(`collectors: ${COMPILED ? 'the compiled build (collector/dist)' : 'the sources through tsx'}`);
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const databaseUrl = await postgres.createDatabase('bench_classroom');
  const dirs: string[] = [];
  const collectors: CollectorProcess[] = [];
  const memory: MemoryWatch[] = [];
  const db = createDb(databaseUrl);
  // Idle sockets are dropped after 4 s, as a keep-alive client does before the server's own idle timeout.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });
  const sockets: WebSocket[] = [];
  try {
    for (let c = 0; c < COLLECTORS; c++) {
      const dir = tempDir('bench-classroom');
      dirs.push(dir);
      // One after the other: the first runs the migrations.
      const proc = await spawnCollector({ DATA_DIR: dir, DATABASE_URL: databaseUrl, REDIS_URL: redis.url, JWT_SECRET: SECRET, INGEST_KEY: MASTER_KEY, COLLECTOR_ID: `room-${c}` }, [], { compiled: COMPILED });
      collectors.push(proc);
      memory.push(watchMemory(proc.child.pid!));
    }
    const bases = collectors.map((c) => new URL(c.url));
    await createInstructor(db, { email: 'room@example.org', name: 'Room Teacher', password: PASSWORD, role: 'instructor' });
    const { token } = await api(collectors[0].url, 'POST', '/api/v1/auth/login', undefined, { email: 'room@example.org', password: PASSWORD });
    const classIds: number[] = [];
    for (let k = 0; k < CLASSES; k++) {
      const cls = await api(collectors[0].url, 'POST', '/api/v1/classes', token, { name: `Room ${k}`, class_code: `ROOM${k}` });
      const lines = ['user_id,name'];
      for (let i = k; i < STUDENTS; i += CLASSES) lines.push(`${user(i)},Student ${i}`);
      await api(collectors[0].url, 'POST', `/api/v1/classes/${cls.id}/roster`, token, { csv: lines.join('\n'), apply: true });
      classIds.push(cls.id);
    }

    // A watcher per class, on the collectors in turn; each card's lastActivityAt is the event's own time.
    const cardLatencies: number[] = [];
    let measuring = false;
    for (let k = 0; k < CLASSES; k++) {
      const socket = new WebSocket(`${collectors[k % COLLECTORS].url.replace('http', 'ws')}/dashboard/ws?class_id=${classIds[k]}`, ['cell-monitor.bearer', token]);
      socket.on('message', (data) => {
        const message = JSON.parse(String(data));
        if (measuring && message.type === 'card' && message.card.lastActivityAt) cardLatencies.push(Date.now() - Date.parse(message.card.lastActivityAt));
      });
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      sockets.push(socket);
    }

    const ackMs: number[] = [];
    const coldMs: number[] = [];
    const failures: Record<string, number> = {};
    let sent = 0;
    const started = Date.now();
    const warmupMs = 3_000;
    let cpu: ReturnType<typeof cpuWindow> | undefined;
    const cpuStarts = setTimeout(() => (cpu = cpuWindow(collectors.map((c) => c.child.pid!))), warmupMs);
    const students = Array.from({ length: STUDENTS }, async (_, i) => {
      await sleep((PERIOD_MS * i) / STUDENTS);
      const base = bases[i % COLLECTORS];
      for (let n = 0; Date.now() - started < warmupMs + SECONDS * 1000; n++) {
        const tick = Date.now();
        const failed = n % 7 === 6;
        const event = {
          eventId: `room-${i}-${n}-${started}`,
          eventType: failed ? 'cell_execution_error' : 'cell_execution_complete',
          eventTime: new Date().toISOString(),
          userId: user(i),
          sessionId: `room-session-${i}`,
          notebookPath: `lesson-${i % CLASSES}.ipynb`,
          cellId: `cell-${n % 25}`,
          cellIndex: n % 25,
          cellType: 'code',
          code: 'df = pd.read_csv("data.csv")\ndf.head()',
          executionCount: n + 1,
          durationMs: 40,
          success: !failed,
          ...(failed ? { error: { name: 'NameError', message: "name 'pd' is not defined" } } : { output: '   a  b\n0  1  2\n' }),
        };
        const t0 = performance.now();
        // Measured by when it was sent: a request sent in the warm-up (every student's first
        // connection at once) and answered after it belongs to the cold start, printed apart.
        const warm = Date.now() - started >= warmupMs;
        const status = await postAs(agent, base, user(i), JSON.stringify([event]), MASTER_KEY);
        if (warm) {
          measuring = true;
          sent += 1;
          if (status === 202) ackMs.push(performance.now() - t0);
          else failures[status] = (failures[status] ?? 0) + 1;
        } else if (status === 202) coldMs.push(performance.now() - t0);
        await sleep(Math.max(0, PERIOD_MS - (Date.now() - tick)));
      }
    });
    await Promise.all(students);
    clearTimeout(cpuStarts);
    const used = cpu?.end();
    await sleep(2_000);
    measuring = false;
    const acks = Float64Array.from(ackMs).sort();
    const cards = Float64Array.from(cardLatencies).sort();
    const rss = memory.map((m) => m.stop().hwmKb);
    console.log(`\n== summary ==`);
    console.log(`requests:        ${fmt(sent)} over ${SECONDS} s (${fmt(sent / SECONDS)}/s), ${fmt(ackMs.length)} answered 202${Object.keys(failures).length ? `, others: ${JSON.stringify(failures)}` : ''}`);
    const cold = Float64Array.from(coldMs).sort();
    console.log(`cold start (the first ${warmupMs / 1000} s, every student connecting at once): ${fmt(cold.length)} answered 202, ack p50 ${ms(percentile(cold, 50))}, p99 ${ms(percentile(cold, 99))} (not in the figures below)`);
    console.log(`ack (send → 202): p50 ${ms(percentile(acks, 50))}, p99 ${ms(percentile(acks, 99))} (target < ${TARGET.ackP99} ms) ${percentile(acks, 99) < TARGET.ackP99 ? 'met' : 'MISSED'}`);
    console.log(
      `ingest → card:    p50 ${ms(percentile(cards, 50))}, p99 ${ms(percentile(cards, 99))} over ${fmt(cards.length)} cards on ${CLASSES} boards (target < ${TARGET.cardP99} ms) ${percentile(cards, 99) < TARGET.cardP99 ? 'met' : 'MISSED'}`,
    );
    if (used) {
      console.log(`CPU after the warm-up: collectors ${used.collector.toFixed(0)}% of a core together (${fmt(Math.round((used.collector * 10_000) / Math.max(1, sent / SECONDS)))} µs per request), the machine ${used.machine.toFixed(0)}% of ${os.cpus().length * 100}%`);
      console.log(`  busiest: ${used.top.map(([name, pct]) => `${name} ${pct.toFixed(0)}%`).join(', ')}`);
    }
    const rssMet = rss.every((kb) => kb !== undefined && kb / 1024 < 200);
    console.log(`collectors' peak RSS: ${rss.map((kb) => mb(kb)).join(', ')} (target < 200 MB) ${rssMet ? 'met' : 'MISSED'}`);
  } finally {
    for (const socket of sockets) socket.close();
    agent.destroy();
    await db.destroy();
    for (const proc of collectors) await stopChild(proc.child);
    await redis.stop().catch(() => undefined);
    await postgres.stop().catch(() => undefined);
    for (const dir of dirs) removeTempDir(dir, os.tmpdir());
  }
}

main().catch((err) => {
  process.exitCode = 1;
  console.error(`bench failed: ${(err as Error).stack ?? err}`);
});
