/**
 * The demo as a newcomer runs it: `cell-monitor-collector demo` (what `npm run demo` runs) as a child
 * process, its URL read from what it prints, and `demo --remove`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { undoAtExit } from './services.ts';
import { ROOT } from './stack.ts';

const MAIN = path.join(ROOT, 'collector/src/main.ts');

export interface DemoProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export async function spawnDemo(env: Record<string, string>): Promise<DemoProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'demo'], { cwd: ROOT, env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  undoAtExit(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not say where to open it within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const found = /Open (http:\/\/\S+?)\/ and sign in/.exec(out);
      if (!found) return;
      clearTimeout(timer);
      resolve(found[1]);
    };
    child.stdout!.on('data', check);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the demo exited early:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** `demo --remove` with `env`: its exit code and output. */
export function removeDemoCli(env: Record<string, string>): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'demo', '--remove'], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
