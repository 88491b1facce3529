/**
 * Every threshold of the dashboard's status rules, in one place (statusRules.ts reads them, the
 * activity fold uses the lateness one). `stuckErrors` may be set per class.
 */
export interface StatusThresholds {
  /** Error runs in a row on one cell that make a student stuck (per class; default 3). */
  stuckErrors: number;
  /** A run this recent makes a student active. */
  activeWithinMs: number;
  /** An event that arrives this long after it happened came from a draining offline queue. */
  catchingUpLagMs: number;
  /** …and the student counts as catching up while such events keep arriving within this window. */
  catchingUpWindowMs: number;
  /** A session nothing has been heard from for this long counts as closed (a tab closed without goodbye). */
  sessionTimeoutMs: number;
}

export const DEFAULT_THRESHOLDS: StatusThresholds = {
  stuckErrors: 3,
  activeWithinMs: 5 * 60_000,
  catchingUpLagMs: 2 * 60_000,
  catchingUpWindowMs: 30_000,
  sessionTimeoutMs: 60 * 60_000,
};
