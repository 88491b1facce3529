import { parseArgs } from 'node:util';
import { studentCredential } from '../auth/studentCredential.ts';
import { configOrExit, USAGE } from './usage.ts';

/** `issue-credential --user NAME…`: each Jupyter user's credential under INGEST_KEY. */
export async function issueCredentialCommand(): Promise<void> {
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
