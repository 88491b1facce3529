/**
 * What the extension does with the answer to one batch it posted to the companion route, and how
 * long it waits before the next try. Pure: no timers, no fetch, no IndexedDB.
 *
 * - 202: the collector stored the batch; the events leave the queue (rejected ones are reported
 *   by index and leave too: sending them again would be rejected again).
 * - Network error, 401/403 (Jupyter login lapsed), 408, 425, 429, 5xx (502 collector unreachable,
 *   503 buffer full, 504 timeout):
 *   the events stay queued; the next try waits `Retry-After` if the server gave one (at most
 *   `maxMs`), otherwise an exponential backoff with full jitter, capped (shared/backoff.ts).
 * - 409 `owner_mismatch`: this server stamps another user than the queue's owner (queueOwner.ts);
 *   the events stay queued for their owner's server, and this page retries only after a backoff.
 * - 413 with more than one event: the batch is halved and sent again. Any other 4xx: the events
 *   can never be accepted as they are and are dropped (counted, never shown to the student).
 */
import { backoffDelay, type BackoffOptions } from '@cell-monitor/shared/backoff';

/** Retries of a post: from 1 s up to 5 min (`maxMs` is also the cap on a server's Retry-After). */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 5 * 60_000 };

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface IngestAnswer {
  /** HTTP status, or undefined when the request failed before an answer (offline, DNS, reset). */
  status?: number;
  retryAfter?: string | null;
  body?: unknown;
}

export type SendOutcome =
  | { kind: 'sent'; accepted: number; duplicates: number; rejected: number }
  | { kind: 'retry'; delayMs: number; reason: string }
  | { kind: 'split'; reason: string }
  | { kind: 'drop'; reason: string };

/** 401/403: the Jupyter login lapsed (or the XSRF cookie rotated); the events are fine, wait for it. */
const RETRYABLE = new Set([401, 403, 408, 425, 429]);

export function classifyAnswer(
  answer: IngestAnswer,
  context: { attempt: number; batchSize: number; now: number; backoff?: BackoffOptions; random?: () => number },
): SendOutcome {
  const backoff = context.backoff ?? DEFAULT_BACKOFF;
  const { status } = answer;
  if (status === 202 || status === 200) {
    const body = (answer.body ?? {}) as { accepted?: unknown; duplicates?: unknown; rejected?: unknown };
    return {
      kind: 'sent',
      accepted: typeof body.accepted === 'number' ? body.accepted : 0,
      duplicates: typeof body.duplicates === 'number' ? body.duplicates : 0,
      rejected: Array.isArray(body.rejected) ? body.rejected.length : 0,
    };
  }
  if (status === undefined || status >= 500 || RETRYABLE.has(status)) {
    const serverSays = parseRetryAfter(answer.retryAfter, context.now);
    const delayMs = serverSays !== undefined ? Math.min(serverSays, backoff.maxMs) : backoffDelay(context.attempt, backoff, context.random);
    return { kind: 'retry', delayMs, reason: status === undefined ? 'network' : `http_${status}` };
  }
  if (status === 413 && context.batchSize > 1) return { kind: 'split', reason: 'http_413' };
  const error = (answer.body as { error?: unknown } | undefined)?.error;
  if (status === 409 && error === 'owner_mismatch') return { kind: 'retry', delayMs: backoff.maxMs, reason: error };
  return { kind: 'drop', reason: typeof error === 'string' ? error : `http_${status}` };
}
