/**
 * The chaos test's collectors: real CLI processes (helpers/stack.ts spawnCollector), each on a
 * fixed port and DATA_DIR of its own, so that a collector killed with SIGKILL comes back where it
 * was — clients see "connection refused" meanwhile — and drains the buffer it left. A restart
 * that fails (the database is away during its start, say) is tried again, as a supervisor would.
 */
import { freePort } from '../helpers/services.ts';
import { spawnCollector, type CollectorProcess } from '../helpers/stack.ts';

export interface FleetMember {
  name: string;
  env: Record<string, string>;
  url: string;
  /** Undefined while it is down. */
  process?: CollectorProcess;
  /** Output of its earlier lives, for a failure message. */
  pastOutput: string;
}

export interface Fleet {
  members: FleetMember[];
  urls(): string[];
  /** SIGKILL `member`, then start it again after `downMs`: ms from the kill until it listens again. */
  killAndRestart(member: FleetMember, downMs: number): Promise<number>;
  /** The last lines of every member's output (for failure messages). */
  tails(lines?: number): string;
  stop(): Promise<void>;
}

async function startMember(member: FleetMember, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      member.process = await spawnCollector(member.env);
      return;
    } catch (err) {
      member.pastOutput += String(err);
      if (Date.now() > deadline) throw new Error(`${member.name} did not start again within ${timeoutMs} ms: ${err}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/** Starts one collector per entry of `envs` (one after the other: the first runs the migrations). */
export async function startFleet(envs: Record<string, string>[]): Promise<Fleet> {
  const members: FleetMember[] = [];
  for (const [i, env] of envs.entries()) {
    const port = await freePort();
    const member: FleetMember = { name: `collector-${i + 1}`, env: { ...env, PORT: String(port) }, url: `http://127.0.0.1:${port}`, pastOutput: '' };
    await startMember(member);
    members.push(member);
  }
  return {
    members,
    urls: () => members.map((m) => m.url),
    async killAndRestart(member, downMs) {
      const running = member.process;
      if (!running) throw new Error(`${member.name} is already down`);
      const killedAt = Date.now();
      running.child.kill('SIGKILL');
      await running.exited;
      member.process = undefined;
      member.pastOutput += running.output();
      await new Promise((r) => setTimeout(r, downMs));
      await startMember(member);
      return Date.now() - killedAt;
    },
    tails(lines = 15) {
      return members
        .map((m) => `--- ${m.name}\n${(m.pastOutput + (m.process?.output() ?? '')).trim().split('\n').slice(-lines).join('\n')}`)
        .join('\n');
    },
    async stop() {
      await Promise.all(
        members.map(async (m) => {
          if (!m.process) return;
          m.process.child.kill('SIGTERM');
          await m.process.exited;
        }),
      );
    },
  };
}
