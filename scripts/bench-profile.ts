/**
 * `--profile` support for scripts/bench.ts: the collector CLI under V8's --cpu-prof, and a
 * self-time summary of the .cpuprofile it writes on exit.
 */
import fs from 'node:fs';
import { ROOT, spawnCollector, type CollectorProcess } from '../test/helpers/stack.ts';

/** spawnCollector with V8's --cpu-prof writing into `profDir` (the pipeline thread gets a file too). */
export function spawnProfiledCollector(env: Record<string, string>, profDir: string): Promise<CollectorProcess> {
  return spawnCollector(env, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** A stretch of the run to summarise, in CLOCK_MONOTONIC microseconds (the clock V8 profiles use). */
export interface ProfileWindow {
  label: string;
  startUs: number;
  endUs: number;
}

export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** Top self-time functions and the self-time share per package/file, for each window of a V8 .cpuprofile. */
export function summariseCpuProfile(file: string, windows: ProfileWindow[], top = 12): string[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const lines = [`profile ${file}`];
  for (const window of windows) {
    const selfUs = new Map<number, number>();
    let t = profile.startTime;
    profile.samples.forEach((id, i) => {
      t += profile.timeDeltas[i] ?? 0;
      const span = Math.max(0, profile.timeDeltas[i + 1] ?? 0); // until the next sample
      if (t >= window.startUs && t < window.endUs) selfUs.set(id, (selfUs.get(id) ?? 0) + span);
    });
    const total = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
    const byFunction = new Map<string, number>();
    const byOrigin = new Map<string, number>();
    for (const [id, us] of selfUs) {
      const { functionName, url, lineNumber } = byId.get(id)!;
      const where = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/').replace(`${ROOT}/`, '');
      // Repo files run transpiled by tsx, so their line numbers would not match the source.
      const line = where.startsWith('~/') || url.startsWith('node:') ? `:${lineNumber + 1}` : '';
      const fn = `${functionName || '(anonymous)'}${where ? ` ${where}${line}` : ''}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
      const origin = !url ? functionName : url.startsWith('node:') ? 'node core' : where.startsWith('~/') ? where.split('/').slice(1, where.startsWith('~/@') ? 3 : 2).join('/') : where;
      byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + us);
    }
    const rank = (m: Map<string, number>, n: number) =>
      [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `    ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
    const idle = ((100 * (byOrigin.get('(idle)') ?? 0)) / total).toFixed(1);
    lines.push(`${window.label}: ${(total / 1e6).toFixed(1)} s of samples on this thread, ${idle}% idle`, '  top self time by function:', ...rank(byFunction, top), '  by package / file:', ...rank(byOrigin, 8));
  }
  return lines;
}
