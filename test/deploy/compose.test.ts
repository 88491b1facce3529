/**
 * docker-compose.yml, checked the only way this machine can (no container engine): Debian's
 * docker-compose 1.29 validates and resolves it with .env.example, and the resolved file is read to
 * check what an admin relies on: every service has a healthcheck, start order waits for healthy
 * dependencies, Redis keeps an append-only file, data lives in volumes, nothing is published beyond
 * 127.0.0.1, the collector gets every store's address, the JupyterLab a credential (never the master
 * key), the JupyterLab on no network of PostgreSQL, Redis or InfluxDB, and Redis (the real
 * redis-server with the file's arguments) refusing an XADD without its password. Images are not built here.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../helpers/stack.ts';
import { freePort, tempDir, waitFor } from '../helpers/services.ts';

const it = suite('docker-compose.yml');
const python = process.env.PYTHON ?? 'python3';
const missing = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0 ? undefined : 'docker-compose not found (apt-get install docker-compose)';
if (missing && process.env.CI === 'true') throw new Error(`CI=true and the compose check cannot run: ${missing}`);
if (missing) console.log(`# skipped: ${missing} (never skipped when CI=true)`);

function compose(args: string[], cwd = ROOT) {
  return spawnSync('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), ...args], { cwd, encoding: 'utf8' });
}

type Service = { networks?: Record<string, unknown> | string[]; build?: { dockerfile: string }; image?: string; command?: string[]; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>; environment?: Record<string, string>; ports?: Array<{ host_ip?: string; published: number; target: number } | string>; volumes?: Array<{ type: string; source: string; target: string } | string> };

if (!missing) {
  it('config -q passes with the example env file', () => {
    const result = compose(['--env-file', '.env.example', 'config', '-q']);
    assert.is(result.status, 0, result.stderr);
  });

  it('every service is healthchecked, waits for healthy dependencies, keeps its data in a volume, and publishes only on 127.0.0.1', () => {
    const resolved = compose(['--env-file', '.env.example', 'config']);
    assert.is(resolved.status, 0, resolved.stderr);
    const json = spawnSync(python, ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], { input: resolved.stdout, encoding: 'utf8' });
    assert.is(json.status, 0, json.stderr);
    const services = (JSON.parse(json.stdout) as { services: Record<string, Service> }).services;
    assert.equal(Object.keys(services).sort(), ['collector', 'influxdb', 'jupyterlab', 'postgres', 'redis']);
    for (const [name, service] of Object.entries(services)) {
      assert.ok(service.healthcheck?.test?.length, `${name} has a healthcheck`);
      for (const [dep, how] of Object.entries(service.depends_on ?? {})) assert.is(how.condition, 'service_healthy', `${name} waits for ${dep} to be healthy`);
      for (const port of service.ports ?? []) assert.match(JSON.stringify(port), /127\.0\.0\.1/, `${name} publishes on loopback only`);
    }
    assert.equal(Object.keys(services.collector.depends_on!).sort(), ['influxdb', 'postgres', 'redis']);
    assert.equal(Object.keys(services.jupyterlab.depends_on!), ['collector']);
    assert.ok(services.redis.command!.join(' ').includes('--appendonly yes'), 'Redis with AOF');
    for (const name of ['postgres', 'redis', 'influxdb', 'collector']) assert.ok((services[name].volumes ?? []).length > 0, `${name} keeps its data in a volume`);
    const env = services.collector.environment!;
    assert.match(env.DATABASE_URL, /^postgres:\/\/cellmonitor:.+@postgres:5432\/cellmonitor$/);
    assert.is(env.REDIS_URL, 'redis://default:change-me-redis-password@redis:6379', 'Redis with the password of .env');
    assert.is(env.INFLUXDB_URL, 'http://influxdb:8086');
    for (const key of ['INGEST_KEY', 'JWT_SECRET', 'INFLUXDB_TOKEN', 'INFLUXDB_ORG', 'INFLUXDB_BUCKET']) assert.ok(env[key], `collector gets ${key}`);
    const lab = services.jupyterlab.environment!;
    assert.is(lab.CELL_MONITOR_COLLECTOR_URL, 'http://collector:8765');
    assert.ok(lab.CELL_MONITOR_CREDENTIAL && lab.CELL_MONITOR_USER);
    assert.not.ok('INGEST_KEY' in lab || 'CELL_MONITOR_MASTER_KEY' in lab, 'the master key never reaches a student container');
    for (const name of ['collector', 'jupyterlab']) assert.ok(fs.existsSync(path.join(ROOT, services[name].build!.dockerfile)), `${name}'s Dockerfile exists`);
  });

  it("the JupyterLab shares no network with PostgreSQL, Redis or InfluxDB (theirs is internal); Redis needs its password", async () => {
    const resolved = compose(['--env-file', '.env.example', 'config']);
    const json = spawnSync(python, ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], { input: resolved.stdout, encoding: 'utf8' });
    const doc = JSON.parse(json.stdout) as { services: Record<string, Service>; networks: Record<string, { internal?: boolean } | null> };
    const networksOf = (name: string) => { const n = doc.services[name].networks ?? ['default']; return Array.isArray(n) ? n : Object.keys(n); };
    const lab = new Set(networksOf('jupyterlab'));
    for (const backend of ['postgres', 'redis', 'influxdb']) {
      const shared = networksOf(backend).filter((n) => lab.has(n));
      assert.equal(shared, [], `${backend} shares ${shared} with the JupyterLab`);
      for (const n of networksOf(backend)) assert.is(doc.networks[n]?.internal, true, `${backend}'s network ${n} is internal`);
      assert.is(doc.services[backend].ports, undefined, `${backend} publishes no port`);
    }
    assert.ok(networksOf('collector').some((n) => lab.has(n)), 'the JupyterLab reaches the collector');
    assert.ok(networksOf('collector').some((n) => networksOf('redis').includes(n)), 'the collector reaches Redis');
    // The real redis-server with the compose file's arguments: without the password nothing is added.
    const command = doc.services.redis.command!;
    assert.is(command[0], 'redis-server');
    const port = await freePort();
    const child = spawn('redis-server', [...command.slice(1), '--port', String(port), '--bind', '127.0.0.1', '--dir', tempDir('compose-redis'), '--save', ''], { stdio: 'ignore' });
    const redis = { port, stop: () => child.kill('SIGTERM') };
    await waitFor(() => /NOAUTH|PONG/.test(spawnSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8' }).stdout) || undefined, 10_000, 'redis-server');
    try {
      const anonymous = spawnSync('redis-cli', ['-p', String(redis.port), 'XADD', 'cell-monitor:events', '*', 'user', 'mallory'], { encoding: 'utf8' });
      assert.match(anonymous.stdout + anonymous.stderr, /NOAUTH/, 'an XADD without the password is refused');
      const withPassword = spawnSync('redis-cli', ['-p', String(redis.port), 'PING'], { encoding: 'utf8', env: { ...process.env, REDISCLI_AUTH: 'change-me-redis-password' } });
      assert.is(withPassword.stdout.trim(), 'PONG');
    } finally {
      redis.stop();
    }
  });

  it('without the env file, a missing secret stops it with a message naming the variable', () => {
    const empty = tempDir('compose-');
    // The project directory decides where .env is read from: an empty one, whatever the checkout holds.
    const result = compose(['--project-directory', empty, 'config', '-q'], empty);
    assert.is.not(result.status, 0);
    assert.match(result.stderr, /set POSTGRES_USER in \.env|set [A-Z_]+ in \.env/);
  });
}

it.run();
