import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir, waitFor } from '../helpers/services.ts';
import { ROOT } from '../helpers/stack.ts';

const started = Date.now();
const work = tempDir('packaging');
const prefix = path.join(work, 'prefix');
const installedBin = path.join(prefix, 'bin/cell-monitor-collector');
const noStack = (text: string) => !/^\s+at /m.test(text);

function run(cmd: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(cmd, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, encoding: 'utf8', timeout: 150_000 });
  assert.is(result.status, 0, `${cmd} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
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

test('npm pack → npm install -g of the tarball → the installed bin starts: /healthz and the dashboard answer 200', async () => {
  run('npm', ['pack', '-w', 'collector', '--pack-destination', work, '--silent']);
  const tarball = path.join(work, 'cell-monitor-collector-0.1.0.tgz');
  assert.ok(fs.existsSync(tarball), 'no tarball');
  assert.not.ok(fs.existsSync(path.join(ROOT, 'collector/packaged')), 'postpack left collector/packaged behind');
  run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: work, env: { npm_config_better_sqlite3_local_prebuilds: localPrebuild() } });

  const dataDir = path.join(work, 'data');
  const child = spawn(installedBin, ['start'], { cwd: work, detached: true, env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  try {
    const port = await waitFor(() => {
      // A bin that dies on start says why, rather than the wait timing out or the kill below failing.
      if (exited !== undefined) throw new Error(`the installed collector exited (${exited}) before listening:\n${output}`);
      return /"msg":"collector listening"/.test(output) && Number(/"port":(\d+)/.exec(output.split('\n').find((l) => l.includes('collector listening'))!)![1]);
    }, 30_000, 'the installed collector listening');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.is(health.status, 200, output);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.is(page.status, 200, output);
    assert.ok((await page.text()).includes('<'), 'the dashboard page is empty');
    assert.ok(fs.existsSync(path.join(dataDir, 'cell-monitor.sqlite')), 'the migrations did not run into DATA_DIR');
  } finally {
    if (exited === undefined) process.kill(-child.pid!, 'SIGTERM');
  }
  console.log(`packaging: pack + install + start took ${((Date.now() - started) / 1000).toFixed(1)} s`);
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
