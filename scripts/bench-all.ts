/**
 * `npm run bench [-- --quick] [-- --profile]`: every figure issue 20 names, one benchmark after the
 * other (each starts and stops its own PostgreSQL, Redis and collectors, so no two share the
 * machine): the collector (scripts/bench.ts: ingest, end to end, persist capacity, RSS, fair
 * persistence), the dashboard's views (bench-dashboard.ts) and the classroom at scale
 * (bench-classroom.ts). Each is also an npm script of its own (`bench:collector`, `bench:dashboard`,
 * `bench:classroom`). At the end the lines that carry a target are printed again, together.
 * --profile applies to the collector's benchmark only. Never asserts; exits non-zero only when a
 * benchmark could not run.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick') ? ['--quick'] : [];
const BENCHES = [
  { name: 'collector', script: 'bench.ts', args },
  { name: 'dashboard', script: 'bench-dashboard.ts', args: quick },
  { name: 'classroom', script: 'bench-classroom.ts', args: quick },
];

/** Runs one benchmark with its output passed through; resolves with its exit code and the lines that name a target. */
function run(script: string, scriptArgs: string[]): Promise<{ code: number; targets: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, script), ...scriptArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
    const targets: string[] = [];
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      process.stdout.write(chunk);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (/target|× the history/.test(line)) targets.push(line.trim()); // the dashboard's 1× / 5× headers too
    });
    child.on('close', (code) => {
      if (/target/.test(partial)) targets.push(partial.trim());
      resolve({ code: code ?? 1, targets });
    });
  });
}

const results: Array<{ name: string; code: number; targets: string[] }> = [];
for (const bench of BENCHES) {
  console.log(`\n######## ${bench.name}: scripts/${bench.script} ${bench.args.join(' ')}`.trimEnd());
  results.push({ name: bench.name, ...(await run(bench.script, bench.args)) });
}
console.log('\n######## every figure with a target');
for (const r of results) {
  console.log(`${r.name}${r.code === 0 ? '' : ` (exited ${r.code}: its figures are incomplete)`}:`);
  for (const line of r.targets) console.log(`  ${line}`);
}
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
