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
import { fmt, mb, ms, openRowCounter, removeTempDir, sleep, stopChild, summariseCpuProfile, waitForRows, watchMemory, type MemoryWatch } from './bench-probe.ts';

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
}

/** Collectors still running, so an interrupted bench can kill them. */
export const liveChildren = new Set<ChildProcess>();

async function withCollector<T>(env: Record<string, string>, opts: PhaseOptions, run: (proc: CollectorProcess, mem: MemoryWatch) => Promise<T>): Promise<T> {
  const dataDir = tempDir('bench-data');
  const profDir = opts.profile ? tempDir('bench-prof') : undefined;
  const nodeOptions = profDir ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${profDir}`.trim() } : {};
  const proc = await spawnCollector({ DATA_DIR: dataDir, ...nodeOptions, ...env });
  liveChildren.add(proc.child);
  const mem = watchMemory(proc.child.pid!);
  try {
    const result = await run(proc, mem);
    if (proc.child.exitCode !== null) throw new Error(`collector exited during the phase:\n${proc.output().slice(-3000)}`);
    return result;
  } finally {
    mem.stop();
    await stopChild(proc.child);
    liveChildren.delete(proc.child);
    removeTempDir(dataDir, os.tmpdir());
    const profile = profDir && fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (profile) for (const line of summariseCpuProfile(path.join(profDir, profile))) console.log(`    ${line}`);
  }
}

function summarise(stats: LoadStats, memory: Memory): IngestResult {
  const sorted = Float64Array.from(stats.latenciesMs).sort();
  return { eventsPerSecond: stats.accepted / stats.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), stats, memory };
}

function describe(r: IngestResult): string {
  const failures = Object.entries(r.stats.failures).map(([k, v]) => `${k}×${v}`).join(' ');
  return (
    `${fmt(r.eventsPerSecond)} events/s accepted (${fmt(r.stats.requests / r.stats.seconds)} req/s over ${r.stats.seconds.toFixed(1)} s), ` +
    `ack p50 ${ms(r.p50)} p99 ${ms(r.p99)}, peak RSS ${mb(r.memory.hwmKb)}${failures ? `, non-202: ${failures}` : ''}`
  );
}

/** Ingest only: events/s acked with 202 after a warmup. */
export async function ingestPhase(label: string, env: Record<string, string>, seconds: number, opts: PhaseOptions): Promise<IngestResult> {
  console.log(`\n# ${label}: ${opts.warmupSeconds} s warmup + ${seconds} s, ${opts.concurrency} requests in flight`);
  const result = await withCollector(env, opts, async (proc, mem) => {
    const load = startLoad(proc.url, createBodyPool(`bench-${process.pid}-${label.replace(/\W+/g, '')}`), opts.concurrency);
    await sleep(opts.warmupSeconds * 1000);
    load.mark();
    await sleep(seconds * 1000);
    const stats = await load.stop();
    return summarise(stats, mem.stop());
  });
  console.log(`  ${describe(result)}`);
  return result;
}

export interface SustainedResult extends IngestResult {
  persistedPerSecond: number;
  backlog: number;
  drainSeconds?: number;
  /** Rows landed from window start until the backlog drained, over that whole time. */
  endToEndPerSecond?: number;
}

/** Ingest for `seconds` while counting rows landing in PostgreSQL, then time the drain of the backlog. */
export async function sustainedPhase(label: string, env: Record<string, string>, seconds: number, drainTimeout: number, opts: PhaseOptions): Promise<SustainedResult> {
  console.log(`\n# ${label}: ${opts.warmupSeconds} s warmup + ${seconds} s, ${opts.concurrency} requests in flight; then drain (up to ${drainTimeout} s)`);
  const counter = await openRowCounter(env.DATABASE_URL);
  try {
    const result = await withCollector(env, opts, async (proc, mem) => {
      const load = startLoad(proc.url, createBodyPool(`bench-${process.pid}-${label.replace(/\W+/g, '')}`), opts.concurrency);
      await sleep(opts.warmupSeconds * 1000);
      load.mark();
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
      const rows1 = await counter.count();
      const window = (performance.now() - t0) / 1000;
      const backlog = load.totalAccepted - rows1;
      const drain = await waitForRows(counter, load.totalAccepted, drainTimeout);
      const tEnd = performance.now();
      const ingest = summarise(stats, mem.stop());
      return {
        ...ingest,
        persistedPerSecond: (rows1 - rows0) / window,
        backlog,
        drainSeconds: drain.seconds,
        endToEndPerSecond: drain.seconds === undefined ? undefined : (drain.rows - rows0) / ((tEnd - t0) / 1000),
      };
    });
    console.log(`  ${describe(result)}`);
    console.log(
      `  persisted ${fmt(result.persistedPerSecond)} events/s during the window; backlog at its end ${fmt(result.backlog)} events, ` +
        (result.drainSeconds === undefined ? `not drained within ${drainTimeout} s` : `drained in ${result.drainSeconds.toFixed(1)} s (${fmt(result.endToEndPerSecond!)} events/s end to end incl. drain)`),
    );
    return result;
  } finally {
    await counter.close();
  }
}
