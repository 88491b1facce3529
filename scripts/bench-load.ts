/**
 * Load generator for scripts/bench.ts: pre-serialised batches of realistic cell events, sent over
 * keep-alive connections with a fixed number of requests in flight. Each request gets unique event
 * ids by writing a counter into fixed-width placeholders of a template body, so the client spends
 * almost no CPU on serialisation.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const STUDENTS = 200;
const NOTEBOOKS = ['/course/week1.ipynb', '/course/week2.ipynb', '/course/week3-pandas.ipynb', '/course/project/analysis.ipynb'];
const SNIPPETS = [
  'df = pd.read_csv("data/grades.csv")\ndf.describe()',
  'for i in range(10):\n    print(i * i, end=" ")',
  'import numpy as np\nx = np.linspace(0, 1, 50)\nx.mean()',
  'plt.plot(x, np.sin(2 * np.pi * x))\nplt.show()',
  'def fib(n):\n    return n if n < 2 else fib(n-1)+fib(n-2)',
];
const MARK = '@@@@@@@@@@'; // 10 chars, overwritten per request with a zero-padded request counter
/** 24 chars, an ISO time's length: overwritten per request with the send time, as a class's runs move on. */
const TIME_MARK = '~~~~~~~~~~~~~~~~~~~~~~~~';

function templateBody(runId: string, variant: number, batchSize: number, lane: number, lanes: number): { bytes: Buffer; offsets: number[]; timeOffsets: number[] } {
  const perLane = Math.max(1, Math.floor(STUDENTS / lanes));
  const events = Array.from({ length: batchSize }, (_, i) => {
    const n = variant * batchSize + i;
    const student = lane + lanes * ((n * 7919) % perLane); // only this lane's students
    const failed = n % 20 === 0;
    return {
      eventId: `${runId}-${MARK}-${String(i).padStart(3, '0')}`,
      eventType: failed ? 'cell_execution_error' : 'cell_execution_complete',
      eventTime: TIME_MARK,
      userId: `student-${student}`,
      sessionId: `session-${student}-${variant % 3}`,
      notebookPath: NOTEBOOKS[student % NOTEBOOKS.length],
      cellId: `cell-${n % 30}`,
      cellType: 'code',
      code: SNIPPETS[n % SNIPPETS.length],
      executionCount: (n % 500) + 1,
      durationMs: 3 + ((n * 31) % 900),
      success: !failed,
      output: failed ? undefined : `0 1 4 9 16 25 36 49 64 ${n % 100}\n`,
      error: failed ? { name: 'NameError', message: "name 'df' is not defined" } : undefined,
    };
  });
  const bytes = Buffer.from(JSON.stringify(events));
  const offsets: number[] = [];
  for (let at = bytes.indexOf(MARK); at !== -1; at = bytes.indexOf(MARK, at + MARK.length)) offsets.push(at);
  const timeOffsets: number[] = [];
  for (let at = bytes.indexOf(TIME_MARK); at !== -1; at = bytes.indexOf(TIME_MARK, at + TIME_MARK.length)) timeOffsets.push(at);
  if (offsets.length !== batchSize || timeOffsets.length !== batchSize) throw new Error('event template: placeholder count mismatch');
  return { bytes, offsets, timeOffsets };
}

export interface BodyPool {
  /**
   * A fresh body whose events carry ids never handed out before by this pool, for the request
   * slot `lane`: each slot has students of its own, so one student's runs arrive in order, one
   * request after another, as her companion sends them (requests in flight together can reach the
   * buffer in either order, and a student's run arriving before an earlier one is a late run).
   */
  next(lane: number): Buffer;
}

export function createBodyPool(runId: string, lanes: number, batchSize = 100, variants = 8): BodyPool {
  const templates = Array.from({ length: lanes }, (_, lane) => Array.from({ length: variants }, (_, v) => templateBody(runId, v, batchSize, lane, lanes)));
  let counter = 0;
  let lastTime = 0;
  return {
    next(lane) {
      const { bytes, offsets, timeOffsets } = templates[lane % lanes][counter % variants];
      const body = Buffer.from(bytes);
      const digits = String(counter++).padStart(MARK.length, '0');
      for (const at of offsets) body.write(digits, at, 'latin1');
      // Each request's runs are later than the last one's (a class moving on), never a replay of old times.
      lastTime = Math.max(Date.now(), lastTime);
      const time = new Date(lastTime).toISOString();
      for (const at of timeOffsets) body.write(time, at, 'latin1');
      return body;
    },
  };
}

export interface LoadStats {
  requests: number;
  accepted: number;
  /** Non-202 replies by status and error id ("503 buffer_full"), transport errors as "error <code>". */
  failures: Record<string, number>;
  /** Ack latency of each 202 reply. */
  latenciesMs: number[];
  seconds: number;
}

export interface LoadRun {
  /** Starts a measurement window: counters reset, only replies received from now on count. */
  mark(): void;
  /** Stops sending, waits for the requests in flight, and returns the window's figures. */
  stop(): Promise<LoadStats>;
  /** Events accepted (202) since the run started, window or not. */
  readonly totalAccepted: number;
}

/** The machine-readable error id of an error answer (`{"error": {"id": …}}`), or its first 60 characters. */
function errorId(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { id?: string } | string };
    const id = typeof body.error === 'string' ? body.error : body.error?.id;
    if (id) return id;
  } catch {
    // not JSON
  }
  return JSON.stringify(text.slice(0, 60));
}

function post(agent: http.Agent, url: URL, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path: '/api/v1/events', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('no reply within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `concurrency` requests in flight. Without `eventsPerSecond` each sends as soon as the previous
 * reply came (closed loop: the collector's maximum); with it, requests leave on a fixed schedule
 * (open loop: an offered rate, as a class of students would send it) and fall behind only if
 * replies take longer than the schedule allows.
 */
export function startLoad(baseUrl: string, pool: BodyPool, concurrency: number, eventsPerSecond?: number, batchSize = 100): LoadRun {
  const url = new URL(baseUrl);
  const intervalMs = eventsPerSecond ? (1000 * batchSize) / eventsPerSecond : 0;
  let nextAt = performance.now();
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let stopping = false;
  let totalAccepted = 0;
  let windowStart = performance.now();
  let stats: LoadStats = { requests: 0, accepted: 0, failures: {}, latenciesMs: [], seconds: 0 };

  async function worker(lane: number): Promise<void> {
    while (!stopping) {
      if (intervalMs > 0) {
        const at = nextAt;
        nextAt += intervalMs;
        const wait = at - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (stopping) break;
      }
      const body = pool.next(lane);
      const t0 = performance.now();
      let outcome: string;
      let accepted = 0;
      try {
        const reply = await post(agent, url, body);
        outcome = String(reply.status);
        if (reply.status === 202) accepted = (JSON.parse(reply.text) as { accepted: number }).accepted;
        else outcome = `${reply.status} ${errorId(reply.text)}`;
      } catch (err) {
        outcome = `error ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      }
      const t1 = performance.now();
      totalAccepted += accepted;
      if (t0 >= windowStart) {
        stats.requests += 1;
        stats.accepted += accepted;
        if (outcome === '202') stats.latenciesMs.push(t1 - t0);
        else stats.failures[outcome] = (stats.failures[outcome] ?? 0) + 1;
      }
      if (outcome !== '202') await new Promise((r) => setTimeout(r, 50)); // don't spin on 503s / resets
    }
  }

  const workers = Array.from({ length: concurrency }, (_, lane) => worker(lane));
  return {
    get totalAccepted() {
      return totalAccepted;
    },
    mark() {
      windowStart = performance.now();
      stats = { requests: 0, accepted: 0, failures: {}, latenciesMs: [], seconds: 0 };
    },
    async stop() {
      const end = performance.now();
      stopping = true;
      await Promise.all(workers);
      agent.destroy();
      stats.seconds = (end - windowStart) / 1000;
      return stats;
    },
  };
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
