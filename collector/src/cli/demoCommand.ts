/**
 * `demo` (`npm run demo`): the collector with a demo instructor and a class of 30 simulated students
 * at work (demo/), on whatever store the environment names (by default the embedded one under
 * ./data). The simulation runs in this process, so it stops with it (Ctrl-C, SIGTERM).
 * `demo --remove`: deletes the demo class, its students everywhere (the erasure every student gets)
 * and the demo instructor.
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEMO_ACCOUNT } from '@cell-monitor/shared';
import { openBufferRows } from '../buffer/bufferRows.ts';
import type { Server } from 'node:http';
import { LOOPBACK_HOSTS, type Config } from '../core/config.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { createCoordination } from '../coordination/createCoordination.ts';
import { createDb, migrateLatest } from '../db/createDb.ts';
import { createDemoClass } from '../demo/demoClass.ts';
import { DemoAccountTakenError, removeDemo, seedDemo } from '../demo/demoData.ts';
import { DEMO_STUDENTS } from '../demo/demoRoster.ts';
import { explainStartupError } from './startupErrors.ts';
import { configOrExit, USAGE } from './usage.ts';

/** What main.ts hands in to start a collector (cli/ does not import the composition root). */
export type StartCollector = (config: Config, log: Logger) => Promise<{ listen(): Promise<Server>; close(graceMs?: number): Promise<void> }>;

export async function demoCommand(createCollector: StartCollector): Promise<void> {
  let remove = false;
  try {
    remove = parseArgs({ args: process.argv.slice(3), options: { remove: { type: 'boolean' } } }).values.remove === true;
  } catch (err) {
    process.stderr.write(`cell-monitor-collector demo: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  return remove ? removeCommand() : runDemo(createCollector);
}

async function runDemo(createCollector: StartCollector): Promise<void> {
  const given = configOrExit();
  // Students post with their own credentials, derived from the master key: without one set, a key for this run.
  const config = { ...given, ingestKey: given.ingestKey ?? crypto.randomBytes(32).toString('base64url') };
  const log = createLogger(config.logLevel, config);
  const db = createDb(config.databaseUrl);
  try {
    await migrateLatest(db);
    await seedDemo(db);
  } catch (err) {
    if (!(err instanceof DemoAccountTakenError)) throw err;
    process.stderr.write(`cell-monitor-collector demo: ${err.message}; the demo needs that address for its instructor\n`);
    process.exit(2);
  } finally {
    await db.destroy();
  }
  let collector: Awaited<ReturnType<StartCollector>> | undefined;
  let server: Server;
  try {
    collector = await createCollector(config, log);
    server = await collector.listen();
  } catch (err) {
    // As `start` does: an expected failure (the port taken by a running collector, say) names its fix.
    await collector?.close(0).catch(() => undefined);
    const explained = explainStartupError(err, config);
    if (!explained) throw err;
    process.stderr.write(`cell-monitor-collector demo: ${explained}\n`);
    process.exit(2);
  }
  const running = collector;
  // The demo account's password is in the README: say so when this collector answers beyond this machine.
  if (!LOOPBACK_HOSTS.includes(config.host)) log.warn({ host: config.host }, `demo: listening beyond this machine with a public demo account (${DEMO_ACCOUNT.email}); remove the demo before real use`);
  const { address, port } = server.address() as { address: string; port: number };
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const simulation = createDemoClass({ url, ingestKey: config.ingestKey, log: log.child({ module: 'demo' }) });
  simulation.start();
  process.stdout.write(
    [
      '',
      `cell-monitor demo: ${DEMO_STUDENTS.length} simulated students are working through a notebook.`,
      `  Open ${url}/ and sign in as ${DEMO_ACCOUNT.email} with the password ${DEMO_ACCOUNT.password}.`,
      '  Ctrl-C stops the demo (its data stays, marked "Demo data" on every screen);',
      '  npm run demo -- --remove deletes it: the demo class, its students and the demo instructor.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'demo: stopping the simulated class, then the collector');
    simulation
      .close()
      .then(() => running.close())
      .then(
        () => process.exit(0),
        (err) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function removeCommand(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.logLevel, config);
  const db = createDb(config.databaseUrl);
  const buffer = openBufferRows(config.dataDir);
  const coordination = createCoordination({ mode: config.mode, collectorId: config.collectorId, log, command: 'demo-remove' });
  try {
    await migrateLatest(db);
    const removed = await removeDemo(db, { buffer, streams: coordination.streams });
    for (const { userId } of DEMO_STUDENTS) await coordination.channels.erasures.publish({ userId }).catch(() => undefined); // running collectors clear their buffers
    const rows = Object.values(removed.rows).reduce((a, b) => a + b, 0);
    if (removed.classes === 0 && !removed.instructor && rows === 0) process.stdout.write('no demo data here: nothing to remove\n');
    else process.stdout.write(`removed the demo: ${removed.classes} class, ${removed.students} students (${rows} rows), ${removed.instructor ? `the instructor ${DEMO_ACCOUNT.email}` : 'no instructor'}\n`);
  } finally {
    buffer?.close();
    coordination.close();
    await db.destroy();
  }
}
