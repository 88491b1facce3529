/**
 * The measured phases of scripts/bench.ts. Each phase runs its own collector child process (the
 * real CLI, via spawnCollector) on a fresh DATA_DIR and drives it from this process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { spawnCollector, type CollectorProcess } from '../test/helpers/stack.ts';
import { tempDir } from '../test/helpers/services.ts';
import { createBodyPool, percentile, startLoad, type LoadStats } from './bench-load.ts';
import { monotonicUs, spawnProfiledCollector, summariseCpuProfile, type ProfileWindow } from './bench-profile.ts';
import { cpuWindow, fmt, mb, ms, openRowCounter, removeTempDir, sleep, stopChild, waitForRows, watchMemory, type CpuFigures, type MemoryWatch } from './bench-probe.ts';

export interface PhaseOptions {
  warmupSeconds: number;
  concurrency: number;
  /** Run the collector with --cpu-prof and print a summary of the profile after it stops. */
  profile: boolean;
}

export interface Memory {
  peakSampledKb?: number;
  hwmKb?: number;
}

export interface IngestResult {
  eventsPerSecond: number;
  p50: number;
  p99: number;
  stats: LoadStats;
  memory: Memory;
  cpu: CpuFigures;
}

/** Collectors still running, so an interrupted bench can kill them. */
export const liveChildren = new Set<ChildProcess>();

type PhaseBody<T> = (proc: CollectorProcess, mem: MemoryWatch, windows: ProfileWindow[]) => Promise<T>;

async function withCollector<T>(env: Record<string, string>, opts: PhaseOptions, run: PhaseBody<T>): Promise<T> {
  const dataDir = tempDir('bench-data');
  const profDir = opts.profile ? tempDir('bench-prof') : undefined;
  // The load generator is one client speaking for a whole class: the per-student rate and byte budget are off.
  const base = { DATA_DIR: dataDir, INGEST_RATE_LIMIT: '0', INGEST_BYTES_PER_MINUTE: '0', ...env };
  const proc = profDir ? await spawnProfiledCollector(base, profDir) : await spawnCollector(base);
  liveChildren.add(proc.child);
  const mem = watchMemory(proc.child.pid!);
  const windows: ProfileWindow[] = [];
  try {
    const result = await run(proc, mem, windows);
    if (proc.child.exitCode !== null) throw new Error(`collector exited during the phase:\n${proc.output().slice(-3000)}`);
    return result;
  } finally {
    mem.stop();
    await stopChild(proc.child);
    liveChildren.delete(proc.child);
    removeTempDir(dataDir, os.tmpdir());
    // One file per thread: the HTTP thread and the pipeline thread.
    const profiles = profDir ? fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort() : [];
    for (const profile of profiles) for (const line of summariseCpuProfile(path.join(profDir!, profile), windows)) console.log(`    ${line}`);
    if (profDir && profiles.length === 0) console.log(`    (no .cpuprofile written in ${profDir})`);
  }
}

function summarise(stats: LoadStats, memory: Memory, cpu: CpuFigures): IngestResult {
  const sorted = Float64Array.from(stats.latenciesMs).sort();
  return { eventsPerSecond: stats.accepted / stats.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), stats, memory, cpu };
}

function describe(r: IngestResult): string {
  const failures = Object.entries(r.stats.failures).map(([k, v]) => `${k}×${v}`).join(' ');
  return (
    `${fmt(r.eventsPerSecond)} events/s accepted (${fmt(r.stats.requests / r.stats.seconds)} req/s over ${r.stats.seconds.toFixed(1)} s), ` +
    `ack p50 ${ms(r.p50)} p99 ${ms(r.p99)}, peak RSS ${mb(r.memory.hwmKb)}${failures ? `, non-202: ${failures}` : ''}\n` +
    `  CPU, % of one core: ${r.cpu.top.map(([name, pct]) => `${name} ${pct.toFixed(0)}%`).join(', ')}; whole machine ${r.cpu.machine.toFixed(0)}% of ${os.cpus().length * 100}%`
  );
}

/** Ingest only: events/s acked with 202 after a warmup. */
export async function ingestPhase(label: string, env: Record<string, string>, seconds: number, opts: PhaseOptions): Promise<IngestResult> {
  console.log(`\n# ${label}: ${opts.warmupSeconds} s warmup + ${seconds} s, ${opts.concurrency} requests in flight`);
  const result = await withCollector(env, opts, async (proc, mem, windows) => {
    const load = startLoad(proc.url, createBodyPool(`bench-${process.pid}-${label.replace(/\W+/g, '')}`, opts.concurrency), opts.concurrency);
    await sleep(opts.warmupSeconds * 1000);
    load.mark();
    const [cpu, startUs] = [cpuWindow(proc.child.pid!), monotonicUs()];
    await sleep(seconds * 1000);
    const stats = await load.stop();
    windows.push({ label: 'load window', startUs, endUs: monotonicUs() });
    return summarise(stats, mem.stop(), cpu.end());
  });
  console.log(`  ${describe(result)}`);
  return result;
}

export interface SustainedResult extends IngestResult {
  persistedPerSecond: number;
  backlog: number;
  drainSeconds?: number;
  drainPerSecond: number;
  drainCpu: CpuFigures;
  /** Rows landed from window start until the backlog drained, over that whole time. */
  endToEndPerSecond?: number;
}

/** Ingest for `seconds` while counting rows landing in PostgreSQL, then time the drain of the backlog. */
export async function sustainedPhase(label: string, env: Record<string, string>, seconds: number, drainTimeout: number, opts: PhaseOptions, rate: number): Promise<SustainedResult> {
  console.log(`\n# ${label}: ${fmt(rate)} events/s offered, ${opts.warmupSeconds} s warmup + ${seconds} s, up to ${opts.concurrency} requests in flight; then drain (up to ${drainTimeout} s)`);
  const counter = await openRowCounter(env.DATABASE_URL);
  try {
    const result = await withCollector(env, opts, async (proc, mem, windows) => {
      const load = startLoad(proc.url, createBodyPool(`bench-${process.pid}-${label.replace(/\W+/g, '')}`, opts.concurrency), opts.concurrency, rate);
      await sleep(opts.warmupSeconds * 1000);
      load.mark();
      const [cpu, startUs] = [cpuWindow(proc.child.pid!), monotonicUs()];
      const rows0 = await counter.count();
      const t0 = performance.now();
      let [lastRows, lastAccepted, lastT] = [rows0, load.totalAccepted, t0];
      const step = Math.min(10, seconds);
      for (let elapsed = 0; elapsed < seconds; elapsed += step) {
        await sleep(Math.min(step, seconds - elapsed) * 1000);
        const [rows, accepted, t] = [await counter.count(), load.totalAccepted, performance.now()];
        const dt = (t - lastT) / 1000;
        console.log(`  t=${((t - t0) / 1000).toFixed(0).padStart(3)} s  accepted ${fmt((accepted - lastAccepted) / dt)}/s  persisted ${fmt((rows - lastRows) / dt)}/s  backlog ${fmt(accepted - rows)}  rss ${mb(mem.rssKb)}`);
        [lastRows, lastAccepted, lastT] = [rows, accepted, t];
      }
      const stats = await load.stop();
      const cpuFigures = cpu.end();
      const rows1 = await counter.count();
      const window = (performance.now() - t0) / 1000;
      const backlog = load.totalAccepted - rows1;
      const [drainCpu, drainStartUs] = [cpuWindow(proc.child.pid!), monotonicUs()];
      const drain = await waitForRows(counter, load.totalAccepted, drainTimeout, (rows, t) =>
        console.log(`  draining: t=${t.toFixed(0)} s, ${fmt(load.totalAccepted - rows)} events left, ${fmt((rows - rows1) / t)} events/s`),
      );
      const tEnd = performance.now();
      windows.push({ label: 'load window', startUs, endUs: drainStartUs }, { label: 'drain (no load)', startUs: drainStartUs, endUs: monotonicUs() });
      const ingest = summarise(stats, mem.stop(), cpuFigures);
      return {
        ...ingest,
        persistedPerSecond: (rows1 - rows0) / window,
        backlog,
        drainSeconds: drain.seconds,
        drainPerSecond: (drain.rows - rows1) / drain.elapsed,
        drainCpu: drainCpu.end(),
        endToEndPerSecond: drain.seconds === undefined ? undefined : (drain.rows - rows0) / ((tEnd - t0) / 1000),
      };
    });
    console.log(`  ${describe(result)}`);
    console.log(
      `  persisted ${fmt(result.persistedPerSecond)} events/s during the window; backlog at its end ${fmt(result.backlog)} events, ` +
        (result.drainSeconds === undefined
          ? `not drained within ${drainTimeout} s (drain rate ${fmt(result.drainPerSecond)} events/s)`
          : `drained in ${result.drainSeconds.toFixed(1)} s at ${fmt(result.drainPerSecond)} events/s (${fmt(result.endToEndPerSecond!)} events/s end to end incl. drain)`),
    );
    console.log(`  CPU during the drain, % of one core: ${result.drainCpu.top.map(([name, pct]) => `${name} ${pct.toFixed(0)}%`).join(', ')}`);
    return result;
  } finally {
    await counter.close();
  }
}
