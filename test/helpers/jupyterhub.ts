/**
 * A real JupyterHub (from PyPI, lab-extension/requirements-test.txt) in front of the cell-monitor
 * wheel: configurable-http-proxy from the root devDependencies, DummyAuthenticator (any name logs
 * in), SimpleLocalProcessSpawner (each student's server runs as this OS user, in a home folder of
 * its own under a throwaway directory), each server given its student's credential by
 * `cell_monitor.hub.spawner_environment` through the README's own fragment (docs/jupyterhub_config.py). Bound to 127.0.0.1 on
 * free ports, in a process group of its own; `stop()` ends the hub (which stops the servers it
 * spawned) and then whatever of that group is left.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './stack.ts';
import { freePort, tempDir, undoAtExit, waitFor } from './services.ts';
import { missingPrerequisite as missingForLab, type Venv } from './jupyter.ts';

const PYTHON = process.env.PYTHON ?? 'python3';
export const PROXY = path.join(ROOT, 'node_modules/.bin/configurable-http-proxy');

/** Why the hub tests cannot run here, or undefined when they can. */
export function missingPrerequisite(): string | undefined {
  const lab = missingForLab();
  if (lab) return lab;
  if (!fs.existsSync(PROXY)) return 'configurable-http-proxy is not installed (npm ci)';
  const probe = spawnSync(PYTHON, ['-c', 'import jupyterhub'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${PYTHON} lacks jupyterhub (pip install -r lab-extension/requirements-test.txt)`;
  return undefined;
}

export interface JupyterHub {
  url: string;
  /** Where the server of `user` keeps its notebooks (its home folder), created on first use. */
  homeOf(user: string): string;
  output: () => string;
  /** The hub's own process, and every process its spawned servers started (the servers, their kernels), with their environments as exec'd. */
  processes(): { hub: SpawnedProcess; servers: SpawnedProcess[] };
  stop(): Promise<void>;
}

export interface SpawnedProcess {
  pid: number;
  cmdline: string;
  /** /proc/<pid>/environ: what the process was started with, and what any code running as the same OS user can read. */
  environ: Record<string, string>;
}

function readProcess(pid: number): SpawnedProcess | undefined {
  try {
    const environ = Object.fromEntries(
      fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    return { pid, cmdline: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim(), environ };
  } catch {
    return undefined; // ended meanwhile
  }
}

/** `roots` and all their descendants, from the parent pids in /proc/<pid>/stat. */
function processTree(roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // ended meanwhile
    }
  }
  const all: number[] = [];
  const visit = (pid: number) => (all.push(pid), (children.get(pid) ?? []).forEach(visit));
  roots.forEach(visit);
  return all;
}

/** The README's JupyterHub section quotes this file; the hub below runs it as it is. */
export const HUB_CONFIG_FRAGMENT = path.join(ROOT, 'docs/jupyterhub_config.py');

/** `admins`: hub admins (JupyterHub's admin role: access to every user's server). */
export async function startJupyterHub(venv: Venv, options: { collectorUrl: string; masterKey: string; admins?: string[] }): Promise<JupyterHub> {
  const dir = tempDir('jupyterhub');
  const homes = path.join(dir, 'homes');
  fs.mkdirSync(homes);
  const [port, hubPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  // Test-only settings (ports, files, the dummy authenticator, the venv), then the documented fragment as it is.
  const config = `
import os

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = ${port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = ${hubPort}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:${apiPort}"
c.ConfigurableHTTPProxy.command = [${JSON.stringify(PROXY)}]
c.JupyterHub.db_url = "sqlite:///" + ${JSON.stringify(path.join(dir, 'jupyterhub.sqlite'))}
c.JupyterHub.cookie_secret_file = ${JSON.stringify(path.join(dir, 'cookie_secret'))}
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.Authenticator.admin_users = set(${JSON.stringify(options.admins ?? [])})
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = ${JSON.stringify(homes)} + "/{username}"
c.Spawner.cmd = [${JSON.stringify(venv.bin('python'))}, "-m", "jupyterhub.singleuser"]
c.Spawner.args = ["--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"] + (["--allow-root"] if os.getuid() == 0 else [])
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60

# The README's JupyterHub section: the master key stays here; each server gets its own student's credential.
exec(compile(open(${JSON.stringify(HUB_CONFIG_FRAGMENT)}).read(), ${JSON.stringify(HUB_CONFIG_FRAGMENT)}, "exec"))
`;
  fs.writeFileSync(path.join(dir, 'jupyterhub_config.py'), config);
  // jupyterhub-singleuser is a plain Jupyter server: JupyterLab is one of its extensions, enabled
  // where pip enables it, in the environment's etc/jupyter (here the venv's; it sees the machine's
  // jupyterlab through --system-site-packages, but not the machine's etc/jupyter).
  const enabled = path.join(venv.dir, 'etc/jupyter/jupyter_server_config.d');
  fs.mkdirSync(enabled, { recursive: true });
  fs.writeFileSync(path.join(enabled, 'jupyterlab.json'), JSON.stringify({ ServerApp: { jpserver_extensions: { jupyterlab: true } } }));
  const child: ChildProcess = spawn(venv.bin('python'), ['-m', 'jupyterhub', '-f', path.join(dir, 'jupyterhub_config.py')], {
    cwd: dir,
    env: { ...process.env, PATH: `${path.join(venv.dir, 'bin')}:${process.env.PATH}`, CELL_MONITOR_MASTER_KEY: options.masterKey, CELL_MONITOR_COLLECTOR_URL: options.collectorUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.on('error', (error) => (out += `spawn failed: ${error}\n`));
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    }
  };
  /** The single-user servers run in sessions of their own (the spawner's start_new_session): their pids, from the hub's database. */
  const serverPids = (): number[] => {
    const read = spawnSync(
      PYTHON,
      ['-c', 'import json,sqlite3,sys\nfor (s,) in sqlite3.connect(sys.argv[1]).execute("select state from spawners"):\n  p=json.loads(s or "{}").get("pid")\n  p and print(p)', path.join(dir, 'jupyterhub.sqlite')],
      { encoding: 'utf8' },
    );
    return read.status === 0 ? read.stdout.split('\n').filter(Boolean).map(Number) : [];
  };
  const killServers = () => {
    for (const pid of serverPids()) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  undoAtExit(() => {
    killServers();
    killGroup('SIGKILL');
  });
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(
    async () => {
      if (gone || out.startsWith('spawn failed')) return 'exited';
      return (await fetch(`${url}/hub/api/`)).ok; // the hub itself, through the proxy
    },
    60_000,
    'jupyterhub to answer',
  );
  if (gone) throw new Error(`jupyterhub exited early:\n${out}`);
  return {
    url,
    homeOf(user) {
      const home = path.join(homes, user);
      // No "get notified about Jupyter news?" toast over the screenshots.
      const settings = path.join(home, '.jupyter/lab/user-settings/@jupyterlab/apputils-extension');
      fs.mkdirSync(settings, { recursive: true });
      fs.writeFileSync(path.join(settings, 'notification.jupyterlab-settings'), JSON.stringify({ fetchNews: 'false' }));
      return home;
    },
    output: () => out,
    processes() {
      const hubProcess = readProcess(child.pid!);
      if (!hubProcess) throw new Error('the hub process is gone');
      return { hub: hubProcess, servers: processTree(serverPids()).flatMap((pid) => readProcess(pid) ?? []) };
    },
    async stop() {
      const pids = serverPids();
      const signal = (sig: NodeJS.Signals) => {
        for (const pid of pids) {
          try {
            process.kill(-pid, sig);
          } catch {
            // already stopped
          }
        }
        killGroup(sig);
      };
      // The servers and the hub (with its proxy) at once: the hub's own clean-up stops the servers one by one.
      const started = Date.now();
      signal('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      signal('SIGKILL');
      console.log(`# jupyterhub stopped in ${Date.now() - started} ms`);
    },
  };
}
