/**
 * Test stacks: the collector in its two shapes — embedded (SQLite, in-process bus) and real
 * (PostgreSQL + Redis) — started in-process or as a child process, plus small HTTP helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import type { Test } from 'uvu';
import { createCollector, createDb, createLogger, loadConfig, type Collector } from '@cell-monitor/collector';
import { login, type Reply } from './http.ts';
import { createInstructor } from '../../collector/src/instructors/store.ts';
import { startPostgres, startRedis, tempDir, undoAtExit, waitFor, type PostgresServer, type RedisServer } from './services.ts';
import { studentCredential } from '../../collector/src/auth/studentCredential.ts';
import { isPostgres } from '../../collector/src/db/createDb.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type Mode = 'embedded' | 'postgres+redis';

/** Both modes when the binaries are here (always under CI=true, where a missing one fails). */
export function modesToTest(): Mode[] {
  const haveReal = process.env.CI === 'true' || (fs.existsSync('/usr/lib/postgresql') && fs.existsSync('/usr/bin/redis-server'));
  if (!haveReal) console.log('# postgres+redis mode skipped: binaries not found (never skipped when CI=true)');
  return haveReal ? ['embedded', 'postgres+redis'] : ['embedded'];
}

export interface Services {
  mode: Mode;
  redis?: RedisServer;
  postgres?: PostgresServer;
  /** Environment for one collector; each call gets its own DATA_DIR. */
  env(extra?: Record<string, string>): Record<string, string>;
  databaseUrl: string;
  stop(): Promise<void>;
}

let dbCounter = 0;

export async function startServices(mode: Mode): Promise<Services> {
  const shared = tempDir('stack');
  if (mode === 'embedded') {
    const databaseUrl = `sqlite://${path.join(shared, 'store.sqlite')}`;
    return {
      mode,
      databaseUrl,
      env: (extra = {}) => ({ DATA_DIR: tempDir('data'), DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', ...extra }),
      async stop() {},
    };
  }
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const databaseUrl = await postgres.createDatabase(`t_${process.pid}_${++dbCounter}`);
  return {
    mode,
    redis,
    postgres,
    databaseUrl,
    env: (extra = {}) => ({ DATA_DIR: tempDir('data'), DATABASE_URL: databaseUrl, REDIS_URL: redis.url, LOG_LEVEL: 'silent', ...extra }),
    async stop() {
      await redis.stop();
      await postgres.stop();
    },
  };
}

export interface RunningCollector {
  url: string;
  collector: Collector;
  close(): Promise<void>;
}

export async function startCollector(env: Record<string, string>): Promise<RunningCollector> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', ...env });
  const collector = await createCollector(config, createLogger(env.LOG_LEVEL ?? 'silent'));
  const server = await collector.listen();
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, collector, close: () => collector.close(2000) };
}

export interface CollectorWithStore {
  services: Services;
  running: RunningCollector;
  /** A separate knex handle on the collector's store, for seeding and assertions. */
  store: Knex;
}

/**
 * The lifecycle most store-level suites share: before `it`, the services of `mode`, one collector
 * started with `env` and a knex handle on its store; after it, all three closed. The fields are set
 * once the hook has run: read them inside tests (and later hooks), not at suite definition.
 */
export function collectorWithStore(it: Test, mode: Mode, env: Record<string, string>): CollectorWithStore {
  const stack = {} as CollectorWithStore;
  it.before(async () => {
    stack.services = await startServices(mode);
    stack.running = await startCollector(stack.services.env(env));
    stack.store = openStore(stack.services.databaseUrl);
  });
  it.after(async () => {
    await stack.running?.close();
    await stack.store?.destroy();
    await stack.services?.stop();
  });
  return stack;
}

export interface CollectorProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * The real CLI (`collector/src/main.ts start`) as a child process, for crash and signal tests.
 * `nodeArgs` go before the script (the benchmark passes --cpu-prof, which NODE_OPTIONS refuses).
 * `compiled`: the build admins install (`collector/dist/main.mjs`, from `npm run build -w collector`)
 * instead of the sources through tsx — what a benchmark of memory should measure.
 */
export async function spawnCollector(env: Record<string, string>, nodeArgs: string[] = [], options: { compiled?: boolean } = {}): Promise<CollectorProcess> {
  const entry = options.compiled ? [path.join(ROOT, 'collector/dist/main.mjs')] : ['--import', 'tsx', path.join(ROOT, 'collector/src/main.ts')];
  const child = spawn(process.execPath, [...nodeArgs, ...entry, 'start'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  undoAtExit(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  // Fails as soon as the process exits (a start refused: no database, say), not only after 30 s.
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // a collector that never listened must not hold its DATA_DIR or port
      reject(new Error(`timed out after 30000 ms waiting for the collector to listen:\n${out}`));
    }, 30_000);
    const listening = () => {
      const line = out.split('\n').find((l) => l.includes('"collector listening"'));
      if (!line) return;
      clearTimeout(timer);
      child.stdout!.off('data', listening);
      resolve(JSON.parse(line).address.port as number);
    };
    child.stdout!.on('data', listening);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`collector exited early:\n${out}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, child, output: () => out, exited };
}

export type { Reply } from './http.ts';

export async function postEvents(url: string, body: unknown, options: { headers?: Record<string, string>; gzip?: boolean; raw?: string } = {}): Promise<Reply> {
  let payload: string | Buffer = options.raw ?? JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.gzip) {
    payload = zlib.gzipSync(payload);
    headers['content-encoding'] = 'gzip';
  }
  const res = await fetch(`${url}/api/v1/events`, { method: 'POST', headers, body: typeof payload === 'string' ? payload : new Uint8Array(payload) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** What a Jupyter companion sends for `user`: the user's credential under `masterKey` and the percent-encoded name. */
export function companionHeaders(masterKey: string, user: string): Record<string, string> {
  return { authorization: `Bearer ${studentCredential(masterKey, user)}`, 'x-cell-monitor-user': encodeURIComponent(user) };
}

let eventCounter = 0;

/** A canonical cell_execution_complete event; override any field. */
export function buildCellEvent(overrides: Record<string, unknown> = {}): Record<string, any> {
  eventCounter += 1;
  return {
    eventId: `evt-${process.pid}-${Date.now().toString(36)}-${eventCounter}`,
    eventType: 'cell_execution_complete',
    eventTime: new Date(Date.UTC(2026, 10, 23, 9, 0, 0, eventCounter)).toISOString(),
    userId: 'student-1',
    sessionId: 'session-1',
    notebookPath: '/course/week1.ipynb',
    cellId: `cell-${eventCounter % 7}`,
    cellType: 'code',
    code: 'print("hello")',
    executionCount: eventCounter,
    durationMs: 12,
    success: true,
    output: 'hello\n',
    ...overrides,
  };
}

export function buildEvents(n: number, overrides: Record<string, unknown> = {}) {
  return Array.from({ length: n }, () => buildCellEvent(overrides));
}

/**
 * Sends one sentinel event and waits until it is stored. The pipeline keeps order, so whatever was
 * accepted before it (a duplicate, say) is stored by then: "nothing more arrives" is proven by
 * something arriving, not by a sleep. Fair batches (persist/fairWindow.ts) take at most 100 events
 * and 512 KiB of one student per transaction, so behind a larger backlog of one student the
 * sentinel may come first: wait for such a backlog itself before settling.
 */
export async function settle(url: string, store: Knex, headers?: Record<string, string>): Promise<void> {
  const sentinel = buildCellEvent({ userId: 'sentinel', eventType: 'notebook_saved' });
  const reply = await postEvents(url, [sentinel], { headers });
  if (reply.status !== 202) throw new Error(`sentinel refused: ${reply.status} ${JSON.stringify(reply.body)}`);
  await waitFor(async () => (await store('events').where({ event_id: sentinel.eventId }).first('id')) !== undefined, 30_000, 'the sentinel event stored');
}

/** A separate knex handle on the store, for assertions. */
export function openStore(databaseUrl: string): Knex {
  return createDb(databaseUrl);
}

export async function countRows(db: Knex, table: string, where: Record<string, unknown> = {}): Promise<number> {
  const [{ n }] = await db(table).where(where).count({ n: '*' });
  return Number(n);
}

/**
 * A trigger on `store` that refuses the event `eventId` the way a data error does (a constraint
 * violation: the persister dead-letters it); `on` false drops it — the fix. Both engines.
 */
export async function blockEvent(store: Knex, eventId: string, on: boolean): Promise<void> {
  if (isPostgres(store)) {
    if (on) {
      await store.raw(`CREATE OR REPLACE FUNCTION test_block() RETURNS trigger AS $$ BEGIN IF NEW.event_id = '${eventId}' THEN RAISE EXCEPTION 'blocked by the test' USING ERRCODE = '23514'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await store.raw('CREATE TRIGGER test_block BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION test_block()');
    } else {
      await store.raw('DROP TRIGGER test_block ON events');
    }
  } else if (on) {
    await store.raw(`CREATE TRIGGER test_block BEFORE INSERT ON events WHEN NEW.event_id = '${eventId}' BEGIN SELECT RAISE(ABORT, 'blocked by the test'); END`);
  } else {
    await store.raw('DROP TRIGGER test_block');
  }
}

export interface Account {
  email: string;
  name: string;
  password: string;
  role: 'admin' | 'instructor';
}

/** A class's teacher and an instructor of the same deployment who does not teach it. */
export const TEACHER_AND_OUTSIDER: Account[] = [
  { email: 'sato@example.org', name: 'Ms Sato', password: 'sato-password-1', role: 'instructor' },
  { email: 'other@example.org', name: 'Mr Other', password: 'other-password-1', role: 'instructor' },
];

/** Creates `accounts` in `app`'s store, then signs the first `signedIn` of them in (all by default): their tokens, in order. */
export async function addInstructors(app: RunningCollector, accounts: Account[], signedIn = accounts.length): Promise<string[]> {
  for (const account of accounts) await createInstructor(app.collector.db, account);
  const tokens: string[] = [];
  for (const { email, password } of accounts.slice(0, signedIn)) tokens.push(await login(app.url, email, password));
  return tokens;
}
