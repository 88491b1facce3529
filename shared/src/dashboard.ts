/**
 * What the instructor dashboard receives: the board's cards and the help queue. Types only; the
 * collector computes every value (the page renders, it does not compute).
 */

/** Precedence order: when several hold, the first wins (collector/src/dashboard/statusRules.ts). */
export const STUDENT_STATUSES = ['help', 'stuck', 'catching_up', 'active', 'idle', 'offline'] as const;
export type StudentStatus = (typeof STUDENT_STATUSES)[number];

/** One student on the board. Timestamps are ISO 8601; student-controlled strings are shown as text. */
export interface BoardCard {
  userId: string;
  /** The roster name when there is one, else the Jupyter user name. */
  displayName: string;
  status: StudentStatus;
  notebookPath: string | null;
  cellId: string | null;
  cellIndex: number | null;
  lastActivityAt: string | null;
  /** Runs and errors in the current session. */
  runs: number;
  errors: number;
  /** The last error in one line ("NameError: name 'x' is not defined"). */
  lastError: string | null;
  /** Runs per minute over the last 30 minutes, oldest first. */
  sparkline: number[];
  /** Present while a help request is open. */
  help: { requestedAt: string; notebookPath: string | null; cellId: string | null; claimedBy: { id: number; name: string } | null; claimedAt: string | null } | null;
  /** Present while stuck: the cell and the last error's name. */
  stuck: { cellId: string; cellIndex: number | null; errorName: string; count: number } | null;
  /** How far behind the latest event arrived (catching up), in seconds. */
  lagSeconds: number;
}
