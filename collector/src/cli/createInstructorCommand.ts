import { parseArgs } from 'node:util';
import { createLogger } from '../core/logger.ts';
import { createDb, migrateLatest } from '../db/createDb.ts';
import { createInstructor, EmailTakenError, ROLES, type Role } from '../instructors/store.ts';
import { configOrExit, USAGE } from './usage.ts';

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

/** `create-instructor --email E --name N [--role]`: the first admin (the password from stdin or CELL_MONITOR_PASSWORD). */
export async function createInstructorCommand(): Promise<void> {
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
  const log = createLogger(config.logLevel, config);
  const db = createDb(config.databaseUrl);
  try {
    await migrateLatest(db);
    const row = await createInstructor(db, { email: values.email!, name: values.name!, password, role: values.role as Role });
    log.info({ instructorId: row.id, role: row.role }, 'instructor created');
    process.stdout.write(`created ${row.role} #${row.id} ${row.email}\n`);
    if (!config.jwtSecret && config.mode.kind !== 'embedded') log.warn('set JWT_SECRET before starting the collectors: with REDIS_URL it is required once instructor accounts exist');
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
