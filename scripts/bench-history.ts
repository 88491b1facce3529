/**
 * Notebook history (issue 21), on each engine (BENCH_MODE=embedded|postgres+redis; default both):
 * - snapshot ingest cost: BENCH_HISTORY_SAVES saves of a 200-cell notebook (sources and outputs,
 *   ~190 KB) posted one at a time as a student's companion would — the ack's latency (the durable
 *   write) and how fast they are stored as versions (the projection: hashing, blobs, cell rows);
 * - compare latency: POST /api/v1/notebook-version/compare between two 200-cell versions, without
 *   and with outputs (p50 / p95 over 40 calls, as the dashboard and the Versions panel ask);
 * - deduplication: 30 students saving the same 200-cell template with a few edits of their own —
 *   stored bytes against referenced bytes (the dedup ratio) from GET /stats.
 * `npm run bench:history`. Prints figures; never asserts.
 */
import { performance } from 'node:perf_hooks';
import { createInstructor } from '../collector/src/instructors/store.ts';
import { login, request } from '../test/helpers/http.ts';
import { waitFor } from '../test/helpers/services.ts';
import { buildCellEvent, openStore, postEvents, startCollector, startServices, type Mode } from '../test/helpers/stack.ts';

const SAVES = Number(process.env.BENCH_HISTORY_SAVES ?? 60);
const STUDENTS = 30;
const CELLS = 200;
const modes: Mode[] = process.env.BENCH_MODE ? [process.env.BENCH_MODE as Mode] : ['embedded', 'postgres+redis'];

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const ms = (v: number) => `${v.toFixed(1)} ms`;

/** A 200-cell course notebook: markdown and code, outputs on code cells; `edit` changes a few cells. */
function notebook(edit: number): Array<{ id: string; type: string; source: string; outputs?: string }> {
  return Array.from({ length: CELLS }, (_, i) => {
    if (i % 4 === 0) return { id: `m${i}`, type: 'markdown', source: `## Step ${i / 4 + 1}\nRead the data for this step and explain what you see in two sentences. `.repeat(2) };
    const mine = edit > 0 && i % 37 === edit % 37;
    const source = `values_${i} = [x ** 2 for x in range(${i})]\nsummary_${i} = sum(values_${i}) / max(len(values_${i}), 1)\nprint(summary_${i})${mine ? `\n# attempt ${edit}` : ''}`;
    const outputs = JSON.stringify([{ output_type: 'stream', name: 'stdout', text: [`${((i - 1) * (2 * i - 1)) / 6}\n`] }, { output_type: 'execute_result', execution_count: i, data: { 'text/plain': [`array of ${i} values`.repeat(8)] }, metadata: {} }]);
    return { id: `c${i}`, type: 'code', source, outputs };
  });
}

const snapshotEvent = (userId: string, cells: ReturnType<typeof notebook>, eventTime: string) =>
  buildCellEvent({ userId, notebookPath: 'course/week5.ipynb', eventType: 'notebook_snapshot', eventTime, cellId: undefined, cellType: undefined, code: undefined, output: undefined, executionCount: undefined, durationMs: undefined, success: undefined, metadata: { snapshot: { trigger: 'save', cells } } });

for (const mode of modes) {
  const services = await startServices(mode);
  const app = await startCollector(services.env({ JWT_SECRET: 'bench-history-jwt-secret-0123456789abcdef' }));
  const store = openStore(services.databaseUrl);
  try {
    await createInstructor(app.collector.db, { email: 'root@example.org', name: 'Root', password: 'root-password-1', role: 'admin' });
    const token = await login(app.url, 'root@example.org', 'root-password-1');
    const stored = (n: number) => waitFor(async () => Number((await store('history_versions').count({ n: '*' }))[0].n) >= n || undefined, 600_000, `${n} versions`);

    // 1. Snapshot ingest: one save at a time, each a new edit of the same student's notebook.
    const t0 = Date.now() - SAVES * 60_000;
    const acks: number[] = [];
    let bytes = 0;
    const started = performance.now();
    for (let n = 0; n < SAVES; n++) {
      const body = [snapshotEvent('ada', notebook(n + 1), new Date(t0 + n * 60_000).toISOString())];
      bytes += Buffer.byteLength(JSON.stringify(body));
      const sent = performance.now();
      const reply = await postEvents(app.url, body);
      if (reply.status !== 202) throw new Error(`save ${n}: ${reply.status} ${JSON.stringify(reply.body)}`);
      acks.push(performance.now() - sent);
    }
    const posted = performance.now();
    await stored(SAVES);
    const done = performance.now();
    console.log(`# [${mode}] snapshot ingest: ${SAVES} saves of a ${CELLS}-cell notebook (${(bytes / SAVES / 1024).toFixed(0)} KB each): ack p50 ${ms(quantile(acks, 0.5))}, p95 ${ms(quantile(acks, 0.95))}; all stored as versions ${ms(done - started)} after the first post (${((done - started) / SAVES).toFixed(1)} ms per save end to end, ${ms(done - posted)} after the last ack)`);

    // 2. Compare two 200-cell versions.
    const ids: number[] = (await store('history_versions').orderBy('id').select('id')).map((r: { id: number | string }) => Number(r.id));
    for (const outputs of [false, true]) {
      const times: number[] = [];
      for (let k = 0; k < 40; k++) {
        const sent = performance.now();
        const reply = await request(app.url, 'post', '/api/v1/notebook-version/compare', { token, body: { from_snapshot_id: ids[k % 10], to_snapshot_id: ids[ids.length - 1 - (k % 10)], outputs } });
        if (reply.status !== 200) throw new Error(`compare: ${reply.status}`);
        times.push(performance.now() - sent);
      }
      console.log(`# [${mode}] compare two ${CELLS}-cell versions${outputs ? ' with outputs' : ''}: p50 ${ms(quantile(times, 0.5))}, p95 ${ms(quantile(times, 0.95))} (40 calls over HTTP)`);
    }

    // 3. Deduplication: the class saves the same template, each with an edit of their own.
    const before = Number((await store('history_versions').count({ n: '*' }))[0].n);
    for (let s = 0; s < STUDENTS; s++) await postEvents(app.url, [snapshotEvent(`student-${s}`, notebook(1000 + s), new Date().toISOString())]);
    await stored(before + STUDENTS);
    const studentsOnly = await request(app.url, 'get', '/api/v1/notebook-version/stats', { token });
    const stats = studentsOnly.body;
    console.log(`# [${mode}] deduplication: ${stats.total_snapshots} versions (${SAVES} of one student, ${STUDENTS} students on one template), ${stats.cells} cells → ${stats.blobs} distinct blobs; ${(stats.stored_bytes / 1048576).toFixed(2)} MB stored for ${(stats.referenced_bytes / 1048576).toFixed(2)} MB referenced: dedup ratio ${stats.dedup_ratio}`);
  } finally {
    await app.close();
    await store.destroy();
    await services.stop();
  }
}
