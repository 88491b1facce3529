import { parseArgs } from 'node:util';
import { createCollector } from './createCollector.ts';
import { ConfigError, loadConfig, type Config } from './core/config.ts';
import { createDb, migrateLatest } from './db/createDb.ts';
import { createLogger } from './core/logger.ts';
import { createInstructor, EmailTakenError, ROLES, type Role } from './instructors/store.ts';
import { studentCredential } from './auth/studentCredential.ts';

const USAGE = `usage: cell-monitor-collector <command>

  start               run the collector (configuration from the environment; see README)
  migrate             apply database migrations and exit
  create-instructor   --email E --name N [--role admin|instructor]
                      create an account; the password is read from stdin (one line) or from
                      CELL_MONITOR_PASSWORD
  issue-credential    --user NAME [--user NAME …]
                      print the per-student credential of each Jupyter user name (from
                      INGEST_KEY, the master key); give it to that student's Jupyter server as
                      CELL_MONITOR_CREDENTIAL with CELL_MONITOR_USER=NAME. One name: the
                      credential alone; several: "name<TAB>credential" lines
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
    log.warn({ host: config.host }, 'INGEST_KEY is not set: events are taken only from this machine (loopback) and the student routes are closed');
  }
  let collector;
  try {
    collector = await createCollector(config, log);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`cell-monitor-collector: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
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

async function readPassword(): Promise<string> {
  if (process.env.CELL_MONITOR_PASSWORD) return process.env.CELL_MONITOR_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('password: ');
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0];
}

async function createInstructorCommand(): Promise<void> {
  const usage = (message: string): never => {
    process.stderr.write(`cell-monitor-collector create-instructor: ${message}\n${USAGE}`);
    process.exit(2);
  };
  let values: { email?: string; name?: string; role?: string };
  try {
    ({ values } = parseArgs({ args: process.argv.slice(3), options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'admin' } } }));
  } catch (err) {
    return usage((err as Error).message);
  }
  if (!values.email || !/^[^@\s]+@[^@\s]+$/.test(values.email)) usage('--email is required (an email address)');
  if (!values.name?.trim()) usage('--name is required');
  if (!ROLES.includes(values.role as Role)) usage(`--role must be one of ${ROLES.join(', ')}`);
  const password = await readPassword();
  if (password.length < 8) usage('the password must be at least 8 characters');
  const config = configOrExit();
  const log = createLogger(config.logLevel);
  const db = createDb(config.databaseUrl);
  try {
    await migrateLatest(db);
    const row = await createInstructor(db, { email: values.email!, name: values.name!, password, role: values.role as Role });
    log.info({ instructorId: row.id, role: row.role }, 'instructor created');
    process.stdout.write(`created ${row.role} #${row.id} ${row.email}\n`);
    if (!config.jwtSecret) log.warn('set JWT_SECRET before starting the collector: it is required once instructor accounts exist');
  } catch (err) {
    if (err instanceof EmailTakenError) {
      process.stderr.write(`cell-monitor-collector: an instructor with email ${values.email} already exists\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  } finally {
    await db.destroy();
  }
}

async function issueCredentialCommand(): Promise<void> {
  let users: string[] = [];
  try {
    users = parseArgs({ args: process.argv.slice(3), options: { user: { type: 'string', multiple: true } } }).values.user ?? [];
  } catch (err) {
    process.stderr.write(`cell-monitor-collector issue-credential: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const names = users.map((u) => u.trim());
  if (names.length === 0 || names.some((u) => !u || u.length > 255)) {
    process.stderr.write(`cell-monitor-collector issue-credential: give --user NAME (1-255 characters) at least once\n${USAGE}`);
    process.exit(2);
  }
  const config = configOrExit();
  if (!config.ingestKey) {
    process.stderr.write('cell-monitor-collector issue-credential: INGEST_KEY (the master key) is not set; credentials derive from it\n');
    process.exit(2);
  }
  const lines = names.map((u) => (names.length === 1 ? studentCredential(config.ingestKey!, u) : `${u}\t${studentCredential(config.ingestKey!, u)}`));
  process.stdout.write(`${lines.join('\n')}\n`);
}

const commands: Record<string, () => Promise<void>> = { start, migrate, 'create-instructor': createInstructorCommand, 'issue-credential': issueCredentialCommand };
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
