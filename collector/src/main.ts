import { createCollector } from './collector.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createDb, migrateLatest } from './db/createDb.ts';
import { createLogger } from './logger.ts';

const USAGE = `usage: cell-monitor-collector <command>

  start     run the collector (configuration from the environment; see README)
  migrate   apply database migrations and exit
`;

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`cell-monitor-collector: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function start(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.logLevel);
  if (!config.ingestKey) {
    log.warn({ host: config.host }, 'INGEST_KEY is not set: ingest accepts any sender; keep HOST on 127.0.0.1 or set INGEST_KEY');
  }
  const collector = await createCollector(config, log);
  const server = await collector.listen();
  const address = server.address();
  log.info({ address }, 'collector listening');

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

async function migrate(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.logLevel);
  const db = createDb(config.databaseUrl);
  try {
    const applied = await migrateLatest(db);
    log.info({ applied }, applied.length ? 'migrations applied' : 'database already up to date');
  } finally {
    await db.destroy();
  }
}

const commands: Record<string, () => Promise<void>> = { start, migrate };
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
