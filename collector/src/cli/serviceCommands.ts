/**
 * `install-service` and `uninstall-service`: the systemd unit and its environment file. Prints the
 * systemctl step instead of running it. Without root (and without --dry-run) it stops, exit 2.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_DIR } from '../core/packagePaths.ts';
import { renderEnvFile, renderUnit, UNIT_NAME } from './serviceFiles.ts';
import { USAGE } from './usage.ts';

// --env-path, not --env-file: Node 20 takes --env-file for its own anywhere on the command line once
// tsx is loaded ("node: PATH: not found", exit 9).
const DEFAULTS = { 'env-path': '/etc/cell-monitor/collector.env', 'unit-dir': '/etc/systemd/system' };

function fail(command: string, message: string): never {
  process.stderr.write(`cell-monitor-collector ${command}: ${message}\n`);
  process.exit(2);
}

function options(command: string) {
  try {
    const { values } = parseArgs({
      args: process.argv.slice(3),
      options: { 'dry-run': { type: 'boolean' }, user: { type: 'string' }, 'env-path': { type: 'string' }, 'unit-dir': { type: 'string' } },
    });
    const envFile = path.resolve(values['env-path'] ?? DEFAULTS['env-path']);
    const unitFile = path.join(path.resolve(values['unit-dir'] ?? DEFAULTS['unit-dir']), UNIT_NAME);
    if (values.user !== undefined && !/^[a-z_][a-z0-9_-]{0,31}$/.test(values.user)) fail(command, `--user ${values.user}: not a system user name`);
    return { dryRun: values['dry-run'] ?? false, user: values.user, envFile, unitFile };
  } catch (err) {
    process.stderr.write(`cell-monitor-collector ${command}: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

function requireRoot(command: string): void {
  if (process.getuid?.() !== 0) fail(command, 'writing under /etc needs root: run it with sudo (or see what it would write with --dry-run)');
}

/** This node and the installed bin, absolute: systemd's PATH may not hold the node npm used. */
function execCommand(): string {
  const bin = fs.realpathSync(path.join(PACKAGE_DIR, 'bin/cell-monitor-collector.mjs'));
  return `${process.execPath} ${bin}`;
}

export async function installServiceCommand(): Promise<void> {
  const o = options('install-service');
  const unit = renderUnit({ command: execCommand(), envFile: o.envFile, user: o.user });
  const envExists = fs.existsSync(o.envFile);
  if (o.dryRun) {
    process.stdout.write(`# ${o.unitFile}\n${unit}\n`);
    process.stdout.write(envExists ? `# ${o.envFile} exists: kept as it is\n` : `# ${o.envFile} (mode 0600)\n${renderEnvFile(true)}`);
    return;
  }
  requireRoot('install-service');
  fs.mkdirSync(path.dirname(o.unitFile), { recursive: true });
  fs.writeFileSync(o.unitFile, unit, { mode: 0o644 });
  fs.chmodSync(o.unitFile, 0o644); // a unit file is public (systemctl cat); the CLI's umask is 077
  process.stdout.write(`wrote ${o.unitFile}\n`);
  if (envExists) process.stdout.write(`kept ${o.envFile} (it exists; its secrets stay)\n`);
  else {
    fs.mkdirSync(path.dirname(o.envFile), { recursive: true, mode: 0o755 });
    // 'wx': never replaces a file made in the meantime; 0600: it holds INGEST_KEY and JWT_SECRET.
    fs.writeFileSync(o.envFile, renderEnvFile(false), { flag: 'wx', mode: 0o600 });
    process.stdout.write(`wrote ${o.envFile} (mode 0600, new INGEST_KEY and JWT_SECRET)\n`);
  }
  process.stdout.write(`next: systemctl daemon-reload && systemctl enable --now ${UNIT_NAME.replace('.service', '')}\n`);
}

export async function uninstallServiceCommand(): Promise<void> {
  const o = options('uninstall-service');
  const name = UNIT_NAME.replace('.service', '');
  if (!o.dryRun) requireRoot('uninstall-service');
  if (!fs.existsSync(o.unitFile)) {
    process.stdout.write(`${o.unitFile} is not there: nothing to remove\n`);
    return;
  }
  // What `systemctl disable` would remove too: the unit is gone after this, so it no longer can.
  const wants = path.join(path.dirname(o.unitFile), 'multi-user.target.wants', UNIT_NAME);
  for (const file of [o.unitFile, wants].filter((f) => fs.existsSync(f) || isLink(f))) {
    if (!o.dryRun) fs.rmSync(file);
    process.stdout.write(`${o.dryRun ? 'would remove' : 'removed'} ${file}\n`);
  }
  process.stdout.write(`kept ${o.envFile} and the data in /var/lib/cell-monitor (remove them by hand to forget everything)\n`);
  process.stdout.write(`next: systemctl stop ${name}; systemctl daemon-reload\n`);
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
