/**
 * Expected start-up failures, each as one line naming the fix (`start` prints it and exits 2, no
 * stack): the port taken or not allowed, DATA_DIR not writable, the database unreachable or
 * refusing us, a secret file in DATA_DIR that is not this user's alone. Anything else is a bug and keeps its stack.
 */
import type { Config } from '../core/config.ts';
import { UnsafeFileError } from '../core/privateFiles.ts';
import { safeUrl } from '../db/createDb.ts';

interface SystemError extends Error {
  code?: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
  errors?: SystemError[];
  severity?: string;
}

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);
const FILE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC', 'EEXIST', 'SQLITE_CANTOPEN', 'SQLITE_READONLY']);

export function explainStartupError(error: unknown, config: Config): string | undefined {
  const err = error as SystemError;
  if (!(err instanceof Error)) return undefined;
  if (err instanceof UnsafeFileError) return err.message;
  const code = err.code ?? err.errors?.[0]?.code;
  const where = `${config.host}:${config.port}`;
  if (err.syscall === 'listen' && code === 'EADDRINUSE') return `PORT ${config.port} is already in use on ${config.host}; set PORT (or stop what listens on ${where})`;
  if (err.syscall === 'listen' && (code === 'EACCES' || code === 'EPERM')) return `PORT ${config.port} on ${config.host} is not allowed for this user (ports below 1024 need root); set PORT to 1024 or above`;
  if (err.syscall === 'listen' && code === 'EADDRNOTAVAIL') return `HOST ${config.host} is not an address of this machine; set HOST`;
  const postgres = /^postgres(ql)?:/.test(config.databaseUrl);
  if (postgres && code && NETWORK.has(code)) return `DATABASE_URL: cannot connect to ${safeUrl(config.databaseUrl)} (${code}); is PostgreSQL running?`;
  if (postgres && err.name === 'KnexTimeoutError') return `DATABASE_URL: no connection to ${safeUrl(config.databaseUrl)} within 10 s; is PostgreSQL running and reachable?`;
  if (postgres && err.severity === 'FATAL') return `DATABASE_URL: PostgreSQL at ${safeUrl(config.databaseUrl)} refused the connection: ${err.message}`;
  if (code && FILE.has(code) && (err.path === undefined || err.path.startsWith(config.dataDir))) {
    return `DATA_DIR ${config.dataDir} is not writable (${code}${err.path ? `: ${err.path}` : ''}); set DATA_DIR to a folder this user can write`;
  }
  return undefined;
}
