/**
 * What `start` says last, once it listens — the lines a newcomer at a terminal reads: where the
 * dashboard is, and, while there is no instructor account, the command that makes the first one.
 */
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { Config } from '../core/config.ts';
import { COMPILED } from '../core/packagePaths.ts';

/** The dashboard's address; a wildcard HOST (0.0.0.0, ::) is reached by this machine's name. */
export function dashboardUrl(address: AddressInfo): string {
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? os.hostname() : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}/`;
}

/**
 * The exact command that creates the first (admin) account against this collector's store: from a
 * checkout `npm run cli -- …` (as the README says), from the installed package the bin; with the
 * DATA_DIR this collector uses when it is not the default (a DATABASE_URL is not repeated: it may
 * hold a password).
 */
export function createInstructorCommandLine(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  const cli = COMPILED ? 'cell-monitor-collector' : 'npm run cli --';
  const dataDir = env.DATA_DIR && !env.DATABASE_URL ? `DATA_DIR=${shellWord(config.dataDir)} ` : '';
  return `${dataDir}${cli} create-instructor --email you@school.example --name "Your Name" --role admin`;
}

/**
 * The whole "what next" line. A systemd service (systemd sets INVOCATION_ID) has its own user and
 * environment file: a command pasted into a root shell would make the store as root, so there it
 * names the command and says with which configuration to run it instead.
 */
export function noAccountLine(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  if (env.INVOCATION_ID !== undefined) {
    return 'no instructor account yet; create the first one with create-instructor --email you@school.example --name "Your Name" --role admin, run as this service\'s user with its environment file';
  }
  return `no instructor account yet; create the first one (it asks for the password): ${createInstructorCommandLine(config, env)}`;
}

function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
