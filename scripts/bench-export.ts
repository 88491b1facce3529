/**
 * The research exports at scale (issue 22): BENCH_EXPORT_EVENTS (default 1,000,000) events of one
 * class, inserted straight into the store in bulk (this is about the export, not ingest), then the
 * ProgSnap2 zip and the events CSV streamed over HTTP from a collector in its own process, while
 * this process samples that collector's RSS (/proc/<pid>/status) and times GET /healthz every
 * 100 ms. Prints, per export: bytes, events/s, the collector's RSS min/max during the export, and
 * /healthz p50/p99/max. Embedded SQLite by default; BENCH_MODE=postgres+redis for PostgreSQL.
 * `npm run bench:export`. Prints figures; never asserts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { createInstructor } from '../collector/src/instructors/store.ts';
import { isPostgres } from '../collector/src/db/createDb.ts';
import { login, request } from '../test/helpers/http.ts';
import { openStore, spawnCollector, startServices, type Mode } from '../test/helpers/stack.ts';

const EVENTS = Number(process.env.BENCH_EXPORT_EVENTS ?? 1_000_000);
const STUDENTS = 60;
const CELLS = 30;
const mode = (process.env.BENCH_MODE ?? 'embedded') as Mode;
const DAY = 86_400_000;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

/** fetch, once more on a socket the server closed as it was reused (a keep-alive race after a long idle). */
async function get(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    return fetch(url, init);
  }
}

function rssOf(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
}

/** The i-th event: a lesson's mix — runs (a tenth failing), starts, saves, help, sessions. */
function eventRow(i: number, start: number) {
  const student = i % STUDENTS;
  const k = Math.floor(i / STUDENTS);
  const userId = `bench-student-${student}`;
  const cell = k % CELLS;
  const kind = k % 20;
  const eventTime = new Date(start + i * 20).toISOString(); // 1M events over ~5.5 hours
  const base = { eventId: `bench-${i}`, userId, sessionId: `s-${student}-${Math.floor(k / 500)}`, notebookPath: `/home/${userId}/lab${1 + (Math.floor(k / 2000) % 4)}.ipynb`, cellId: `c${cell}`, eventTime, schemaVersion: 1 };
  let payload: Record<string, unknown>;
  if (kind === 0) payload = { ...base, eventType: 'cell_execution_start' };
  else if (kind === 1) payload = { ...base, eventType: 'notebook_saved' };
  else if (kind === 2) payload = { ...base, eventType: 'help_request' };
  else {
    const failed = kind === 3;
    payload = {
      ...base, eventType: 'cell_execution_complete', cellType: 'code', executionCount: k, durationMs: 10 + (i % 90), success: !failed,
      code: `# step ${cell}\nvalues = [x ** 2 for x in range(${cell + (k % 7)})]\ntotal = sum(values)\nprint(total)`,
      output: failed ? undefined : `${cell * 17}\n`,
      ...(failed ? { error: { name: 'NameError', message: "name 'totl' is not defined", traceback: 'Traceback (most recent call last):\n  Cell In[3], line 4\nNameError' } } : {}),
    };
  }
  return { event_id: base.eventId, event_type: payload.eventType as string, event_time: eventTime, user_id: userId, session_id: base.sessionId, notebook_path: base.notebookPath, cell_id: base.cellId, payload: JSON.stringify(payload) };
}

async function insertEvents(store: Knex, start: number): Promise<void> {
  const t0 = performance.now();
  const chunk = isPostgres(store) ? 2000 : 500;
  const perTransaction = 100_000;
  for (let t = 0; t < EVENTS; t += perTransaction) {
    await store.transaction(async (trx) => {
      for (let i = t; i < Math.min(EVENTS, t + perTransaction); i += chunk) {
        await trx('events').insert(Array.from({ length: Math.min(chunk, EVENTS - i) }, (_, j) => eventRow(i + j, start)));
      }
    });
  }
  console.log(`# [${mode}] inserted ${EVENTS.toLocaleString('en')} events in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** Streams one export, sampling RSS and /healthz every 100 ms while it runs. */
async function measure(url: string, pid: number, token: string, route: string, label: string): Promise<void> {
  const rss: number[] = [];
  const health: number[] = [];
  let running = true;
  const sampler = (async () => {
    while (running) {
      rss.push(rssOf(pid));
      const sent = performance.now();
      const res = await get(`${url}/healthz`);
      await res.arrayBuffer();
      health.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const t0 = performance.now();
  const res = await get(url + route, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`${label}: ${res.status} ${await res.text()}`);
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
  const seconds = (performance.now() - t0) / 1000;
  running = false;
  await sampler;
  console.log(
    `# [${mode}] ${label}: ${mb(bytes)} in ${seconds.toFixed(1)} s (${Math.round(EVENTS / seconds).toLocaleString('en')} events/s); ` +
      `collector RSS min ${mb(Math.min(...rss))} max ${mb(Math.max(...rss))} (${rss.length} samples); ` +
      `/healthz p50 ${quantile(health, 0.5).toFixed(1)} ms, p99 ${quantile(health, 0.99).toFixed(1)} ms, max ${Math.max(...health).toFixed(1)} ms (${health.length} probes)`,
  );
}

const services = await startServices(mode);
const env = services.env({ JWT_SECRET: 'bench-export-jwt-secret-0123456789abcdef' });
const store = openStore(services.databaseUrl);
// BENCH_NODE_ARGS: flags for the collector's node (e.g. --trace-gc, to see where a /healthz stall
// comes from); its whole output is then kept in $TMPDIR/bench-export-collector.log.
const app = await spawnCollector(env, process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []);
try {
  await createInstructor(store, { email: 'root@example.org', name: 'Root', password: 'root-password-1', role: 'admin' });
  const token = await login(app.url, 'root@example.org', 'root-password-1');
  const classId = (await request(app.url, 'post', '/api/v1/classes', { token, body: { name: 'Bench', class_code: 'BENCH-EXPORT' } })).body.id;
  for (let s = 0; s < STUDENTS; s++) {
    const reply = await request(app.url, 'post', `/api/v1/classes/${classId}/students`, { token, body: { user_id: `bench-student-${s}`, name: `Student ${s}`, email: `student${s}@example.org` } });
    if (reply.status !== 201) throw new Error(`enrol: ${reply.status}`);
  }
  // The events are of last week, the enrolments from before them (the class boundary shows nothing earlier).
  const start = Date.now() - 7 * DAY;
  await store('class_enrollments').where({ class_id: classId }).update({ enrolled_at: new Date(start - DAY).toISOString() });
  await insertEvents(store, start);
  const window = `from=${encodeURIComponent(new Date(start - 1000).toISOString())}&to=${encodeURIComponent(new Date(start + EVENTS * 20 + 1000).toISOString())}`;
  const idle: number[] = [];
  for (let k = 0; k < 30; k++) {
    const sent = performance.now();
    await (await get(`${app.url}/healthz`)).arrayBuffer();
    idle.push(performance.now() - sent);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log(`# [${mode}] before the exports: collector RSS ${mb(rssOf(app.child.pid!))}; /healthz idle p50 ${quantile(idle, 0.5).toFixed(1)} ms, max ${Math.max(...idle).toFixed(1)} ms`);
  await measure(app.url, app.child.pid!, token, `/api/v1/classes/${classId}/exports/events.csv?${window}`, 'events.csv');
  await measure(app.url, app.child.pid!, token, `/api/v1/classes/${classId}/exports/progsnap2?${window}`, 'ProgSnap2 zip');
  await measure(app.url, app.child.pid!, token, `/api/v1/classes/${classId}/exports/progsnap2?${window}&pseudonymise=true`, 'ProgSnap2 zip, pseudonymised');
} catch (err) {
  console.error(`bench failed: ${(err as Error).message}; the collector's last output:\n${app.output().split('\n').slice(-15).join('\n')}`);
  process.exitCode = 1;
} finally {
  // With BENCH_NODE_ARGS (e.g. --trace-gc) the collector's whole output is kept for reading.
  if (process.env.BENCH_NODE_ARGS) fs.writeFileSync(path.join(os.tmpdir(), 'bench-export-collector.log'), app.output());
  app.child.kill('SIGTERM');
  await app.exited;
  await store.destroy();
  await services.stop();
}
