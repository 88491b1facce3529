/**
 * Password hashing with bcrypt (bcryptjs: the pure-JavaScript implementation, nothing to compile).
 * Cost 11 ≈ 0.1-0.2 s per hash here: slow for a guesser, fine for a login.
 */
import bcrypt from 'bcryptjs';

export const BCRYPT_COST = 11;
/** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently cut. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_LENGTH = 8;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
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
