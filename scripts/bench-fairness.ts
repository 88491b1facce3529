/**
 * Fair persistence (issue 20 item 4): one misbehaving student among well-behaved ones. The flooder
 * sends as fast as the collector acks, each event expensive to persist (a 60 KB cell, 2,000
 * metadata keys, an error message crafted against the signature masking); the others send one
 * ordinary cell run every 2 s each, as a class does. Printed: how long a well-behaved event takes
 * from its send to being visible in PostgreSQL's `events` (p50, p99, max), while the flooder's
 * backlog grows. Run twice: with the per-student budgets as shipped (INGEST_RATE_LIMIT,
 * INGEST_BYTES_PER_MINUTE: the flood is refused at the door with 429, what a class gets), and with
 * them off, so the whole flood reaches the persister (the persister's own fairness).
 * An event not visible within 60 s of the end counts as infinitely late.
 */
import http from 'node:http';
import os from 'node:os';
import pg from 'pg';
import { companionHeaders, spawnCollector } from '../test/helpers/stack.ts';
import { tempDir } from '../test/helpers/services.ts';
import { percentile } from './bench-load.ts';
import { fmt, ms, removeTempDir, sleep, stopChild } from './bench-probe.ts';

export interface FairnessResult {
  students: number;
  sent: number;
  stored: number;
  p50: number;
  p99: number;
  max: number;
  /** Send → 202, the door's share of the delay. */
  ackP99: number;
  flooderAccepted: number;
  flooderStored: number;
  flooderRefused: number;
}

/** A latency, or "not stored in time" for an event never seen (counted as infinitely late). */
export const latency = (n: number): string => (n === Infinity ? 'not stored in time' : ms(n));

/** Each student sends with her own credential, as her Jupyter companion would: budgets are hers. */
export const MASTER_KEY = 'bench-fairness-master-key-0123456789abcdef';

/** POSTs a batch as `user`'s companion would (her credential under `masterKey`); answers the status, 0 for a transport error. */
export function postAs(agent: http.Agent, base: URL, user: string, body: string, masterKey = MASTER_KEY): Promise<number> {
  return new Promise((resolve) => {
    const headers = { ...companionHeaders(masterKey, user), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request(
      { agent, host: base.hostname, port: base.port, path: '/api/v1/events', method: 'POST', headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

const CRAFTED = "'" + "\\'".repeat(4_999);

export function flooderBatch(runId: string, n: number): string {
  const metadata = Object.fromEntries(Array.from({ length: 2_000 }, (_, k) => [`k${k}`, k]));
  const code = `# ${'x'.repeat(60_000)}`;
  const events = Array.from({ length: 10 }, (_, i) => ({
    eventId: `${runId}-flood-${n}-${i}`,
    eventType: 'cell_execution_error',
    eventTime: new Date().toISOString(),
    userId: 'flooder',
    sessionId: 'flood-session',
    notebookPath: '/course/week1.ipynb',
    cellId: `cell-${i}`,
    cellType: 'code',
    code,
    success: false,
    error: { name: 'SyntaxError', message: CRAFTED },
    metadata,
  }));
  return JSON.stringify(events);
}

function studentEvent(runId: string, student: number, n: number): { id: string; body: string } {
  const id = `${runId}-s${student}-${n}`;
  const event = {
    eventId: id,
    eventType: 'cell_execution_complete',
    eventTime: new Date().toISOString(),
    userId: `fair-student-${student}`,
    sessionId: `fair-session-${student}`,
    notebookPath: '/course/week2.ipynb',
    cellId: `cell-${n % 30}`,
    cellType: 'code',
    code: 'x = 1\nx + 1',
    executionCount: n + 1,
    durationMs: 12,
    success: true,
    output: '2\n',
  };
  return { id, body: JSON.stringify([event]) };
}

/** Runs the scenario against a fresh collector on `env` (DATABASE_URL + REDIS_URL) for `seconds`. */
export async function fairnessPhase(env: Record<string, string>, seconds: number, budgets: boolean, students = 300, flooders = 4): Promise<FairnessResult> {
  console.log(
    `\n# fair persistence, budgets ${budgets ? 'as shipped' : 'off'}: 1 flooding student (${flooders} requests in flight, heavy events) + ${students} students at one run every 2 s, ${seconds} s`,
  );
  const dataDir = tempDir('bench-fair');
  const proc = await spawnCollector({ DATA_DIR: dataDir, INGEST_KEY: MASTER_KEY, ...(budgets ? {} : { INGEST_RATE_LIMIT: '0', INGEST_BYTES_PER_MINUTE: '0' }), ...env });
  const db = new pg.Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  const runId = `fair${process.pid}`;
  const base = new URL(proc.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: flooders + 64 });
  const sentAt = new Map<string, number>();
  const ackMs: number[] = [];
  const storedAfter = new Map<string, number>();
  let stopping = false;
  let flooderAccepted = 0;
  let flooderRefused = 0;
  try {
    const flood = Array.from({ length: flooders }, async (_, w) => {
      for (let n = w; !stopping; n += flooders) {
        if ((await postAs(agent, base, 'flooder', flooderBatch(runId, n))) === 202) flooderAccepted += 10;
        else {
          flooderRefused += 1;
          await sleep(50);
        }
      }
    });
    await sleep(2_000); // the flood's backlog builds first
    const t0 = performance.now();
    const well = Array.from({ length: students }, async (_, s) => {
      await sleep((2_000 * s) / students); // spread over the 2-s period, as a class is
      for (let n = 0; performance.now() - t0 < seconds * 1000; n++) {
        const { id, body } = studentEvent(runId, s, n);
        const at = performance.now();
        if ((await postAs(agent, base, `fair-student-${s}`, body)) === 202) {
          sentAt.set(id, at);
          ackMs.push(performance.now() - at);
        }
        await sleep(Math.max(0, 2_000 - (performance.now() - at)));
      }
    });
    // Every 50 ms: which of the well-behaved events sent are visible in PostgreSQL now.
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const pending = [...sentAt.keys()].filter((id) => !storedAfter.has(id));
        if (pending.length > 0) {
          const { rows } = await db.query<{ event_id: string }>('SELECT event_id FROM events WHERE event_id = ANY($1)', [pending]);
          const now = performance.now();
          for (const row of rows) storedAfter.set(row.event_id, now - sentAt.get(row.event_id)!);
        }
        await sleep(50);
      }
    })();
    await Promise.all(well);
    const deadline = performance.now() + 60_000;
    while (storedAfter.size < sentAt.size && performance.now() < deadline) await sleep(100);
    stopping = true;
    polling = false;
    await Promise.all([...flood, poller]);
    const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE user_id = 'flooder'");
    const late = Array.from({ length: sentAt.size - storedAfter.size }, () => Infinity);
    const sorted = Float64Array.from([...storedAfter.values(), ...late]).sort();
    const result: FairnessResult = {
      students,
      sent: sentAt.size,
      stored: storedAfter.size,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? NaN,
      ackP99: percentile(Float64Array.from(ackMs).sort(), 99),
      flooderAccepted,
      flooderStored: Number(rows[0].n),
      flooderRefused,
    };
    console.log(
      `  well-behaved: ${fmt(result.stored)} of ${fmt(result.sent)} events stored; send → visible in PostgreSQL p50 ${latency(result.p50)}, p99 ${latency(result.p99)}, max ${latency(result.max)} (of which send → 202: p99 ${ms(result.ackP99)})\n` +
        `  flooder: ${fmt(flooderAccepted)} heavy events accepted, ${fmt(flooderRefused)} requests refused, ${fmt(result.flooderStored)} stored by the end (backlog ${fmt(flooderAccepted - result.flooderStored)})`,
    );
    return result;
  } finally {
    stopping = true;
    agent.destroy();
    await db.end().catch(() => undefined);
    await stopChild(proc.child);
    removeTempDir(dataDir, os.tmpdir());
  }
}
