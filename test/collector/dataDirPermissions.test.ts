/**
 * The embedded store is its user's alone: the real CLI (umask 077) makes DATA_DIR 0700 and the store,
 * the buffer and the token secret 0600, whatever the shell's umask. A `jwt-secret` another user could
 * have planted — readable by others, or a symbolic link — is refused with one line and exit code 2;
 * a group- or world-writable DATA_DIR is warned about.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir } from '../helpers/services.ts';
import { ROOT, spawnCollector } from '../helpers/stack.ts';

const modeOf = (file: string) => (fs.lstatSync(file).mode & 0o777).toString(8);

function startRefused(dataDir: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'collector/src/main.ts'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', JWT_SECRET: '', DATABASE_URL: '', REDIS_URL: '' },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

test('a fresh DATA_DIR is 0700 and every file the collector writes there is 0600, even under umask 022', async () => {
  const dataDir = path.join(tempDir('private'), 'data');
  const previous = process.umask(0o022); // the child inherits a permissive umask
  let collector;
  try {
    collector = await spawnCollector({ DATA_DIR: dataDir, JWT_SECRET: '', DATABASE_URL: '', REDIS_URL: '' });
  } finally {
    process.umask(previous);
  }
  try {
    const res = await fetch(`${collector.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x@example.org', password: 'wrong-password-1' }) });
    assert.is(res.status, 401, 'the store answers');
    assert.is(modeOf(dataDir), '700');
    const files = fs.readdirSync(dataDir);
    for (const expected of ['jwt-secret', 'cell-monitor.sqlite', 'buffer.sqlite']) assert.ok(files.includes(expected), `${expected} in ${files}`);
    const modes = Object.fromEntries(files.map((f) => [f, modeOf(path.join(dataDir, f))]));
    assert.equal(Object.values(modes).filter((m) => m !== '600' && m !== '700'), [], JSON.stringify(modes));
    assert.not.match(collector.output(), /writable by group or others/);
  } finally {
    collector.child.kill('SIGTERM');
    await collector.exited;
  }
});

test('a jwt-secret readable by others, or a symbolic link to one, is refused: one line naming the file, exit code 2', () => {
  const planted = tempDir('planted');
  fs.chmodSync(planted, 0o700);
  fs.writeFileSync(path.join(planted, 'jwt-secret'), `${'a'.repeat(64)}\n`, { mode: 0o644 });
  fs.chmodSync(path.join(planted, 'jwt-secret'), 0o644);
  const readable = startRefused(planted);
  assert.is(readable.status, 2, readable.stderr);
  const line = readable.stderr.trim();
  assert.is(line.split('\n').length, 1, line);
  assert.match(line, /jwt-secret can be read or written by group or others \(mode 644\), refused/);

  const linked = tempDir('linked');
  fs.chmodSync(linked, 0o700);
  const elsewhere = path.join(tempDir('elsewhere'), 'secret');
  fs.writeFileSync(elsewhere, `${'b'.repeat(64)}\n`, { mode: 0o600 });
  fs.symlinkSync(elsewhere, path.join(linked, 'jwt-secret'));
  const link = startRefused(linked);
  assert.is(link.status, 2, link.stderr);
  assert.is(link.stderr.trim().split('\n').length, 1, link.stderr);
  assert.match(link.stderr, /jwt-secret is a symbolic link, refused/);
});

test('a group- or world-writable DATA_DIR starts with a warning naming it', async () => {
  const dataDir = tempDir('shared-dir');
  fs.chmodSync(dataDir, 0o777);
  const collector = await spawnCollector({ DATA_DIR: dataDir, JWT_SECRET: '', DATABASE_URL: '', REDIS_URL: '' });
  try {
    const warning = collector.output().split('\n').find((l) => l.includes('writable by group or others'));
    assert.ok(warning, collector.output());
    assert.is(JSON.parse(warning!).level, 40, 'a warning');
  } finally {
    collector.child.kill('SIGTERM');
    await collector.exited;
  }
});

test.run();
