import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimits } from '../coordination/capabilities.ts';
import { errors } from '../http/errors.ts';

/**
 * A student's share of ingest in bytes (issue 18 item 12): `bytesPerMinute` of serialised events a
 * minute, counted where `limiter` keeps counts like the event rate (ingestRoute.ts: with Redis,
 * across every collector). The event
 * rate alone let one 4.5 MB event count as one; the bytes are what the buffer, the stream, the
 * persister and the database pay for.
 *
 * - `refuseIfSpent(key)` before the body is read: a student whose minute is spent gets 429 without
 *   the collector parsing another body of theirs.
 * - `charge(key, bytes)` once the events are serialised (the larger of the body's declared length and
 *   what would be stored): over the budget, 429 and nothing of the request is stored.
 *
 * Both answer 429 `byte_budget_exceeded` with Retry-After, which the extension honours by keeping
 * the events queued. A budget smaller than one request (INGEST_MAX_BYTES) is raised to it, so every
 * request the size limit lets through can be stored once the minute is fresh.
 */
export function createStudentByteBudget(bytesPerMinute: number, maxRequestBytes: number, limiterOf: (name: string, limits: RateLimits) => RateLimiterAbstract) {
  if (bytesPerMinute <= 0) return undefined;
  const points = Math.max(bytesPerMinute, 2 * maxRequestBytes);
  const limiter = limiterOf('ingest-bytes', { points, duration: 60 });
  const refuse = (msBeforeNext: number) => {
    const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
    return errors.tooManyRequests('byte_budget_exceeded', `more than ${points} bytes of events a minute from this student; the rest stay queued and are sent later`, { limitBytesPerMinute: points }, { 'Retry-After': String(seconds) });
  };
  return {
    async refuseIfSpent(key: string): Promise<void> {
      const used = await limiter.get(key);
      if (used && used.consumedPoints >= points) throw refuse(used.msBeforeNext);
    },
    async charge(key: string, bytes: number): Promise<void> {
      if (bytes <= 0) return;
      try {
        await limiter.consume(key, Math.min(bytes, points));
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        throw refuse(err.msBeforeNext);
      }
    },
  };
}

export type StudentByteBudget = NonNullable<ReturnType<typeof createStudentByteBudget>>;
