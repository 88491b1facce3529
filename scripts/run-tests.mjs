#!/usr/bin/env node
// Runs every test/**/*.test.ts file in its own Node process (uvu + tsx), then the Python tests of
// the Jupyter companion (pytest, lab-extension/tests), streams their output, and ends with
// "N passed, N failed". Fails on any failure, on a file that dies without a summary, on `.only`,
// and on zero tests — uvu alone exits 0 in the last two cases. With CI=true a missing Python test
// dependency is a failure; elsewhere the Python suite is reported as skipped.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2];

function findTests(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'helpers' ? [] : findTests(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const files = findTests(path.join(root, 'test'))
  .sort()
  .filter((f) => !filter || f.includes(filter));
const PY_TESTS = 'lab-extension/tests';
const runPython = !filter || PY_TESTS.includes(filter) || filter.startsWith(PY_TESTS);

function runStreaming(cmd, args, echo = true) {
  return new Promise((resolve) => {
    let text = '';
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => {
      text += d;
      if (echo) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      text += d;
      if (echo) process.stderr.write(d);
    });
    child.on('error', (err) => resolve({ text: String(err), code: 1, signal: null }));
    child.on('exit', (code, signal) => resolve({ text, code, signal }));
  });
}

async function pythonSuite() {
  console.log(`\n# ${PY_TESTS} (pytest)`);
  const python = process.env.PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import jupyter_server, pytest, pytest_jupyter'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = `needs ${python} with jupyter_server, pytest and pytest-jupyter (pip install -r lab-extension/requirements-test.txt)`;
    if (process.env.CI === 'true') {
      console.log(`# ${PY_TESTS}: FAILED — ${why}`);
      failed += 1;
      failures.push(PY_TESTS);
    } else {
      console.log(`# ${PY_TESTS}: skipped — ${why}`);
      skipped += 1;
    }
    return;
  }
  const started = Date.now();
  const output = await runStreaming(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', PY_TESTS]);
  const count = (label) => Number(new RegExp(`(\\d+) ${label}`).exec(output.text.split('\n').filter((l) => / in [\d.]+s/.test(l)).pop() ?? '')?.[1] ?? 0);
  const ok = count('passed');
  let bad = count('failed') + count('errors?');
  if (ok === 0 || output.code !== 0) bad = Math.max(bad, 1);
  passed += ok;
  failed += bad;
  if (bad > 0) failures.push(PY_TESTS);
  console.log(`# ${PY_TESTS}: ${ok} passed, ${bad} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

/**
 * TEST_JOBS (default 2 with CI=true, else 1) files run at once: two cores keep one file's servers
 * busy while the other waits on its own. A file whose name says it drives a browser or measures
 * latency (`e2e`, `Page`, `hostileInput`) runs alone, so its loose time bounds see a quiet machine;
 * so does test/chaos/ (three collectors, PostgreSQL and Redis killed and restarted for ~2 minutes:
 * beside another file it would starve it, and its outages are timed in seconds).
 * With more than one job a file's output is printed whole when it ends, never interleaved.
 */
const jobs = Math.max(1, Number(process.env.TEST_JOBS ?? (process.env.CI === 'true' ? 2 : 1)) || 1);
const runsAlone = (rel) => /e2e|Page\.test|hostileInput|chaos\//.test(rel);

async function runFile(file) {
  const rel = path.relative(root, file);
  if (/\.only\(/.test(fs.readFileSync(file, 'utf8'))) {
    console.log(`\n# ${rel}: contains .only() — refusing to run a partial suite`);
    failed += 1;
    failures.push(rel);
    return;
  }
  const started = Date.now();
  if (jobs === 1) console.log(`\n# ${rel}`);
  const output = await runStreaming(process.execPath, ['--import', 'tsx', file], jobs === 1);
  const grab = (label) => {
    const matches = [...output.text.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'gm'))];
    return matches.reduce((sum, m) => sum + Number(m[1]), 0);
  };
  const total = grab('Total');
  const ok = grab('Passed');
  const skip = grab('Skipped');
  let bad = total - ok - skip;
  if (total === 0 || output.code !== 0) bad = Math.max(bad, 1);
  passed += ok;
  skipped += skip;
  failed += bad;
  if (bad > 0) failures.push(rel);
  if (jobs > 1) process.stdout.write(`\n# ${rel}\n${output.text}`);
  console.log(`# ${rel}: ${ok} passed, ${bad} failed (${((Date.now() - started) / 1000).toFixed(1)} s${output.signal ? `, killed by ${output.signal}` : ''})`);
}

const shared = files.filter((f) => !runsAlone(path.relative(root, f)));
const alone = files.filter((f) => runsAlone(path.relative(root, f)));
const queue = [...shared];
await Promise.all(Array.from({ length: Math.min(jobs, Math.max(1, queue.length)) }, async () => {
  while (queue.length > 0) await runFile(queue.shift());
}));
for (const file of alone) await runFile(file);

if (runPython) await pythonSuite();

if (files.length === 0 && !runPython) {
  console.log('no test files found');
  failed += 1;
}
if (failures.length > 0) console.log(`\nfailing files:\n  ${failures.join('\n  ')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
