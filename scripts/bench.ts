/**
 * `npm run bench:collector [-- --quick] [-- --profile]` (also the first part of `npm run bench`):
 * ingest and end-to-end throughput of the collector,
 * run as the real CLI in a child process against throwaway PostgreSQL and Redis servers, and once
 * in the embedded default (DATA_DIR only). Prints figures next to their targets; never asserts.
 *
 * Phases: (1) durable ingest, closed loop (each of N connections sends as soon as its last reply
 * came): the most events/s the collector acks; (2) end to end, open loop: BENCH_RATE events/s
 * offered for BENCH_SECONDS while rows are counted landing in PostgreSQL, then the backlog drained;
 * (3) fair persistence: one flooding student among 300 (bench-fairness.ts); (4) embedded ingest
 * (no services), closed loop.
 *
 * Environment: BENCH_SECONDS (sustained phase, default 60), BENCH_RATE (offered events/s in the
 * sustained phase, default 20000, the target), BENCH_INGEST_SECONDS (default 12),
 * BENCH_CONCURRENCY (requests in flight, default 12), BENCH_DRAIN_TIMEOUT (seconds, default 600),
 * BENCH_FAIR_SECONDS (each fair-persistence phase, scripts/bench-fairness.ts; default 20).
 * --quick: 5 s phases. --profile: collectors run with --cpu-prof; a self-time summary is printed.
 */
import os from 'node:os';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startPostgres, startRedis, type PostgresServer, type RedisServer } from '../test/helpers/services.ts';
import { ingestPhase, liveChildren, sustainedPhase, type PhaseOptions } from './bench-phases.ts';
import { fairnessPhase, latency } from './bench-fairness.ts';
import { cpuWindow, fmt, mb, ms, removeTempDir, sleep, type CpuFigures } from './bench-probe.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profile = args.includes('--profile');

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got ${raw})`);
  return value;
}

const sustainSeconds = setting('BENCH_SECONDS', quick ? 5 : 60);
const ingestSeconds = setting('BENCH_INGEST_SECONDS', quick ? 5 : 12);
const fairSeconds = setting('BENCH_FAIR_SECONDS', quick ? 10 : 20);
const drainTimeout = setting('BENCH_DRAIN_TIMEOUT', quick ? 60 : 600);
const offeredRate = setting('BENCH_RATE', 20_000);
const opts: PhaseOptions = { warmupSeconds: quick ? 1 : 3, concurrency: Math.round(setting('BENCH_CONCURRENCY', 12)), profile };
/** Issue 20's targets; rssMb: the collector's peak resident memory. */
const TARGET = { ingest: 50_000, endToEnd: 20_000, rssMb: 200 };

let postgres: PostgresServer | undefined;
let redis: RedisServer | undefined;
const serviceDirs: string[] = [];

/** Where services.ts put the throwaway servers' files, so they can be removed after they stop. */
async function locateServiceDirs(databaseUrl: string, redisUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SHOW data_directory');
    serviceDirs.push(String(rows[0].data_directory).replace(/\/data\/?$/, ''));
  } finally {
    await client.end();
  }
  const r = new Redis(redisUrl, { lazyConnect: true });
  await r.connect();
  try {
    const [, dir] = (await r.config('GET', 'dir')) as [string, string];
    serviceDirs.push(dir);
  } finally {
    r.disconnect();
  }
}

async function cleanup(): Promise<void> {
  for (const child of liveChildren) child.kill('SIGKILL');
  await redis?.stop().catch(() => undefined);
  try {
    await postgres?.stop();
  } catch {
    // already stopped
  }
  for (const dir of serviceDirs) removeTempDir(dir, os.tmpdir());
}

/** CPU that neither the collector, this process, PostgreSQL nor Redis used: other work on the box. */
function otherLoad(cpu: CpuFigures): number {
  const ours = cpu.top.filter(([name]) => ['collector', 'bench client', 'postgres', 'redis-server'].includes(name)).reduce((a, [, pct]) => a + pct, 0);
  return Math.max(0, cpu.machine - ours);
}

const verdict = (value: number | undefined, target: number) => (value !== undefined && value >= target ? 'met' : 'MISSED');

async function main(): Promise<void> {
  console.log(`cell-monitor collector benchmark${quick ? ' (quick)' : ''}${profile ? ' (profiling: figures include --cpu-prof overhead)' : ''}`);
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), batches of 100 events, ${opts.concurrency} requests in flight`);
  const before = cpuWindow(-1);
  await sleep(1000);
  const baseline = before.end();
  const busy = baseline.top.filter(([name]) => name !== 'bench client');
  console.log(`machine before start: ${baseline.machine.toFixed(0)}% of ${os.cpus().length * 100}% busy${busy.length ? ` (${busy.map(([n, p]) => `${n} ${p.toFixed(0)}%`).join(', ')})` : ''}`);
  if (baseline.machine > 25) console.log('WARNING: other work is running on this machine; expect lower figures than on an idle one');
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const ingestDb = await postgres.createDatabase('bench_ingest');
  await locateServiceDirs(ingestDb, redis.url);

  const durable = await ingestPhase('durable ingest (postgres+redis)', { DATABASE_URL: ingestDb, REDIS_URL: `${redis.url}/0` }, ingestSeconds, opts);
  const sustainedDb = await postgres.createDatabase('bench_sustained');
  const sustained = await sustainedPhase(
    `end to end (postgres+redis), ${sustainSeconds} s`,
    { DATABASE_URL: sustainedDb, REDIS_URL: `${redis.url}/1` },
    sustainSeconds,
    drainTimeout,
    opts,
    offeredRate,
  );
  const fair = await fairnessPhase({ DATABASE_URL: await postgres.createDatabase('bench_fair'), REDIS_URL: `${redis.url}/2` }, fairSeconds, true);
  const unfair = await fairnessPhase({ DATABASE_URL: await postgres.createDatabase('bench_fair_off'), REDIS_URL: `${redis.url}/3` }, fairSeconds, false);
  await redis.stop();
  await postgres.stop();
  postgres = undefined;
  const embedded = await ingestPhase('embedded ingest (DATA_DIR only)', { DATABASE_URL: '', REDIS_URL: '' }, ingestSeconds, opts);

  const drain =
    sustained.backlog <= 0
      ? 'nothing to drain'
      : sustained.drainSeconds === undefined
      ? `not drained in ${drainTimeout} s (drain rate ${fmt(sustained.drainPerSecond)}/s)`
      : `drained in ${sustained.drainSeconds.toFixed(1)} s (${fmt(sustained.drainPerSecond)}/s)`;
  console.log(`\n== summary (${os.cpus().length} CPUs, ${opts.concurrency} in flight, batches of 100) ==`);
  console.log(`durable ingest (pg+redis):   ${fmt(durable.eventsPerSecond)} events/s (target ≥ ${fmt(TARGET.ingest)}) ${verdict(durable.eventsPerSecond, TARGET.ingest)}`);
  console.log(
    `end to end → PostgreSQL:     ${fmt(sustained.persistedPerSecond)} events/s persisted over ${sustainSeconds} s with ${fmt(offeredRate)}/s offered (target ≥ ${fmt(TARGET.endToEnd)}) ${verdict(sustained.persistedPerSecond, TARGET.endToEnd)}`,
  );
  console.log(`  same window:               ${fmt(sustained.eventsPerSecond)} events/s accepted; backlog ${fmt(sustained.backlog)} events at the end, ${drain}`);
  console.log(
    `  persist capacity, no load: ${sustained.backlog > 0 ? `${fmt(sustained.drainPerSecond)} events/s (the drain above)` : 'not measured: persisting kept up, nothing was left to drain'}`,
  );
  console.log(`ack latency (pg+redis):      p50 ${ms(durable.p50)}, p99 ${ms(durable.p99)} (sustained phase: p50 ${ms(sustained.p50)}, p99 ${ms(sustained.p99)})`);
  console.log(
    `collector peak RSS:          ${mb(sustained.memory.hwmKb)} (VmHWM, sustained phase; max sampled VmRSS ${mb(sustained.memory.peakSampledKb)}; ingest phase ${mb(durable.memory.hwmKb)}) (target < ${TARGET.rssMb} MB) ${Math.max(sustained.memory.hwmKb ?? Infinity, durable.memory.hwmKb ?? Infinity) / 1024 < TARGET.rssMb ? 'met' : 'MISSED'}`,
  );
  console.log(
    `fair persistence:            well-behaved p99 ${latency(fair.p99)} send → stored with 1 flooder among ${fair.students} (target ≤ 1 s) ${fair.p99 <= 1000 ? 'met' : 'MISSED'}; budgets as shipped (${fmt(fair.flooderRefused)} flood requests refused)`,
  );
  console.log(
    `  budgets off:               well-behaved p99 ${latency(unfair.p99)}, ${fmt(unfair.stored)}/${fmt(unfair.sent)} stored in time, the flooder's backlog ${fmt(unfair.flooderAccepted - unfair.flooderStored)} heavy events (the persister alone)`,
  );
  console.log(`embedded ingest (default):   ${fmt(embedded.eventsPerSecond)} events/s (p50 ${ms(embedded.p50)}, p99 ${ms(embedded.p99)}, peak RSS ${mb(embedded.memory.hwmKb)})`);
  const other = Math.max(...[durable, sustained, embedded].map((r) => otherLoad(r.cpu)));
  console.log(`other work on the machine:   up to ${other.toFixed(0)}% of one core during a phase${other > 20 ? ' (figures are depressed by it)' : ''}`);
}

process.once('SIGINT', () => {
  console.error('\ninterrupted: stopping collectors and services');
  void cleanup().finally(() => process.exit(130));
});

try {
  await main();
} catch (err) {
  process.exitCode = 1;
  console.error(`bench failed: ${(err as Error).stack ?? err}`);
} finally {
  await cleanup();
}
