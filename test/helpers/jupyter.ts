/**
 * A real JupyterLab with the built cell-monitor wheel installed, and headless Chromium to drive it.
 *
 * The wheel is built from lab-extension/ (its labextension must be built first: `npm run build:lab`,
 * which `npm test` does) and installed with pip into a throwaway venv that sees the machine's
 * jupyterlab and ipykernel (--system-site-packages), so the test exercises exactly what an admin's
 * `pip install cell-monitor-*.whl` gives: the labextension in share/jupyter/labextensions and the
 * server extension enabled from etc/jupyter/jupyter_server_config.d.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './stack.ts';
import { freePort, MissingServiceError, tempDir, waitFor } from './services.ts';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PYTHON = process.env.PYTHON ?? 'python3';
const LABEXTENSION = path.join(ROOT, 'lab-extension/cell_monitor/labextension/package.json');

/** Why the browser tests cannot run here, or undefined when they can. */
export function missingPrerequisite(): string | undefined {
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} not found (Debian: apt-get install chromium)`;
  if (!fs.existsSync(LABEXTENSION)) return 'the labextension is not built (npm run build:lab)';
  const probe = spawnSync(PYTHON, ['-c', 'import jupyterlab, ipykernel, hatchling'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${PYTHON} lacks jupyterlab/ipykernel/hatchling (pip install -r lab-extension/requirements-test.txt)`;
  return undefined;
}

function run(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const result = spawnSync(cmd, args, { encoding: 'utf8', cwd: options.cwd ?? ROOT, env: options.env ?? process.env });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

export interface Venv {
  dir: string;
  bin: (name: string) => string;
  wheel: string;
}

/** Builds the wheel from the source tree and installs it into a new venv. */
export function installWheel(): Venv {
  const reason = missingPrerequisite();
  if (reason) throw new MissingServiceError(reason);
  const work = tempDir('wheel');
  run(PYTHON, ['-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w', work, './lab-extension']);
  const wheel = fs.readdirSync(work).find((f) => f.endsWith('.whl'));
  if (!wheel) throw new Error('pip wheel produced no wheel');
  const dir = path.join(work, 'venv');
  run(PYTHON, ['-m', 'venv', '--system-site-packages', dir]);
  const bin = (name: string) => path.join(dir, 'bin', name);
  run(bin('python'), ['-m', 'pip', 'install', '-q', '--no-deps', '--no-index', path.join(work, wheel)]);
  return { dir, bin, wheel: path.join(work, wheel) };
}

export interface JupyterLab {
  url: string;
  token: string;
  rootDir: string;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * `jupyter lab` from the venv on a free loopback port, with its own config/data/runtime folders
 * (nothing from the machine's ~/.jupyter leaks in) and the companion pointed at `collectorUrl`,
 * holding `user`'s credential.
 */
export async function startJupyterLab(venv: Venv, options: { collectorUrl: string; credential: string; user: string; rootDir: string; args?: string[] }): Promise<JupyterLab> {
  const port = await freePort();
  const token = `e2e-token-${process.pid}`;
  const home = tempDir('jupyter-home');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.join(venv.dir, 'bin')}:${process.env.PATH}`,
    HOME: home,
    JUPYTER_CONFIG_DIR: path.join(home, 'config'),
    JUPYTER_DATA_DIR: path.join(home, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(home, 'runtime'),
    JUPYTERLAB_SETTINGS_DIR: path.join(home, 'lab-settings'),
    JUPYTERLAB_WORKSPACES_DIR: path.join(home, 'lab-workspaces'),
    IPYTHONDIR: path.join(home, 'ipython'),
    CELL_MONITOR_COLLECTOR_URL: options.collectorUrl,
    // What an admin gives one student's server: that student's credential, never the master key.
    CELL_MONITOR_CREDENTIAL: options.credential,
    CELL_MONITOR_USER: options.user,
  };
  // No "get notified about Jupyter news?" toast over the screenshots.
  const notification = path.join(home, 'lab-settings', '@jupyterlab', 'apputils-extension');
  fs.mkdirSync(notification, { recursive: true });
  fs.writeFileSync(path.join(notification, 'notification.jupyterlab-settings'), JSON.stringify({ fetchNews: 'false' }));
  const child: ChildProcess = spawn(
    venv.bin('python'),
    [
      '-m',
      'jupyterlab',
      '--no-browser',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${options.rootDir}`,
      '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []), // CI containers run as root
      ...(options.args ?? []),
    ],
    { env, cwd: options.rootDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.on('error', (error) => (out += `spawn failed: ${error}\n`));
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null || out.startsWith('spawn failed')) throw new Error(`jupyter lab exited early:\n${out}`);
      const res = await fetch(`${url}/api/status?token=${token}`);
      return res.ok;
    },
    60_000,
    'jupyter lab to answer',
  );
  return {
    url,
    token,
    rootDir: options.rootDir,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * The student of `user` has read the default privacy notice (so it does not cover the page): for the
 * tests that are not about the notice. Set before any page of the context loads.
 */
export async function noticeSeen(context: { addInitScript(script: string): Promise<unknown> }, user: string): Promise<void> {
  await context.addInitScript(`localStorage.setItem(${JSON.stringify(`cell-monitor:privacy:${user}:notice`)}, 'default')`);
}

/** A notebook file with these code cells, written into the server's root folder. */
export function writeNotebook(dir: string, name: string, sources: string[]): string {
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
    cells: sources.map((source, i) => ({ cell_type: 'code', id: `cell-${i}`, metadata: {}, source, outputs: [], execution_count: null })),
  };
  fs.writeFileSync(path.join(dir, name), JSON.stringify(notebook, null, 1));
  return name;
}

export function artifactPath(name: string): string {
  const dir = path.join(ROOT, 'test-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
