import { parseArgs } from 'node:util';
import { USER_ID_MAX_CHARS, USER_ID_PROBLEMS, normaliseUserId, userIdProblem } from '@cell-monitor/shared';
import { createRevocations } from '../auth/credentialRevocation.ts';
import { issueStudentCredential } from '../auth/studentCredential.ts';
import { createDb, migrateLatest } from '../db/createDb.ts';
import { configOrExit, USAGE } from './usage.ts';

function fail(command: string, message: string): never {
  process.stderr.write(`cell-monitor-collector ${command}: ${message}\n${USAGE}`);
  process.exit(2);
}

/** The --user names in their one form (shared/src/userId.ts); exits 2 naming a refused one. */
function usersOf(command: string, users: string[]): string[] {
  if (users.length === 0) fail(command, `give --user NAME (1-${USER_ID_MAX_CHARS} characters) at least once`);
  return users.map((raw) => {
    const user = normaliseUserId(raw);
    const problem = userIdProblem(user);
    if (problem) fail(command, `--user ${JSON.stringify(raw)}: ${USER_ID_PROBLEMS[problem]} (${problem})`);
    return user;
  });
}

/**
 * `issue-credential --user NAME… [--issued-at MS]`: each Jupyter user's credential (v2, issued now)
 * under INGEST_KEY. `--issued-at` pins the issue time (reproducible output, e.g. to compare issuers).
 */
export async function issueCredentialCommand(): Promise<void> {
  let values: { user?: string[]; 'issued-at'?: string } = {};
  try {
    values = parseArgs({ args: process.argv.slice(3), options: { user: { type: 'string', multiple: true }, 'issued-at': { type: 'string' } } }).values;
  } catch (err) {
    fail('issue-credential', (err as Error).message);
  }
  const names = usersOf('issue-credential', values.user ?? []);
  const issuedAt = values['issued-at'] === undefined ? Date.now() : Number(values['issued-at']);
  if (!Number.isSafeInteger(issuedAt) || issuedAt < 0) fail('issue-credential', '--issued-at is milliseconds since 1970');
  const config = configOrExit();
  if (!config.ingestKey) {
    process.stderr.write('cell-monitor-collector issue-credential: INGEST_KEY (the master key) is not set; credentials derive from it\n');
    process.exit(2);
  }
  const credential = (u: string) => issueStudentCredential(config.ingestKey!, u, issuedAt);
  const lines = names.map((u) => (names.length === 1 ? credential(u) : `${u}\t${credential(u)}`));
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `revoke-credential --user NAME…`: refuses every credential of those students issued before now. */
export async function revokeCredentialCommand(): Promise<void> {
  let users: string[] = [];
  try {
    users = parseArgs({ args: process.argv.slice(3), options: { user: { type: 'string', multiple: true } } }).values.user ?? [];
  } catch (err) {
    fail('revoke-credential', (err as Error).message);
  }
  const names = usersOf('revoke-credential', users);
  const config = configOrExit();
  if (!config.ingestKey) {
    process.stderr.write('cell-monitor-collector revoke-credential: INGEST_KEY (the master key) is not set; there are no student credentials to revoke\n');
    process.exit(2);
  }
  const db = createDb(config.databaseUrl);
  try {
    await migrateLatest(db);
    const revocations = createRevocations(db, config.ingestKey);
    for (const user of names) {
      const at = await revocations.revoke(user);
      process.stdout.write(`revoked ${JSON.stringify(user)}: credentials issued before ${new Date(at).toISOString()} are refused; issue a new one with issue-credential\n`);
    }
  } finally {
    await db.destroy();
  }
}
