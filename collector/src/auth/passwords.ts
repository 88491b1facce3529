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

/** A hash to compare against when the email is unknown, so both paths take the same time. */
export const DUMMY_HASH = bcrypt.hashSync('not-a-real-password', BCRYPT_COST);
