/**
 * Brute-force protection for `POST /api/v1/auth/login` (rate-limiter-flexible): after
 * `MAX_FAILURES` wrong passwords for one email from one address within `WINDOW_SECONDS`, that pair
 * is refused with 429 for `LOCK_SECONDS`, even with the right password. A successful login clears
 * the count. Counted in Redis when the collector has one (shared by every collector), else in memory.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export const MAX_FAILURES = 10;
export const WINDOW_SECONDS = 15 * 60;
export const LOCK_SECONDS = 15 * 60;

export interface LoginThrottle {
  /** Seconds until the pair may try again, or 0 when it may try now. */
  retryAfter(email: string, ip: string): Promise<number>;
  failed(email: string, ip: string): Promise<void>;
  succeeded(email: string, ip: string): Promise<void>;
}

export function createLoginThrottle(redis?: Redis): LoginThrottle {
  const options = { points: MAX_FAILURES, duration: WINDOW_SECONDS, blockDuration: LOCK_SECONDS, keyPrefix: 'cell-monitor:login-failures' };
  const limiter: RateLimiterAbstract = redis ? new RateLimiterRedis({ ...options, storeClient: redis }) : new RateLimiterMemory(options);
  const key = (email: string, ip: string) => `${email.trim().toLowerCase()}|${ip}`;
  return {
    async retryAfter(email, ip) {
      const state = await limiter.get(key(email, ip));
      return state && state.consumedPoints >= MAX_FAILURES ? Math.max(1, Math.ceil(state.msBeforeNext / 1000)) : 0;
    },
    async failed(email, ip) {
      try {
        await limiter.consume(key(email, ip));
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err; // over the limit: now blocked, nothing else to do
      }
    },
    async succeeded(email, ip) {
      await limiter.delete(key(email, ip));
    },
  };
}
