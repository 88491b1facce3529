/**
 * Observation helpers for scripts/bench.ts: collector memory from /proc, row counts in PostgreSQL,
 * CPU use from /proc, and stopping a collector child.
 */
import fs from 'node:fs';
import os from 'node:os';
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

export interface CpuFigures {
  /** Percent of one core, over the window. */
  collector: number;
  client: number;
  /** Everything busy on the machine, in percent of one core (200 = both cores of a 2-core box). */
  machine: number;
  /** Busiest processes by name (postgres backends summed), percent of one core, busiest first. */
  top: [string, number][];
}

/** utime + stime in USER_HZ (100/s) of every process, keyed by pid. */
function processTicks(): Map<number, { name: string; ticks: number }> {
  const out = new Map<number, { name: string; ticks: number }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(entry), { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function machineTicks(): { busy: number; total: number } {
  const [, ...values] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - n[3] - n[4], total }; // minus idle and iowait
}

/** CPU use of the collector (or collectors, summed), this process, the busiest others and the whole machine until `end()`. */
export function cpuWindow(collectorPid: number | number[]): { end(): CpuFigures } {
  const collectors = new Set([collectorPid].flat());
  const [p0, m0, t0] = [processTicks(), machineTicks(), performance.now()];
  return {
    end() {
      const seconds = (performance.now() - t0) / 1000;
      const [p1, m1] = [processTicks(), machineTicks()];
      const byName = new Map<string, number>();
      for (const [pid, { name, ticks }] of p1) {
        const label = collectors.has(pid) ? 'collector' : pid === process.pid ? 'bench client' : name.startsWith('postgres') ? 'postgres' : name.startsWith('kworker') ? 'kernel workers' : name;
        const delta = ticks - (p0.get(pid)?.ticks ?? 0); // a pid new in the window counts in full
        byName.set(label, (byName.get(label) ?? 0) + delta / seconds);
      }
      const machine = ((m1.busy - m0.busy) / (m1.total - m0.total)) * os.cpus().length * 100;
      const unattributed = machine - [...byName.values()].reduce((a, b) => a + b, 0);
      if (unattributed >= 2) byName.set('processes that exited meanwhile', unattributed);
      return {
        collector: byName.get('collector') ?? NaN,
        client: byName.get('bench client') ?? NaN,
        machine,
        top: [...byName].filter(([, pct]) => pct >= 2).sort((a, b) => b[1] - a[1]).slice(0, 8),
      };
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

/** Polls until `count()` reaches `target`; `seconds` is undefined on timeout. Reports every 30 s. */
export async function waitForRows(
  counter: RowCounter,
  target: number,
  timeoutSeconds: number,
  report: (rows: number, seconds: number) => void = () => undefined,
): Promise<{ seconds?: number; rows: number; elapsed: number }> {
  const started = performance.now();
  let nextReport = 30;
  for (;;) {
    const rows = await counter.count();
    const elapsed = (performance.now() - started) / 1000;
    if (rows >= target) return { seconds: elapsed, rows, elapsed };
    if (elapsed > timeoutSeconds) return { rows, elapsed };
    if (elapsed >= nextReport) {
      report(rows, elapsed);
      nextReport += 30;
    }
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
