/**
 * Password hashing with bcrypt (bcryptjs: the pure-JavaScript implementation, nothing to compile).
 * Cost 11 ≈ 0.1-0.2 s per hash here: slow for a guesser, fine for a login. The hashing runs on a
 * small worker-thread pool (piscina), never on the HTTP thread; at most `MAX_QUEUED_HASHES` wait,
 * beyond that callers get a `HashPoolBusyError` (the login route answers 503 with Retry-After).
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import * as yup from 'yup';
import { workerExecArgv } from '../core/packagePaths.ts';
import { HttpError } from '../http/errors.ts';

export const BCRYPT_COST = 11;
/** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently cut. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_LENGTH = 8;

/** A new password in a request body (`label` names the field in the messages). */
export const newPasswordSchema = (label: string) =>
  yup
    .string()
    .required(`${label} is required`)
    .min(PASSWORD_MIN_LENGTH, `${label} must be at least ${PASSWORD_MIN_LENGTH} characters`)
    .test('bytes', `${label} must be at most ${PASSWORD_MAX_BYTES} bytes`, (v) => v === undefined || Buffer.byteLength(v) <= PASSWORD_MAX_BYTES);
/** Hashes waiting for a thread; more than this at once is a flood, not a class logging in. */
export const MAX_QUEUED_HASHES = 32;

/** A 503 `busy` with Retry-After: the error middleware renders it like any other HttpError. */
export class HashPoolBusyError extends HttpError {
  constructor() {
    super(503, 'busy', 'too many password checks at once; try again in a moment', undefined, { 'Retry-After': '2' });
    this.name = 'HashPoolBusyError';
  }
}

let pool: Piscina | undefined;

function hashPool(): Piscina {
  // One thread on a 2-core machine: the other core stays with the HTTP thread and the pipeline.
  pool ??= new Piscina({
    filename: new URL('./hashWorker.mjs', import.meta.url).href,
    execArgv: workerExecArgv(),
    minThreads: 0,
    maxThreads: Math.max(1, Math.min(4, os.availableParallelism() - 1)),
    maxQueue: MAX_QUEUED_HASHES,
    idleTimeout: 30_000,
  });
  return pool;
}

async function run<T>(name: 'hash' | 'compare', task: object): Promise<T> {
  try {
    return (await hashPool().run(task, { name })) as T;
  } catch (err) {
    if (/queue is at limit/i.test(String((err as Error).message))) throw new HashPoolBusyError();
    throw err;
  }
}

export function hashPassword(password: string): Promise<string> {
  return run('hash', { password, cost: BCRYPT_COST });
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return run('compare', { password, hash });
}

/** Stops the hashing threads (collector shutdown, end of a CLI command). */
export async function closePasswordHashing(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.destroy();
}

let dummy: Promise<string> | undefined;

/**
 * A hash to compare against when the email is unknown, so both paths take the same time. Made on
 * first use (one bcrypt hash is ~0.1 s of CPU: not something to spend at every start-up).
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('not-a-real-password');
  return dummy;
}
