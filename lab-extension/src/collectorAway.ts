/**
 * "The collector is away": set when a post or a poll found the companion unable to reach the
 * collector, cleared when the companion's probe says it is back. Kept in localStorage, so every tab
 * and the next page load know it too, and probe (a 200 from the student's own Jupyter server)
 * instead of posting (a failed request, an error line in the student's browser console).
 * Shared by the drainer, the notification poller and the policy read; which answers mean "away"
 * is decided here and nowhere else.
 */
import { localFlag } from './storage.ts';

export const COLLECTOR_AWAY_KEY = 'cell-monitor:collector-away';

/** The flag as its users see it (localStorage in the browser, a variable in tests). */
export interface CollectorAwayFlag {
  get(): boolean;
  set(away: boolean): void;
}

export function collectorAwayFlag(): CollectorAwayFlag {
  return localFlag(COLLECTOR_AWAY_KEY);
}

/**
 * Whether an answer's status means the collector (not the request) is the problem: no answer at all
 * (undefined: the Jupyter server is gone too) or the companion's 502/503/504 (it could not reach
 * the collector). Anything else — a 4xx, a 429, a 500 — was an answer from the collector.
 */
export function meansCollectorAway(status: number | undefined): boolean {
  return status === undefined || status === 502 || status === 503 || status === 504;
}

/**
 * Set once the page is being left (a reload, a navigation): the browser then cuts the requests in
 * flight, and a cut request says nothing about the collector. Raising the flag for it would make the
 * next page load skip its policy read and probe instead of post.
 */
let leaving = false;
if (typeof window !== 'undefined') {
  window.addEventListener('pagehide', () => (leaving = true));
  window.addEventListener('pageshow', () => (leaving = false)); // back from the page cache
}

/** After a failed request (an error with an HTTP `status`, or none): raises the flag when it says the collector is away. */
export function noteFailedRequest(flag: CollectorAwayFlag, error: unknown): void {
  if (leaving) return;
  if (meansCollectorAway((error as { status?: number } | null | undefined)?.status)) flag.set(true);
}
