/**
 * "The collector is away": set when a post or a poll found the companion unable to reach the
 * collector, cleared when the companion's probe says it is back. Kept in localStorage, so every tab
 * and the next page load know it too, and probe (a 200 from the student's own Jupyter server)
 * instead of posting (a failed request, an error line in the student's browser console).
 * Shared by the drainer and the grading poller.
 */
import { localFlag } from './storage.ts';

export const COLLECTOR_AWAY_KEY = 'cell-monitor:collector-away';

export function collectorAwayFlag(): { get(): boolean; set(away: boolean): void } {
  return localFlag(COLLECTOR_AWAY_KEY);
}
