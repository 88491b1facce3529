/**
 * Brute-force protection for `POST /api/v1/auth/login` (rate-limiter-flexible). An attempt is
 * counted *before* the password is checked, so 30 guesses sent at once cost at most 10 bcrypt
 * checks; a right password gives its attempt back. Two limits:
 * - one email from one address: `MAX_FAILURES` attempts per `WINDOW_SECONDS`, then locked for
 *   `LOCK_SECONDS`, even with the right password;
 * - one address, whatever the emails: `MAX_FAILURES_PER_ADDRESS` in the same window (a guesser
 *   trying many accounts). Behind a load balancer set TRUSTED_PROXY_HOPS, or every client is one address.
 * Counted in Redis when the collector has one (shared by every collector), else — and while Redis
 * is away — in memory.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

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

export function createLoginThrottle(redis?: Redis): LoginThrottle {
  const make = (points: number, keyPrefix: string): RateLimiterAbstract => {
    const options = { points, duration: WINDOW_SECONDS, blockDuration: LOCK_SECONDS, keyPrefix };
    // With Redis away (or not connected yet) the count goes on in memory instead of failing the login.
    return redis ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) }) : new RateLimiterMemory(options);
  };
  const pairs = make(MAX_FAILURES, 'cell-monitor:login-attempts');
  const addresses = make(MAX_FAILURES_PER_ADDRESS, 'cell-monitor:login-attempts-by-address');
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
