import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '@cell-monitor/collector';
import { studentCredential } from '../../collector/src/auth/studentCredential.ts';
import { request } from '../helpers/http.ts';
import { tempDir, waitFor } from '../helpers/services.ts';
import { buildCellEvent, companionHeaders, postEvents, ROOT, spawnCollector } from '../helpers/stack.ts';

test('defaults: 127.0.0.1:8765, ./data, embedded SQLite store, no Redis', () => {
  const config = loadConfig({});
  assert.is(config.host, '127.0.0.1');
  assert.is(config.port, 8765);
  assert.is(config.dataDir, path.resolve('./data'));
  assert.is(config.databaseUrl, `sqlite://${path.resolve('./data/cell-monitor.sqlite')}`);
  assert.equal(config.mode, { kind: 'embedded' });
  assert.is(config.devOpenWs, false);
});

test('every invalid variable is reported at once, by name', () => {
  try {
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'http://nope', INGEST_KEY: 'short', BUFFER_SYNC: 'sometimes' });
    assert.unreachable('accepted a bad configuration');
  } catch (err) {
    assert.instance(err, ConfigError);
    const text = (err as ConfigError).message;
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'INGEST_KEY', 'BUFFER_SYNC']) assert.ok(text.includes(name), `${name} not named in: ${text}`);
  }
});

test('DEV_OPEN_WS=1 (the live stream without a token) is refused unless HOST is a loopback address', () => {
  assert.is(loadConfig({ DEV_OPEN_WS: '1' }).devOpenWs, true);
  assert.throws(() => loadConfig({ DEV_OPEN_WS: '1', HOST: '0.0.0.0' }), (err: Error) => err instanceof ConfigError && err.message.includes('DEV_OPEN_WS'));
});

test('the Host allow-list: loopback names without INGEST_KEY, any with it, or the list given', () => {
  assert.equal(loadConfig({}).allowedHosts, ['localhost', '127.0.0.1', '[::1]', '::1']);
  assert.is(loadConfig({ INGEST_KEY: 'k'.repeat(32) }).allowedHosts, '*');
  assert.equal(loadConfig({ ALLOWED_HOSTS: 'Collector.School.example, 10.0.0.5' }).allowedHosts, ['collector.school.example', '10.0.0.5']);
  assert.throws(() => loadConfig({ ALLOWED_HOSTS: 'a b/c' }), (err: Error) => err.message.includes('ALLOWED_HOSTS'));
});

test('npm start with an invalid value stops at once, exit code 2, naming the variable', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'collector/src/main.ts'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '99999', DATA_DIR: '/tmp/never-created', REDIS_URL: 'nope' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.is(result.status, 2);
  assert.ok(result.stderr.includes('PORT'), result.stderr);
  assert.ok(result.stderr.includes('REDIS_URL'), result.stderr);
});

test(".env.example's placeholders, the usual stand-ins and such a password in DATABASE_URL / REDIS_URL are refused, by name and never echoed", () => {
  const example = Object.fromEntries(
    fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  // What docker-compose.yml hands the collector from that file.
  const env = {
    INGEST_KEY: example.INGEST_KEY,
    JWT_SECRET: example.JWT_SECRET,
    INFLUXDB_URL: 'http://influxdb:8086', INFLUXDB_TOKEN: example.INFLUXDB_TOKEN, INFLUXDB_ORG: example.INFLUXDB_ORG, INFLUXDB_BUCKET: example.INFLUXDB_BUCKET,
    DATABASE_URL: `postgres://${example.POSTGRES_USER}:${example.POSTGRES_PASSWORD}@postgres:5432/${example.POSTGRES_DB}`,
    REDIS_URL: `redis://default:${example.REDIS_PASSWORD}@redis:6379`,
  };
  try {
    loadConfig(env);
    assert.unreachable('started with the example secrets');
  } catch (err) {
    assert.instance(err, ConfigError);
    const text = (err as ConfigError).message;
    for (const name of ['INGEST_KEY', 'JWT_SECRET', 'INFLUXDB_TOKEN', 'DATABASE_URL', 'REDIS_URL']) assert.match(text, new RegExp(`${name} (is|holds) a placeholder`), `${name} in ${text}`);
    for (const value of [example.JWT_SECRET, example.POSTGRES_PASSWORD, example.REDIS_PASSWORD]) assert.not.ok(text.includes(value), 'the value is not echoed');
  }
  for (const [name, value] of [['JWT_SECRET', 'changeme-changeme-changeme-changeme-00'], ['INFLUXDB_TOKEN', 'Change_Me'], ['DATABASE_URL', 'postgres://app:changeme@db/app'], ['REDIS_URL', 'redis://:secret@redis:6379'], ['REDIS_URL', 'redis://default:password@redis:6379'], ['METRICS_TOKEN', 'replace-me-with-a-32-character-token!!']] as const) {
    const extra = name === 'INFLUXDB_TOKEN' ? { INFLUXDB_URL: 'http://i:8086', INFLUXDB_ORG: 'o', INFLUXDB_BUCKET: 'b' } : {};
    assert.throws(() => loadConfig({ [name]: value, ...extra }), (err: Error) => err instanceof ConfigError && err.message.includes(`${name} `) && !err.message.includes(value), `${name}=${value}`);
  }
  const real = 'f3a1c9e07b5d48e2a6c0d9b1e4f7a2c58d3e6b9a0c1f4e7d2a5b8c0e3f6a9d1c';
  const ok = loadConfig({ INGEST_KEY: real, JWT_SECRET: real, DATABASE_URL: `postgres://cellmonitor:${real}@postgres:5432/cellmonitor`, REDIS_URL: `redis://default:${real}@redis:6379` });
  assert.is(ok.jwtSecret, real, 'a real secret is taken');
});

test('npm start with a placeholder secret stops at once: exit code 2, naming the variable', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'collector/src/main.ts'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: tempDir('placeholder'), JWT_SECRET: 'change-me-64-hex-characters-from-openssl-rand-hex-32-yyyyyyyyyyyyyy' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.is(result.status, 2, result.stderr);
  assert.match(result.stderr, /JWT_SECRET is a placeholder/);
});

test('secrets never reach the log: the running collector, asked with wrong and right credentials and a failed login, prints none of them', async () => {
  const secrets = { INGEST_KEY: 'super-secret-ingest-key-7f3a9c', JWT_SECRET: 'super-secret-jwt-key-0123456789-7f3a9c' };
  const dataDir = tempDir('never-logged');
  const collector = await spawnCollector({ DATA_DIR: dataDir, ...secrets });
  try {
    const event = buildCellEvent({ userId: 'alice' });
    assert.is((await postEvents(collector.url, [event], { headers: { authorization: 'Bearer wrong', 'x-cell-monitor-user': 'alice' } })).status, 401);
    assert.is((await postEvents(collector.url, [event], { headers: companionHeaders(secrets.INGEST_KEY, 'alice') })).status, 202);
    assert.is((await request(collector.url, 'post', '/api/v1/auth/login', { body: { email: 'nobody@example.org', password: 'not-a-password-1' } })).status, 401);
    await waitFor(() => collector.output().includes('login failed'), 10_000, 'the failed login logged');
  } finally {
    collector.child.kill('SIGTERM');
    await collector.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const log = collector.output();
  assert.match(log, /collector configured/, 'the configuration line was written');
  for (const [name, value] of Object.entries(secrets)) assert.not.ok(log.includes(value), `${name} reached the log`);
  assert.not.ok(log.includes(studentCredential(secrets.INGEST_KEY, 'alice')), "alice's credential reached the log");
});

test.run();
