/**
 * The collector's command line: `start` (the daemon) here; the one-shot commands in cli/.
 */
import type { AddressInfo } from 'node:net';
import { createInstructorCommand } from './cli/createInstructorCommand.ts';
import { demoCommand } from './cli/demoCommand.ts';
import { issueCredentialCommand, revokeCredentialCommand } from './cli/issueCredentialCommand.ts';
import { migrateCommand } from './cli/migrateCommand.ts';
import { exportClassCommand } from './cli/exportClassCommand.ts';
import { installServiceCommand, uninstallServiceCommand } from './cli/serviceCommands.ts';
import { explainStartupError } from './cli/startupErrors.ts';
import { eraseStudentCommand, exportStudentCommand } from './cli/studentDataCommands.ts';
import { configOrExit, USAGE } from './cli/usage.ts';
import { dashboardUrl, noAccountLine } from './cli/nextSteps.ts';
import { ConfigError } from './core/config.ts';
import { createLogger } from './core/logger.ts';
import { dataDirWarning } from './core/privateFiles.ts';
import { createCollector } from './createCollector.ts';
import { countInstructors } from './instructors/store.ts';

// Everything the collector writes (store, buffer, secret, env file) is for its own user only: files
// 0600 and directories 0700 from birth, whatever the shell's umask (core/privateFiles.ts).
process.umask(0o077);

async function start(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.logLevel, config);
  if (!config.ingestKey) {
    log.warn({ host: config.host }, 'INGEST_KEY is not set: events are taken only from this machine (loopback) and the student routes are closed');
  }
  let collector;
  let server;
  try {
    collector = await createCollector(config, log);
    server = await collector.listen();
  } catch (err) {
    // A failed listen: the collector closes what it opened (createCollector closes its own half-way start).
    await collector?.close(0).catch(() => undefined);
    // Expected failures name their fix, exit 2, no stack (but with LOG_LEVEL=debug).
    const explained = err instanceof ConfigError ? err.message : explainStartupError(err, config);
    if (!explained) throw err;
    process.stderr.write(`cell-monitor-collector: ${explained}\n`);
    if (config.logLevel === 'debug' || config.logLevel === 'trace') process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(2);
  }
  const address = server.address();
  const unsafeDir = dataDirWarning(config.dataDir);
  if (unsafeDir) log.warn({ dataDir: config.dataDir }, unsafeDir);
  log.info({ address }, 'collector listening');
  // The newcomer's next step, last on the screen (no fields: on a terminal a line is what she reads).
  log.info(`dashboard: ${dashboardUrl(address as AddressInfo)}`);
  if ((await countInstructors(collector.db).catch(() => 1)) === 0) {
    log.warn(noAccountLine(config));
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining');
    collector.close().then(
      () => {
        log.info('stopped cleanly');
        process.exit(0);
      },
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const commands: Record<string, () => Promise<void>> = { start, migrate: migrateCommand, 'create-instructor': createInstructorCommand, 'issue-credential': issueCredentialCommand, 'revoke-credential': revokeCredentialCommand, 'export-student': exportStudentCommand, 'export-class': exportClassCommand, 'erase-student': eraseStudentCommand, 'install-service': installServiceCommand, 'uninstall-service': uninstallServiceCommand, demo: () => demoCommand(createCollector) };
const command = process.argv[2] ?? 'start';
const run = commands[command];
if (!run) {
  process.stderr.write(USAGE);
  process.exit(command === 'help' || command === '--help' ? 0 : 2);
}
run().catch((err) => {
  process.stderr.write(`cell-monitor-collector: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
