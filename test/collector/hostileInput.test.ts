/**
 * Hostile input against the real collector CLI (a child process), embedded and on PostgreSQL +
 * Redis (security review, acceptance). fast-check generates requests across ingest, auth, the LMS,
 * the student routes and WebSocket upgrades (test/helpers/hostileRequests.ts) while another student
 * keeps sending valid events. Properties:
 * - every hostile request gets an answer below 500 (a WebSocket upgrade opens only with a valid token
 *   on a real route);
 * - the process never crashes and its RSS stays bounded;
 * - the other student's requests are all accepted (202) and all stored;
 * - nothing is half-written: the rows created equal what the 2xx answers said was created;
 * - fairness (issue 18 item 3): the other student's events reach the store and the live board
 *   within a loose bound (p99 printed, asserted < FAIR_BOUND_MS).
 * Then the crafted cases (issue 18 items 3, 8, 12), each with a well-behaved student or /healthz
 * timed meanwhile: 1,000 error messages crafted against the masking ('+\'×4,999), one 4.5 MB
 * event with 250,000 metadata keys, and reads (timeline, events list, export) over a student's
 * large stored events.
 * FUZZ_RUNS (per mode, default 10000) and FUZZ_SEED reproduce a run.
 */
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import type { Knex } from 'knex';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { hostileRequest, send, type HostileRequest, type Kind, type Targets } from '../helpers/hostileRequests.ts';
import { openSocket } from '../helpers/wsClient.ts';
import { waitFor } from '../helpers/services.ts';
import { buildCellEvent, companionHeaders, countRows, modesToTest, openStore, postEvents, spawnCollector, startServices, type CollectorProcess, type Services } from '../helpers/stack.ts';

const SECRET = 'fuzz-jwt-secret-0123456789-abcdefghijklmnop';
const KEY = 'fuzz-master-key-0123456789-abcdefghij';
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/** The collector's resident memory must stay under this while being fuzzed (it starts near 150 MB). */
const RSS_LIMIT_MB = 768;
/** A well-behaved student's event reaches the store and the board within this while others attack (loose: CI's two cores). */
const FAIR_BOUND_MS = 5_000;

/** When each event id first reached the live board (/ws as an admin): the persister broadcasts after it commits. */
async function watchBoard(url: string, token: string) {
  const arrived = new Map<string, number>();
  const { ws, messages } = await openSocket(`${url.replace(/^http/, 'ws')}/ws`, ['cell-monitor.bearer', token]);
  const seen = (m: any) => {
    if (m?.type === 'events') for (const e of m.events) if (!arrived.has(e.eventId)) arrived.set(e.eventId, Date.now());
  };
  messages.forEach(seen);
  ws.on('message', (data) => seen(JSON.parse(String(data))));
  return { arrived, close: () => ws.close() };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}

/** /healthz answered every `everyMs` while `work` runs: the slowest answer, in ms. */
async function healthzDuring<T>(url: string, work: () => Promise<T>, everyMs = 20): Promise<{ result: T; slowestMs: number; probes: number }> {
  let running = true;
  let slowestMs = 0;
  let probes = 0;
  const prober = (async () => {
    while (running) {
      const started = performance.now();
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      slowestMs = Math.max(slowestMs, performance.now() - started);
      probes += 1;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  try {
    const result = await work();
    running = false;
    // The probe in flight when the work ends counts too: it is the one a stalled event loop holds.
    await prober;
    return { result, slowestMs, probes };
  } finally {
    running = false;
    await prober;
  }
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

interface Ledger {
  count: Record<Kind, number>;
  statuses: Map<number, number>;
  /** Events the collector said it stored (sum of `accepted` in 202 answers). */
  accepted: number;
  /** Rows the 201 answers said were created, per table. */
  created: Record<string, number>;
}

const CREATES: Array<[RegExp, string[]]> = [
  [/^POST \/api\/v1\/classes$/, ['classes', 'class_teachers']],
  [/^POST \/api\/v1\/classes\/\d+\/students$/, ['class_enrollments']],
  [/^POST \/api\/v1\/classes\/\d+\/teachers$/, ['class_teachers']],
  [/^POST \/api\/v1\/assignments$/, ['class_assignments']],
  [/^POST \/api\/v1\/(student\/)?submissions$/, ['assignment_submissions']],
  [/^POST \/api\/v1\/instructors$/, ['instructors']],
];
const TABLES = ['classes', 'class_teachers', 'class_enrollments', 'class_assignments', 'assignment_submissions', 'instructors'];

for (const mode of modesToTest()) {
  const it = suite(`hostile input [${mode}]`);
  let services: Services;
  let proc: CollectorProcess;
  let store: Knex;
  let targets: Targets;

  it.before(async () => {
    services = await startServices(mode);
    // Submissions are not pruned here, so every 201 is one more row (the ledger below counts them).
    const env = services.env({ JWT_SECRET: SECRET, INGEST_KEY: KEY, SUBMISSIONS_KEPT: '1000' });
    store = openStore(services.databaseUrl);
    const { migrateLatest } = await import('@cell-monitor/collector');
    await migrateLatest(store);
    const people = { admin: 'admin', teacher: 'instructor', outsider: 'instructor' } as const;
    const ids: Record<string, number> = {};
    for (const [name, role] of Object.entries(people)) ids[name] = (await createInstructor(store, { email: `${name}@fuzz.example`, name, password: `${name}-password-1`, role })).id;
    proc = await spawnCollector(env);
    const tokens = {} as Targets['tokens'];
    for (const name of Object.keys(people) as Array<keyof typeof people>) {
      const res = await fetch(`${proc.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `${name}@fuzz.example`, password: `${name}-password-1` }) });
      tokens[name] = ((await res.json()) as { token: string }).token;
    }
    const call = async (method: string, path: string, body: unknown) => {
      const res = await fetch(proc.url + path, { method, headers: { authorization: `Bearer ${tokens.teacher}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await res.json()) as any;
    };
    const cls = await call('POST', '/api/v1/classes', { name: 'Fuzz', class_code: 'FUZZ' });
    const student = await call('POST', `/api/v1/classes/${cls.id}/students`, { user_id: 'mallory' });
    const assignment = await call('POST', '/api/v1/assignments', { class_id: cls.id, notebook_path: 'fuzz.ipynb', title: 'Fuzz' });
    const submission = await call('POST', '/api/v1/submissions', { assignment_id: assignment.id, student_id: student.student.id, notebook_content: { cells: [] } });
    targets = {
      tokens,
      ids: { classId: cls.id, assignmentId: assignment.id, submissionId: submission.id, studentId: student.student.id, instructorId: ids.outsider },
      companion: (user) => companionHeaders(KEY, user),
      masterKey: KEY,
    };
  });
  it.after(async () => {
    if (proc?.child.exitCode === null) {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
    await store?.destroy();
    await services?.stop();
  });

  it(`${RUNS} generated hostile requests: all answered below 500, no crash, bounded memory, the other student always accepted, nothing half-written`, async () => {
    const before: Record<string, number> = {};
    for (const table of TABLES) before[table] = await countRows(store, table);
    const ledger: Ledger = { count: { ingest: 0, auth: 0, lms: 0, student: 0, ws: 0 }, statuses: new Map(), accepted: 0, created: Object.fromEntries(TABLES.map((t) => [t, 0])) };

    // The other student: one valid event every 25 ms, for as long as the fuzzing lasts; the board
    // (an admin's /ws) says when each was stored.
    const board = await watchBoard(proc.url, targets.tokens.admin);
    const sentAt = new Map<string, number>();
    const victimIds: string[] = [];
    const victimFailures: string[] = [];
    let fuzzing = true;
    const victim = (async () => {
      while (fuzzing) {
        const event = buildCellEvent({ userId: 'victim', eventTime: new Date().toISOString() });
        sentAt.set(event.eventId, Date.now());
        const reply = await postEvents(proc.url, [event], { headers: companionHeaders(KEY, 'victim') }).catch((err) => ({ status: 0, body: String(err) }));
        if (reply.status === 202) victimIds.push(event.eventId);
        else victimFailures.push(`${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    let peakRss = rssMb(proc.child.pid!);
    const startRss = peakRss;
    const memory = setInterval(() => {
      if (proc.child.exitCode === null) peakRss = Math.max(peakRss, rssMb(proc.child.pid!));
    }, 250);

    const started = Date.now();
    try {
      await fc.assert(
        fc.asyncProperty(hostileRequest(targets), async (request: HostileRequest) => {
          const reply = await send(proc.url, request).catch((err: Error) => {
            console.log(`# no answer to ${request.method} ${request.path.slice(0, 100)} (${request.body?.length ?? 0} bytes, headers ${JSON.stringify(request.headers).slice(0, 300)}, body ${JSON.stringify(request.body?.subarray(0, 100).toString('latin1'))}): ${err.message.slice(0, 200)}`);
            throw err;
          });
          ledger.count[request.kind] += 1;
          ledger.statuses.set(reply.status, (ledger.statuses.get(reply.status) ?? 0) + 1);
          const what = `${request.method} ${request.path.slice(0, 120)} → ${reply.status} ${reply.body.slice(0, 300)}`;
          if (reply.status >= 500 || reply.status === 0) {
            console.log(`# server error: ${what} body ${JSON.stringify(request.body?.subarray(0, 400).toString('latin1'))}`);
            await waitFor(() => proc.output().includes('unhandled error'), 2_000, 'the error logged').catch(() => undefined); // the log line may arrive after the answer
            const logged = proc.output().split('\n').filter((l) => l.includes('unhandled error')).slice(-2);
            for (const line of logged) console.log(`# collector log: ${line.slice(0, 1500)}`);
            throw new Error(`server error: ${what}`);
          }
          if (request.kind === 'ws' && reply.status === 101 && !request.mayOpen) {
            console.log(`# a WebSocket opened that must not: ${what} ${JSON.stringify(request.headers)}`);
            throw new Error(`a WebSocket opened that must not: ${what}`);
          }
          if (request.kind === 'ingest' && reply.status === 202) ledger.accepted += (JSON.parse(reply.body) as { accepted: number }).accepted;
          if (reply.status === 201) {
            const route = `${request.method} ${request.path.split('?')[0]}`;
            for (const [pattern, tables] of CREATES) if (pattern.test(route)) for (const table of tables) ledger.created[table] += 1;
          }
          if (proc.child.exitCode !== null) throw new Error(`the collector exited (${proc.child.exitCode}) after: ${what}`);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    } finally {
      fuzzing = false;
      clearInterval(memory);
      await victim;
    }
    const seconds = (Date.now() - started) / 1000;
    const total = Object.values(ledger.count).reduce((a, b) => a + b, 0);
    const statuses = [...ledger.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(`# [${mode}] ${total} hostile requests in ${seconds.toFixed(1)} s (seed ${SEED}): ${Object.entries(ledger.count).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    console.log(`# [${mode}] answers: ${statuses}`);
    console.log(`# [${mode}] the other student: ${victimIds.length} requests, ${victimFailures.length} not accepted; collector RSS ${startRss.toFixed(0)} → peak ${peakRss.toFixed(0)} MB`);

    assert.is(total, RUNS);
    assert.is(proc.child.exitCode, null, 'the collector is still running');
    assert.is((await fetch(`${proc.url}/healthz`)).status, 200);
    assert.ok(peakRss < RSS_LIMIT_MB, `peak RSS ${peakRss.toFixed(0)} MB`);
    assert.equal(victimFailures, [], "the other student's requests were all accepted");
    assert.ok(victimIds.length > 50, `the other student sent ${victimIds.length} requests meanwhile`);

    // Everything acked is stored (or, for an event the database can never take, dead-lettered).
    await waitFor(async () => (await countRows(store, 'events', { user_id: 'victim' })) === victimIds.length || undefined, 60_000, "all the other student's events");
    await waitFor(() => victimIds.every((id) => board.arrived.has(id)) || undefined, 30_000, "all the other student's events on the board");
    board.close();
    const latencies = victimIds.map((id) => board.arrived.get(id)! - sentAt.get(id)!);
    const p99 = percentile(latencies, 99);
    console.log(`# [${mode}] the other student, sent → stored and on the board: p50 ${percentile(latencies, 50)} ms, p99 ${p99} ms, max ${Math.max(...latencies)} ms (${latencies.length} events)`);
    assert.ok(p99 < FAIR_BOUND_MS, `p99 ${p99} ms`);
    const ready = async () => (await (await fetch(`${proc.url}/readyz`)).json()) as { pipeline: { dead_lettered: number } };
    const stored = async () => Number((await store('events').whereNot({ user_id: 'victim' }).count({ n: '*' }))[0].n);
    let last = '';
    await waitFor(
      async () => {
        const [n, dead] = [await stored(), (await ready()).pipeline.dead_lettered];
        last = `${n} stored + ${dead} dead-lettered, ${ledger.accepted} accepted`;
        return n + dead === ledger.accepted || undefined;
      },
      60_000,
      'every accepted hostile event stored or dead-lettered',
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${last}`);
    });
    console.log(`# [${mode}] hostile events accepted: ${ledger.accepted}, stored: ${await stored()}, dead-lettered: ${(await ready()).pipeline.dead_lettered}`);
    for (const table of TABLES) {
      assert.is(await countRows(store, table), before[table] + ledger.created[table], `${table}: rows created = 201 answers`);
    }
  });

  it(`1,000 error messages crafted against the masking: a well-behaved student's event behind them is stored and on the board within ${FAIR_BOUND_MS} ms`, async () => {
    const board = await watchBoard(proc.url, targets.tokens.admin);
    const crafted = `'${"\\'".repeat(4999)}`;
    const bodies = Array.from({ length: 10 }, () =>
      Array.from({ length: 100 }, () => buildCellEvent({ userId: 'crafty', eventType: 'cell_execution_error', eventTime: new Date().toISOString(), success: false, error: { name: 'ValueError', message: crafted } })),
    );
    const started = Date.now();
    const replies = await Promise.all(bodies.map((batch) => postEvents(proc.url, batch, { headers: targets.companion('crafty') })));
    const sentMs = Date.now() - started;
    assert.equal(replies.map((r) => r.status), Array(10).fill(202), 'all 1,000 accepted');
    const other = buildCellEvent({ userId: 'bystander', eventTime: new Date().toISOString() });
    const sent = Date.now();
    assert.is((await postEvents(proc.url, [other], { headers: targets.companion('bystander') })).status, 202);
    await waitFor(() => board.arrived.get(other.eventId), 600_000, "the other student's event on the board");
    const delay = board.arrived.get(other.eventId)! - sent;
    await waitFor(async () => (await countRows(store, 'error_logs', { error_message: crafted })) === 1000 || undefined, 600_000, 'the crafted errors stored');
    const allStored = Date.now() - started;
    board.close();
    console.log(`# [${mode}] 1,000 crafted messages (${crafted.length} chars) sent in ${sentMs} ms; the other student's event behind them on the board after ${delay} ms; all crafted errors stored after ${allStored} ms`);
    const signature = (await store('error_logs').where({ error_message: crafted }).first('signature')).signature;
    assert.is(signature, `ValueError: ${crafted.slice(0, 187)}…`);
    assert.ok(delay < FAIR_BOUND_MS, `the other student waited ${delay} ms`);
  });

  it('one 4.5 MB event with 250,000 metadata keys is refused (422 too_many_keys) without stalling /healthz', async () => {
    const keys = Array.from({ length: 250_000 }, (_, i) => `"k${String(i).padStart(7, '0')}":${i}`).join(',');
    const event = buildCellEvent({ userId: 'keymaster', eventTime: new Date().toISOString() });
    const raw = `[${JSON.stringify(event).slice(0, -1)},"metadata":{${keys}}}]`;
    const { result: reply, slowestMs } = await healthzDuring(proc.url, async () => {
      const started = performance.now();
      const res = await postEvents(proc.url, undefined, { headers: targets.companion('keymaster'), raw });
      return { ...res, ms: performance.now() - started };
    });
    console.log(`# [${mode}] ${(raw.length / 1e6).toFixed(1)} MB event with 250,000 metadata keys: ${reply.status} ${reply.body?.details?.rejected?.[0]?.error} in ${reply.ms.toFixed(0)} ms; slowest /healthz meanwhile ${slowestMs.toFixed(0)} ms`);
    assert.is(reply.status, 422);
    assert.is(reply.body.details.rejected[0].error, 'too_many_keys');
    assert.ok(slowestMs < 1000, `/healthz took ${slowestMs.toFixed(0)} ms`);
  });

  it("reads over a student's large stored events (timeline, events list, export) keep /healthz answering", async () => {
    // 14 events of 1 MB of code each: within one student's byte budget for a minute.
    const big = 'x = 1  # '.padEnd(1_000_000, 'y');
    const events = Array.from({ length: 14 }, (_, i) => buildCellEvent({ userId: 'hoarder', eventTime: new Date(Date.now() - i * 1000).toISOString(), code: big, cellId: `c${i}` }));
    for (const event of events) assert.is((await postEvents(proc.url, [event], { headers: targets.companion('hoarder') })).status, 202);
    await waitFor(async () => (await countRows(store, 'events', { user_id: 'hoarder' })) === events.length || undefined, 60_000, "the hoarder's events stored");
    const admin = { authorization: `Bearer ${targets.tokens.admin}` };
    const reads: Array<[string, string]> = [
      ['timeline', '/api/v1/dashboard/students/hoarder/timeline'],
      ['events list', '/api/v1/events?user_id=hoarder&include=payload&limit=200'],
      ['export', '/api/v1/students/by-user/hoarder/export'],
    ];
    for (const [name, path] of reads) {
      const { result, slowestMs, probes } = await healthzDuring(proc.url, async () => {
        const started = performance.now();
        const res = await fetch(proc.url + path, { headers: admin });
        const bytes = (await res.arrayBuffer()).byteLength;
        return { status: res.status, bytes, ms: performance.now() - started };
      }, 5);
      console.log(`# [${mode}] ${name}: ${result.status}, ${(result.bytes / 1e6).toFixed(1)} MB in ${result.ms.toFixed(0)} ms; slowest /healthz meanwhile ${slowestMs.toFixed(0)} ms (${probes} probes)`);
      assert.is(result.status, 200, name);
      // The target is 100 ms (issue 18 item 8); asserted loosely here, the figures are printed above.
      assert.ok(slowestMs < FAIR_BOUND_MS, `${name}: /healthz took ${slowestMs.toFixed(0)} ms`);
    }
  });

  it.run();
}
