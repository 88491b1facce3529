/**
 * The capture policy's one rule, without yup, so the extension bundles it (`@cell-monitor/shared/capturePolicy`).
 *
 * What the student's classes allow the extension to send: `metadata` — no code, no output, no
 * traceback (event type, cell, timing, success, error name and message); `code` — plus the cell's
 * code and the traceback; `code_and_output` — plus the output. It caps the local settings, never
 * widens them. Which class decides (DESIGN decision 13, lms/classBoundary.ts), per notebook:
 *
 * | the event's notebook                                 | policy                                     |
 * |------------------------------------------------------|--------------------------------------------|
 * | an assignment notebook of one or more of her classes | the class's she joined first of those      |
 * | any other notebook, or none                          | her home class's (earliest enrolment)      |
 * | she is in no class                                   | code_and_output (no cap)                   |
 *
 * So a class that enrols her later cannot strip another class's assignments (not even by assigning
 * the same path), nor what she does outside any assignment: it decides for its own assignment
 * notebooks only (lms/classBoundary.ts `firstClaimer`).
 */
export const CAPTURE_POLICIES = ['metadata', 'code', 'code_and_output'] as const;
export type CapturePolicy = (typeof CAPTURE_POLICIES)[number];

/** The strictest of several policies (none: no cap). */
export function strictestPolicy(policies: readonly CapturePolicy[]): CapturePolicy {
  return policies.reduce<CapturePolicy>((a, b) => (CAPTURE_POLICIES.indexOf(b) < CAPTURE_POLICIES.indexOf(a) ? b : a), 'code_and_output');
}

/** The loosest of several policies (none: metadata): what may be captured on some notebook. */
export function loosestPolicy(policies: readonly CapturePolicy[]): CapturePolicy {
  return policies.reduce<CapturePolicy>((a, b) => (CAPTURE_POLICIES.indexOf(b) > CAPTURE_POLICIES.indexOf(a) ? b : a), 'metadata');
}

/** The policy for an event's notebook (the table above): the notebook's own, else the default. */
export function policyForNotebook(policy: { policy: CapturePolicy; notebooks?: Record<string, CapturePolicy> }, notebookPath: string | null | undefined): CapturePolicy {
  const notebooks = policy.notebooks;
  // Own keys only: a notebook named "constructor" is not Object.prototype's.
  const own = notebookPath && notebooks && Object.prototype.hasOwnProperty.call(notebooks, notebookPath) ? notebooks[notebookPath] : undefined;
  return own !== undefined && CAPTURE_POLICIES.includes(own) ? own : policy.policy;
}

