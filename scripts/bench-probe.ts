/**
 * Observation helpers for scripts/bench.ts: collector memory from /proc, row counts in PostgreSQL,
 * stopping a collector child, and a self-time summary of a V8 .cpuprofile.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';

export const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
export const ms = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : 'n/a');
export const mb = (kb: number | undefined): string => (kb === undefined ? 'n/a' : `${(kb / 1024).toFixed(0)} MB`);
export const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined; // process gone
  }
}

export interface MemoryWatch {
  /** Latest VmRSS sample. */
  readonly rssKb: number | undefined;
  /** Stops sampling and reads VmHWM (the kernel's peak RSS) while the process still lives. */
  stop(): { peakSampledKb: number | undefined; hwmKb: number | undefined };
}

export function watchMemory(pid: number, everyMs = 500): MemoryWatch {
  let peak: number | undefined;
  let last: number | undefined;
  const sample = () => {
    last = statusKb(pid, 'VmRSS') ?? last;
    if (last !== undefined && (peak === undefined || last > peak)) peak = last;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    get rssKb() {
      return last;
    },
    stop() {
      sample();
      clearInterval(timer);
      return { peakSampledKb: peak, hwmKb: statusKb(pid, 'VmHWM') };
    },
  };
}

/** SIGTERM (the collector drains for up to 10 s), then SIGKILL if it is still there. */
export async function stopChild(child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export interface RowCounter {
  count(): Promise<number>;
  close(): Promise<void>;
}

export async function openRowCounter(databaseUrl: string, table = 'events'): Promise<RowCounter> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'cell-monitor-bench' });
  await client.connect();
  return {
    async count() {
      const { rows } = await client.query(`SELECT count(*)::bigint AS n FROM ${table}`);
      return Number(rows[0].n);
    },
    close: () => client.end(),
  };
}

/** Polls until `count()` reaches `target`; returns the seconds it took, or undefined on timeout. */
export async function waitForRows(counter: RowCounter, target: number, timeoutSeconds: number): Promise<{ seconds?: number; rows: number }> {
  const started = performance.now();
  for (;;) {
    const rows = await counter.count();
    const seconds = (performance.now() - started) / 1000;
    if (rows >= target) return { seconds, rows };
    if (seconds > timeoutSeconds) return { rows };
    await sleep(500);
  }
}

/** Removes a directory only if it is one of the throwaway `cell-monitor-*` dirs under the temp dir. */
export function removeTempDir(dir: string | undefined, tmpRoot: string): void {
  if (!dir) return;
  const resolved = path.resolve(dir);
  if (path.dirname(resolved) !== path.resolve(tmpRoot) || !path.basename(resolved).startsWith('cell-monitor-')) return;
  fs.rmSync(resolved, { recursive: true, force: true });
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** Top self-time functions and the self-time share per package/file of a V8 .cpuprofile. */
export function summariseCpuProfile(file: string, top = 15): string[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/').replace(/^.*\/work\/main\//, '');
    const fn = `${functionName || '(anonymous)'}${where ? ` ${where}:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const origin = !url ? functionName : url.startsWith('node:') ? 'node core' : where.startsWith('~/') ? where.split('/').slice(1, where.startsWith('~/@') ? 3 : 2).join('/') : where;
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + us);
  }
  const rank = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
  const idle = ((100 * (byOrigin.get('(idle)') ?? 0)) / total).toFixed(1);
  return [`profile ${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled, ${idle}% idle`, 'top self time by function:', ...rank(byFunction, top), 'by package / file:', ...rank(byOrigin, 10)];
}
