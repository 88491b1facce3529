import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir, waitFor } from '../helpers/services.ts';
import { buildCellEvent, postEvents, ROOT } from '../helpers/stack.ts';

const started0 = Date.now();
const work = tempDir('packaging');
const prefix = path.join(work, 'prefix');
const installedBin = path.join(prefix, 'bin/cell-monitor-collector');
const noStack = (text: string) => !/^\s+at /m.test(text);

function runWithErrors(cmd: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(cmd, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, encoding: 'utf8', timeout: 150_000 });
  assert.is(result.status, 0, `${cmd} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result;
}

function run(cmd: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return runWithErrors(cmd, args, options).stdout;
}

/** better-sqlite3's install falls back to a 90-s compile when it cannot fetch a prebuilt binary
 *  (no GitHub here): give it the one this checkout already built, as a local prebuild. */
function localPrebuild(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string };
  const dir = path.join(work, 'prebuilds');
  fs.mkdirSync(dir);
  const file = path.join(dir, `better-sqlite3-v${pkg.version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`);
  run('tar', ['czf', file, '-C', path.join(ROOT, 'node_modules/better-sqlite3'), 'build/Release/better_sqlite3.node']);
  return dir;
}

interface Started {
  child: ChildProcess;
  port: number;
  /** From spawn until /readyz first answers 200 "ready". */
  readyMs: number;
  output: () => string;
  exited: () => number | null | undefined;
}

/** Starts a collector on a free port and waits for /readyz to answer ready (a dying one says why). */
async function startUntilReady(cmd: string, args: string[], env: Record<string, string>, cwd = work): Promise<Started> {
  const port = await closedPort();
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd, detached: true, env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  let dead: Error | undefined;
  await waitFor(async () => {
    if (exited !== undefined) dead ??= new Error(`${cmd} ${args.join(' ')} exited (${exited}) before it was ready:\n${output}`);
    if (dead) return true;
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    return ready.status === 200 && ((await ready.json()) as { status: string }).status === 'ready';
  }, 60_000, `${cmd} ready`);
  if (dead) throw dead;
  return { child, port, readyMs: performance.now() - t0, output: () => output, exited: () => exited };
}

/** The resident memory of an idle process, in MB (from /proc; undefined elsewhere). */
async function idleRssMb(pid: number): Promise<number | undefined> {
  await new Promise((r) => setTimeout(r, 3_000));
  const status = fs.existsSync(`/proc/${pid}/status`) ? fs.readFileSync(`/proc/${pid}/status`, 'utf8') : '';
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return kb ? Number(kb[1]) / 1024 : undefined;
}

async function stop(started: Started): Promise<void> {
  if (started.exited() !== undefined) return;
  const gone = new Promise((r) => started.child.once('exit', r));
  process.kill(-started.child.pid!, 'SIGTERM');
  await gone;
}

const figure = (ms: number, rss: number | undefined) => `${(ms / 1000).toFixed(2)} s to /readyz ready, idle RSS ${rss === undefined ? '?' : `${rss.toFixed(0)} MB`}`;

test('npm pack → npm install -g of the tarball → the installed bin starts compiled JavaScript (no .ts, no tsx, source maps): /readyz, /healthz and the dashboard answer', async () => {
  run('npm', ['pack', '-w', 'collector', '--pack-destination', work, '--silent']);
  const tarball = path.join(work, 'cell-monitor-collector-0.1.0.tgz');
  assert.ok(fs.existsSync(tarball), 'no tarball');
  assert.not.ok(fs.existsSync(path.join(ROOT, 'collector/packaged')), 'postpack left collector/packaged behind');
  assert.not.ok(fs.existsSync(path.join(ROOT, 'collector/dist')), 'postpack left collector/dist behind');
  // What the tarball carries: compiled JavaScript with its source maps, and no TypeScript at all
  // (so none can be loaded at run time), nor the workspace sources it was compiled from.
  const files = run('tar', ['tzf', tarball]).split('\n').filter(Boolean);
  assert.equal(files.filter((f) => /\.(c|m)?tsx?$/.test(f)), [], 'TypeScript in the tarball');
  for (const f of ['package/dist/main.mjs', 'package/dist/main.mjs.map', 'package/dist/worker.mjs', 'package/dist/worker.mjs.map', 'package/dist/hashWorker.mjs', 'package/dist/migrations/20261123090000_create_events.mjs', 'package/packaged/dashboard/index.html']) {
    assert.ok(files.includes(f), `${f} is not in the tarball`);
  }
  assert.not.ok(files.some((f) => f.startsWith('package/src/') || f.startsWith('package/node_modules/')), 'sources or bundled node_modules in the tarball');
  // As the README's admin path has it: better-sqlite3's install script (its native binary) allowed by name, the one a global install runs.
  const install = runWithErrors('npm', ['install', '-g', '--allow-scripts=better-sqlite3', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: work, env: { npm_config_better_sqlite3_local_prebuilds: localPrebuild() } });
  assert.not.match(install.stderr, /install-scripts|allowScripts|not yet covered/, `npm install -g warned about install scripts:\n${install.stderr}`);
  const installed = path.join(prefix, 'lib/node_modules/@cell-monitor/collector');
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.not.ok('tsx' in manifest.dependencies, 'tsx is a run-time dependency');
  // tsx is nowhere the installed bin could import it from: it cannot compile a .ts file.
  assert.throws(() => createRequire(path.join(installed, 'dist/main.mjs')).resolve('tsx'), /Cannot find module/);

  const dataDir = path.join(work, 'data');
  const started = await startUntilReady(installedBin, ['start'], { DATA_DIR: dataDir });
  try {
    const health = await fetch(`http://127.0.0.1:${started.port}/healthz`);
    assert.is(health.status, 200, started.output());
    const page = await fetch(`http://127.0.0.1:${started.port}/`);
    assert.is(page.status, 200, started.output());
    assert.ok((await page.text()).includes('<'), 'the dashboard page is empty');
    assert.ok(fs.existsSync(path.join(dataDir, 'cell-monitor.sqlite')), 'the migrations did not run into DATA_DIR');
    // An event through the ingest API reaches the store: the compiled pipeline thread (dist/worker.mjs) runs.
    const event = buildCellEvent({ userId: 'packaged-student' });
    assert.is((await postEvents(`http://127.0.0.1:${started.port}`, [event])).status, 202);
    const store = new Database(path.join(dataDir, 'cell-monitor.sqlite'), { readonly: true });
    try {
      const stored = () => (store.prepare('SELECT count(*) AS n FROM events WHERE event_id = ?').get(event.eventId) as { n: number }).n;
      await waitFor(() => stored() > 0, 20_000, 'the event stored');
      assert.is(stored(), 1);
    } finally {
      store.close();
    }
    assert.not.ok(started.output().includes('pipeline thread'), started.output());
  } finally {
    await stop(started);
  }
  // The same store under the sources (tsx): the migrations keep their names, nothing to apply again.
  const again = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'collector/src/main.ts'), 'migrate'], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'info' }, encoding: 'utf8' });
  assert.is(again.status, 0, again.stderr);
  assert.not.ok(/"applied":\["/.test(again.stdout), `the sources applied migrations again:\n${again.stdout}`);
  console.log(`packaging: pack + install + start took ${((Date.now() - started0) / 1000).toFixed(1)} s`);
});

test('a stack trace from the installed, compiled collector names the TypeScript source (source maps on)', () => {
  const file = path.join(work, 'not-a-dir');
  fs.writeFileSync(file, '');
  const result = spawnSync(installedBin, ['start'], { cwd: work, env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: path.join(file, 'data'), LOG_LEVEL: 'debug' }, encoding: 'utf8', timeout: 30_000 });
  assert.is(result.status, 2, result.stderr);
  assert.match(result.stderr, /^\s+at .*\/src\/[\w/]+\.ts:\d+:\d+\)?$/m, `no frame in a .ts source:\n${result.stderr}`);
  assert.not.match(result.stderr, /dist\/[\w-]+\.mjs:\d+/, `a frame in the compiled file:\n${result.stderr}`);
});

test('the installed package writes readable lines with LOG_FORMAT=pretty (pino-pretty, loaded only then, is installed with it)', () => {
  const result = spawnSync(installedBin, ['migrate'], { cwd: work, env: { ...process.env, DATA_DIR: path.join(work, 'pretty'), LOG_FORMAT: 'pretty', LOG_LEVEL: 'info' }, encoding: 'utf8', timeout: 30_000 });
  assert.is(result.status, 0, result.stderr);
  assert.match(result.stdout, /^\[\d\d:\d\d:\d\d\] INFO: migrations applied \{"applied":"\d+ \(/m, result.stdout);
  // The first account from the installed bin: its password hashed in the compiled bcrypt thread (dist/hashWorker.mjs).
  const created = spawnSync(installedBin, ['create-instructor', '--email', 'admin@school.example', '--name', 'Admin'], { cwd: work, env: { ...process.env, DATA_DIR: path.join(work, 'pretty'), CELL_MONITOR_PASSWORD: 'a long enough password' }, encoding: 'utf8', timeout: 30_000 });
  assert.is(created.status, 0, created.stderr);
  assert.match(created.stdout, /created admin #\d+ admin@school\.example/);
});

test('cold start, the compiled package against the sources through tsx (figures printed, not asserted)', async () => {
  // Each on a new store, three rounds taken in turn (the machine is shared), medians printed; the idle
  // RSS from the first round. tsx compiles each source on first load and caches it under TMPDIR: the
  // systemd unit's PrivateTmp gives every service start an empty one ("empty cache"); "warm" reuses one.
  const warmTmp = path.join(work, 'tsx-warm');
  fs.mkdirSync(warmTmp);
  const tsx = ['--import', 'tsx', path.join(ROOT, 'collector/src/main.ts'), 'start'];
  const variants: Array<{ name: string; start: (round: number) => Promise<Started> }> = [
    { name: 'installed compiled package', start: (r) => startUntilReady(installedBin, ['start'], { DATA_DIR: path.join(work, `compiled-${r}`) }) },
    { name: 'sources through tsx, empty compile cache', start: (r) => startUntilReady(process.execPath, tsx, { DATA_DIR: path.join(work, `tsx-cold-${r}`), TMPDIR: fs.mkdtempSync(path.join(work, 'tsx-tmp-')) }, ROOT) },
    { name: 'sources through tsx, warm compile cache', start: (r) => startUntilReady(process.execPath, tsx, { DATA_DIR: path.join(work, `tsx-warm-${r}`), TMPDIR: warmTmp }, ROOT) },
  ];
  await stop(await variants[2].start(-1)); // fills the warm cache
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const rss = new Map<string, number | undefined>();
  for (let round = 0; round < 3; round++) {
    for (const variant of variants) {
      const started = await variant.start(round);
      try {
        times.get(variant.name)!.push(started.readyMs);
        if (round === 0) rss.set(variant.name, await idleRssMb(started.child.pid!));
      } finally {
        await stop(started);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const variant of variants) {
    const ms = times.get(variant.name)!;
    console.log(`# cold start: ${variant.name}: ${figure(median(ms), rss.get(variant.name))} (median of ${ms.map((t) => (t / 1000).toFixed(2)).join(', ')} s)`);
  }
});

test('install-service --dry-run prints a hardened unit that systemd-analyze verify accepts, and writes nothing', () => {
  const unitDir = path.join(work, 'units');
  const envPath = path.join(work, 'collector.env');
  const out = run(installedBin, ['install-service', '--dry-run', '--unit-dir', unitDir, '--env-path', envPath]);
  assert.not.ok(fs.existsSync(unitDir) || fs.existsSync(envPath), '--dry-run wrote files');
  const unit = out.split(/^# .*collector\.env.*$/m)[0].replace(/^# .*\.service\n/m, '');
  const env = out.slice(out.indexOf('HOST='));
  assert.ok(env.includes('INGEST_KEY=<generated at install>') && env.includes('JWT_SECRET=<generated at install>'), env);
  for (const line of ['DynamicUser=yes', 'StateDirectory=cell-monitor', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'NoNewPrivileges=yes', 'Restart=on-failure', 'WantedBy=multi-user.target', `EnvironmentFile=${envPath}`]) {
    assert.ok(unit.includes(`${line}\n`), `missing ${line}`);
  }
  const execStart = /^ExecStart=(\S+) (\S+) start$/m.exec(unit);
  assert.ok(execStart && execStart[2].startsWith(fs.realpathSync(prefix)), `ExecStart is not the installed bin: ${execStart?.[0]}`);
  const file = path.join(work, 'cell-monitor-collector.service');
  fs.writeFileSync(file, unit);
  fs.writeFileSync(envPath, 'PORT=8765\n');
  const verify = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  assert.is(verify.status, 0, `systemd-analyze verify: ${verify.stdout}${verify.stderr}`);
  assert.is(verify.stderr.trim(), '', verify.stderr);
  // The exposure score of the sandboxing (0 best, 10 worst): at most 3 ("OK"); was 6.5 (MEDIUM).
  const security = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', file], { encoding: 'utf8' });
  const score = /Overall exposure level for \S+: (\d+(?:\.\d+)?) (\S+)/.exec(security.stdout);
  assert.ok(score, `systemd-analyze security: ${security.stdout}${security.stderr}`);
  console.log(`packaging: systemd-analyze security --offline=yes scores the unit ${score[1]} ${score[2]}`);
  assert.ok(Number(score[1]) <= 3, `exposure ${score[1]} ${score[2]}:\n${security.stdout.split('\n').filter((l) => l.startsWith('✗')).join('\n')}`);
  for (const line of ['CapabilityBoundingSet=', 'SystemCallFilter=@system-service', 'SystemCallArchitectures=native', 'ProtectProc=invisible']) assert.ok(unit.includes(`${line}\n`), `missing ${line}`);
  assert.not.ok(unit.includes('MemoryDenyWriteExecute'), "V8's JIT needs writable code pages");
});

test('install-service writes the unit and a 0600 env file with new secrets, keeps an existing env file; uninstall-service removes the unit', () => {
  if (process.getuid?.() !== 0) {
    const refused = spawnSync(installedBin, ['install-service', '--unit-dir', path.join(work, 'u'), '--env-path', path.join(work, 'e.env')], { encoding: 'utf8' });
    assert.is(refused.status, 2, refused.stderr);
    assert.ok(refused.stderr.includes('needs root'), refused.stderr);
    return;
  }
  const unitDir = path.join(work, 'installed-units');
  const envPath = path.join(work, 'etc/collector.env');
  const out = run(installedBin, ['install-service', '--unit-dir', unitDir, '--env-path', envPath]);
  assert.ok(out.includes('systemctl daemon-reload && systemctl enable --now cell-monitor-collector'), out);
  assert.is(fs.statSync(envPath).mode & 0o777, 0o600);
  const env = fs.readFileSync(envPath, 'utf8');
  assert.match(env, /^INGEST_KEY=[0-9a-f]{64}$/m);
  assert.match(env, /^JWT_SECRET=[0-9a-f]{64}$/m);
  run(installedBin, ['install-service', '--unit-dir', unitDir, '--env-path', envPath]);
  assert.is(fs.readFileSync(envPath, 'utf8'), env, 'the existing env file (and its secrets) was replaced');
  run(installedBin, ['uninstall-service', '--unit-dir', unitDir]);
  assert.not.ok(fs.existsSync(path.join(unitDir, 'cell-monitor-collector.service')), 'the unit is still there');
  assert.ok(fs.existsSync(envPath), 'uninstall-service removed the env file');
});

function collectorCli(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'collector/src/main.ts'), 'start'], { cwd: ROOT, env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, encoding: 'utf8', timeout: 30_000 });
}

async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a port in use: exit 2, "PORT <n> is already in use … set PORT", no stack trace', async () => {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'collector/src/main.ts'), 'start'], { cwd: ROOT, env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: path.join(work, 'busy'), LOG_LEVEL: 'info' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stderr }));
  });
  server.close();
  assert.is(result.status, 2, result.stderr);
  assert.ok(result.stderr.includes(`PORT ${port} is already in use on 127.0.0.1; set PORT`), result.stderr);
  assert.ok(noStack(result.stderr), result.stderr);
});

test('PostgreSQL unreachable: exit 2, "DATABASE_URL: cannot connect … is PostgreSQL running?", password hidden, no stack', async () => {
  const port = await closedPort();
  const result = collectorCli({ PORT: '0', DATA_DIR: path.join(work, 'nopg'), DATABASE_URL: `postgres://cm:hunter2@127.0.0.1:${port}/x` });
  assert.is(result.status, 2, result.stderr);
  assert.ok(result.stderr.includes(`DATABASE_URL: cannot connect to postgres://cm:***@127.0.0.1:${port}/x (ECONNREFUSED); is PostgreSQL running?`), result.stderr);
  assert.not.ok(result.stderr.includes('hunter2'), 'the password was printed');
  assert.ok(noStack(result.stderr), result.stderr);
});

test('DATA_DIR that cannot be made: exit 2 naming DATA_DIR, no stack', () => {
  const file = path.join(work, 'a-file');
  fs.writeFileSync(file, '');
  const result = collectorCli({ PORT: '0', DATA_DIR: path.join(file, 'data') });
  assert.is(result.status, 2, result.stderr);
  assert.ok(result.stderr.includes(`DATA_DIR ${path.join(file, 'data')} is not writable`), result.stderr);
  assert.ok(noStack(result.stderr), result.stderr);
});

test.run();
