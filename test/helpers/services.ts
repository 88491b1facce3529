/**
 * Real PostgreSQL and Redis servers for the tests, started from the machine's binaries on free
 * loopback ports in throwaway directories. When a binary is missing the test is skipped locally
 * but fails under CI=true (a missing service is a failure there, never a skip).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

export class MissingServiceError extends Error {}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as T; // 0, false, null, undefined and "" all mean "not yet"
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the clock is in a later whole second (JWTs carry whole seconds: "issued after" needs one). */
export async function nextSecond(): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  await waitFor(() => Math.floor(Date.now() / 1000) > now, 2_000, 'the next second');
}

function findBinary(name: string, extraDirs: string[] = []): string | undefined {
  for (const dir of [...extraDirs, ...(process.env.PATH ?? '').split(':')]) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function missing(what: string, packages = 'postgresql redis-server'): never {
  const hint = `${what} not found (Debian: apt-get install ${packages})`;
  throw new MissingServiceError(process.env.CI === 'true' ? `CI=true and ${hint}` : hint);
}

/**
 * What a test process must undo when it ends, newest first: servers it started and folders it made.
 * Each test file runs in a process of its own (scripts/run-tests.mjs), so nothing outlives its file,
 * even when a test forgot a stop() or failed half way.
 */
const atExit: Array<() => void> = [];
process.once('exit', () => {
  for (const undo of atExit.splice(0).reverse()) {
    try {
      undo();
    } catch {
      // already gone
    }
  }
});
export function undoAtExit(undo: () => void): void {
  atExit.push(undo);
}

/** A fresh folder under the system temp dir, removed when the test process ends. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cell-monitor-${prefix}-`));
  undoAtExit(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A redis-server with AOF (appendfsync always), as a durable production Redis would run. */
export async function startRedis(): Promise<RedisServer> {
  const binary = findBinary('redis-server') ?? missing('redis-server');
  const port = await freePort();
  const dir = tempDir('redis');
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'], {
        stdio: 'ignore',
      });
      const probe = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await waitFor(async () => {
          if (probe.status !== 'ready') await probe.connect().catch(() => undefined);
          return (await probe.ping()) === 'PONG';
        }, 10_000, 'redis-server');
      } finally {
        probe.disconnect();
      }
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
  undoAtExit(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });
  await server.start();
  return server;
}

export interface PostgresServer {
  port: number;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops it at once (`-m immediate`: as a crash would, clients see their connections drop). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory, after stop(). */
  start(): Promise<void>;
}

/** A throwaway PostgreSQL cluster (initdb -A trust --no-sync) on a free port; < 2 s to start. */
export async function startPostgres(): Promise<PostgresServer> {
  const binDirs = fs.existsSync('/usr/lib/postgresql')
    ? fs.readdirSync('/usr/lib/postgresql').sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`)
    : [];
  const initdb = findBinary('initdb', binDirs) ?? missing('PostgreSQL initdb');
  const pgCtl = findBinary('pg_ctl', binDirs) ?? missing('PostgreSQL pg_ctl');
  const dir = tempDir('pg');
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) fs.chownSync(dir, ...ownerOf('postgres'));
  const run = (cmd: string, args: string[]) => {
    const full = asPostgres ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] as const : [cmd, args] as const;
    const result = spawnSync(full[0], [...full[1]], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr || result.stdout}`);
  };
  const port = await freePort();
  const dataDir = path.join(dir, 'data');
  run(initdb, ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const start = () => run(pgCtl, ['-D', dataDir, '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-w', 'start']);
  start();
  let stopped = false;
  undoAtExit(() => {
    if (!stopped) run(pgCtl, ['-D', dataDir, '-m', 'immediate', 'stop']);
  });
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    port,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}"`);
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      stopped = true;
      run(pgCtl, ['-D', dataDir, '-m', 'immediate', 'stop']);
    },
    async start() {
      start();
      stopped = false;
    },
  };
}

function ownerOf(user: string): [number, number] {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) missing(`system user ${user}`);
  const [, , uid, gid] = line.split(':');
  return [Number(uid), Number(gid)];
}

export interface VictoriaMetricsServer {
  url: string;
  port: number;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Debian's victoria-metrics, which accepts the InfluxDB v2 write API (`/api/v2/write`), on a free
 * loopback port with a throwaway data directory; points are readable at once through
 * `/api/v1/export` (-search.latencyOffset=0s). Runs in a process group of its own, stopped as one.
 */
export async function startVictoriaMetrics(): Promise<VictoriaMetricsServer> {
  const binary = findBinary('victoria-metrics') ?? missing('victoria-metrics', 'victoria-metrics');
  const port = await freePort();
  const dir = tempDir('vm');
  let child: ChildProcess | undefined;
  const killGroup = (signal: NodeJS.Signals) => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, signal);
  };
  const server: VictoriaMetricsServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn(binary, [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, '-search.latencyOffset=0s', '-retentionPeriod=100y', '-loggerLevel=ERROR'], {
        stdio: 'ignore',
        detached: true,
      });
      const current = child;
      await waitFor(async () => {
        if (current.exitCode !== null) throw new Error(`victoria-metrics exited with ${current.exitCode}`);
        const res = await fetch(`${server.url}/health`);
        return res.ok && (await res.text()).trim() === 'OK';
      }, 15_000, 'victoria-metrics');
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child!.once('exit', r));
      killGroup('SIGTERM');
      await exited;
    },
  };
  undoAtExit(() => killGroup('SIGKILL'));
  await server.start();
  return server;
}
