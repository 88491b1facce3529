/**
 * Brute-force protection for `POST /api/v1/auth/login` (rate-limiter-flexible). An attempt is
 * counted *before* the password is checked, so 30 guesses sent at once cost at most 10 bcrypt
 * checks; a right password gives its attempt back. Two limits:
 * - one email from one address: `MAX_FAILURES` attempts per `WINDOW_SECONDS`, then locked for
 *   `LOCK_SECONDS`, even with the right password;
 * - one address, whatever the emails: `MAX_FAILURES_PER_ADDRESS` in the same window (a guesser
 *   trying many accounts). Behind a load balancer set TRUSTED_PROXY_HOPS, or every client is one address.
 * Counted where the mode keeps rate limits (coordination/): in Redis, shared by every collector
 * (in memory while Redis is away), or, embedded, in memory.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export const MAX_FAILURES = 10;
export const MAX_FAILURES_PER_ADDRESS = 50;
export const WINDOW_SECONDS = 15 * 60;
export const LOCK_SECONDS = 15 * 60;

/** The pair (or the address) used up its attempts: try again in `retryAfterSeconds`. */
export class LoginLockedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('too many login attempts');
    this.name = 'LoginLockedError';
  }
}

export interface LoginThrottle {
  /** Counts one attempt for this email+address and this address, or throws LoginLockedError. */
  attempt(email: string, ip: string): Promise<void>;
  /** The password was right: the attempt is given back and the pair's failures are forgotten. */
  succeeded(email: string, ip: string): Promise<void>;
  /** The password could not be checked (server busy): the attempt is given back. */
  refund(email: string, ip: string): Promise<void>;
}

/** The mode's named rate limiters (Coordination.limiter): `name` is the key of its counts. */
export type LimiterFactory = (name: string, limits: { points: number; duration: number; blockDuration: number }) => RateLimiterAbstract;

export function createLoginThrottle(limiter: LimiterFactory): LoginThrottle {
  const make = (points: number, name: string) => limiter(name, { points, duration: WINDOW_SECONDS, blockDuration: LOCK_SECONDS });
  const pairs = make(MAX_FAILURES, 'login-attempts');
  const addresses = make(MAX_FAILURES_PER_ADDRESS, 'login-attempts-by-address');
  const pairKey = (email: string, ip: string) => `${email.trim().toLowerCase()}|${ip}`;
  const locked = (err: unknown): never => {
    if (err instanceof RateLimiterRes) throw new LoginLockedError(Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
    throw err;
  };
  return {
    async attempt(email, ip) {
      await pairs.consume(pairKey(email, ip)).catch(locked);
      try {
        await addresses.consume(ip);
      } catch (err) {
        await pairs.reward(pairKey(email, ip), 1);
        locked(err);
      }
    },
    async succeeded(email, ip) {
      await pairs.delete(pairKey(email, ip));
      await addresses.reward(ip, 1);
    },
    async refund(email, ip) {
      await pairs.reward(pairKey(email, ip), 1);
      await addresses.reward(ip, 1);
    },
  };
}
