// What `start` prints: readable, coloured lines on a terminal (a pseudo-terminal from util-linux's
// `script`), ending with the dashboard's address and, while there is no instructor account, the
// command that makes one — a command that works; JSON lines when stdout is not a terminal.
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '@cell-monitor/collector';
import { dashboardUrl, noAccountLine } from '../../collector/src/cli/nextSteps.ts';
import { tempDir, waitFor } from '../helpers/services.ts';
import { ROOT } from '../helpers/stack.ts';

const work = tempDir('start-output');
const START = `${JSON.stringify(process.execPath)} --import tsx collector/src/main.ts start`;
const ANSI = /\x1b\[[0-9;]*m/g;
const haveScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

interface Run {
  output: string;
  lines: string[];
}

/** Starts the collector (through `script` for a terminal), reads its output until `until` shows, runs `meanwhile`, stops it. */
async function start(options: { tty: boolean; env: Record<string, string>; until: RegExp; meanwhile?: (plain: string) => Promise<void> }): Promise<Run> {
  const env = { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...options.env };
  delete (env as Record<string, string | undefined>).NO_COLOR;
  const child = options.tty
    ? spawn('script', ['-qefc', START, '/dev/null'], { cwd: ROOT, env: { ...env, TERM: 'xterm-256color' }, detached: true, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn('sh', ['-c', START], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (errors += d));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  try {
    await waitFor(() => {
      if (exited !== undefined) throw new Error(`exited (${exited}):\n${output}${errors}`);
      return options.until.test(output.replace(ANSI, ''));
    }, 30_000, `${options.until} in the output`);
    await options.meanwhile?.(output.replace(ANSI, ''));
  } finally {
    if (exited === undefined) {
      const gone = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await gone;
    }
  }
  return { output, lines: output.split(/\r?\n/).filter((l) => l.trim() !== '') };
}

test('on a terminal: readable coloured lines, the dashboard address that answers, and the exact command for the first account (which works)', async () => {
  if (!haveScript) {
    if (process.env.CI === 'true') assert.unreachable('util-linux `script` is missing');
    console.log('skipped: no `script` (util-linux)');
    return;
  }
  const dataDir = path.join(work, 'tty');
  let dashboardStatus = 0;
  const first = await start({
    tty: true,
    env: { DATA_DIR: dataDir },
    until: /create-instructor [^\n]*\n/,
    meanwhile: async (plain) => {
      const printed = /dashboard: (http:\S+)/.exec(plain);
      if (printed) dashboardStatus = (await fetch(printed[1])).status;
    },
  });
  assert.is(dashboardStatus, 200, 'the printed dashboard address does not answer');
  assert.match(first.output, ANSI, 'no colour on a terminal');
  const plain = first.lines.map((l) => l.replace(ANSI, ''));
  for (const line of plain) {
    assert.not.ok(line.startsWith('{'), `a JSON line on a terminal: ${line}`);
    assert.match(line, /^\[\d\d:\d\d:\d\d\] (INFO|WARN): \S/, `not a readable line: ${line}`);
  }
  // The last two lines: where the dashboard is, then what to do next.
  const [dashboardLine, nextLine] = plain.slice(-2);
  const url = /^\[[\d:]+\] INFO: dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(dashboardLine)?.[1];
  assert.ok(url, `the next-to-last line does not say where the dashboard is:\n${plain.join('\n')}`);
  const command = /^\[[\d:]+\] WARN: no instructor account yet; create the first one \(it asks for the password\): (DATA_DIR=\S+ npm run cli -- create-instructor --email you@school\.example --name "Your Name" --role admin)$/.exec(nextLine)?.[1];
  assert.ok(command, `the last line does not give the command for the first account:\n${plain.join('\n')}`);
  console.log(`start on a terminal (colours stripped):\n${plain.map((l) => `  ${l}`).join('\n')}`);

  // The command as printed, run from the repository as the README's commands are.
  const created = spawnSync('sh', ['-c', command!], { cwd: ROOT, env: { ...process.env, CELL_MONITOR_PASSWORD: 'a long enough password' }, encoding: 'utf8', timeout: 60_000 });
  assert.is(created.status, 0, `${command}\n${created.stdout}${created.stderr}`);
  assert.match(created.stdout, /created admin #\d+ you@school\.example/);

  const again = await start({ tty: true, env: { DATA_DIR: dataDir }, until: /dashboard: http:\/\/\S+\s*\n/ });
  await new Promise((r) => setTimeout(r, 300));
  assert.not.ok(again.output.includes('no instructor account yet'), 'an account exists, yet it asks for one');
});

test('not on a terminal: one JSON object per line, the dashboard line among them', async () => {
  const run = await start({ tty: false, env: { DATA_DIR: path.join(work, 'pipe') }, until: /"msg":"no instructor account yet[^\n]*\n/ });
  const records = run.lines.map((line) => {
    try {
      return JSON.parse(line) as { level: number; msg: string; service: string };
    } catch {
      throw new Error(`not JSON: ${line}`);
    }
  });
  assert.ok(records.every((r) => r.service === 'cell-monitor-collector' && typeof r.level === 'number'), run.output);
  assert.ok(records.some((r) => /^dashboard: http:\/\/127\.0\.0\.1:\d+\/$/.test(r.msg)), run.output);
  assert.not.match(run.output, ANSI);
});

test('LOG_FORMAT overrides the terminal: json on a terminal, pretty (without colour) into a pipe', async () => {
  if (haveScript) {
    const json = await start({ tty: true, env: { DATA_DIR: path.join(work, 'tty-json'), LOG_FORMAT: 'json' }, until: /"msg":"dashboard: [^\n]*\n/ });
    for (const line of json.lines) assert.ok(line.startsWith('{"level":'), `LOG_FORMAT=json on a terminal: ${line}`);
  }
  const pretty = await start({ tty: false, env: { DATA_DIR: path.join(work, 'pipe-pretty'), LOG_FORMAT: 'pretty' }, until: /INFO: dashboard: [^\n]*\n/ });
  assert.not.match(pretty.output, ANSI, 'colour codes into a pipe');
  for (const line of pretty.lines) assert.match(line, /^\[\d\d:\d\d:\d\d\] (INFO|WARN): /);
});

test('LOG_FORMAT: unset → pretty on a terminal, json otherwise; NO_COLOR → no colour; anything else is refused by name', () => {
  assert.is(loadConfig({}, true).logFormat, 'pretty');
  assert.is(loadConfig({}, true).logColour, true);
  assert.is(loadConfig({ NO_COLOR: '1' }, true).logColour, false);
  assert.is(loadConfig({}, false).logFormat, 'json');
  assert.is(loadConfig({ LOG_FORMAT: 'pretty' }, false).logColour, false);
  assert.is(loadConfig({ LOG_FORMAT: 'json' }, true).logFormat, 'json');
  assert.throws(() => loadConfig({ LOG_FORMAT: 'xml' }), (err: unknown) => err instanceof ConfigError && err.message.includes('LOG_FORMAT must be json or pretty'));
});

test('the next-step lines: a wildcard HOST by this machine’s name, IPv6 in brackets; under systemd no command to paste into a root shell', () => {
  assert.is(dashboardUrl({ address: '0.0.0.0', family: 'IPv4', port: 8765 }), `http://${os.hostname()}:8765/`);
  assert.is(dashboardUrl({ address: '::1', family: 'IPv6', port: 8765 }), 'http://[::1]:8765/');
  const config = loadConfig({ DATA_DIR: '/srv/class data' }, false);
  assert.ok(noAccountLine(config, { DATA_DIR: '/srv/class data' }).endsWith(`DATA_DIR='/srv/class data' npm run cli -- create-instructor --email you@school.example --name "Your Name" --role admin`));
  assert.not.ok(noAccountLine(config, {}).includes('DATA_DIR='), 'the default DATA_DIR repeated');
  const service = noAccountLine(config, { INVOCATION_ID: 'abc', DATA_DIR: '/var/lib/cell-monitor' });
  assert.not.ok(service.includes('DATA_DIR=') || service.includes('npm run'), service);
  assert.ok(service.includes("as this service's user"), service);
});

test.run();
