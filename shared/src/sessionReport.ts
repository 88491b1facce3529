/**
 * After class (issue 22): the meetings of a class and the report of one meeting. Wire format of
 * `GET /api/v1/classes/:id/sessions` and `GET /api/v1/classes/:id/sessions/report`, read by the
 * dashboard's report page. Every figure is computed by the collector with the live views'
 * definitions (shared/dashboard.ts: CellProgress, ErrorCluster, TimeToHelp) restricted to the
 * meeting's window; the page only lays them out. camelCase like the rest of the dashboard API.
 */
import type { ErrorCluster } from './dashboard.ts';

/** A weekly slot of a class's timetable: weekday 0 = Sunday … 6 = Saturday, local time in `timezone`. */
export interface ScheduleSlot {
  weekday: number;
  /** "HH:MM", 24-hour. */
  start: string;
  minutes: number;
}

export interface ClassSchedule {
  classId: number;
  /** An IANA zone ("Asia/Tokyo"); the slots are wall-clock times there. */
  timezone: string;
  slots: ScheduleSlot[];
}

/**
 * Where a meeting's window comes from: the class's timetable, the class's own activity (a run of
 * activity with no gap longer than 45 minutes), or an instructor who chose it by hand.
 */
export type SessionSource = 'schedule' | 'inferred' | 'manual';

export interface SessionHeadline {
  /** Enrolled students who had any activity in the window. */
  activeStudents: number;
  enrolled: number;
  runs: number;
  errors: number;
  helpRequests: number;
  /** Median time to help (requested → resolved) of the window's resolved requests, seconds. */
  medianWaitSeconds: number | null;
}

export interface ClassSession {
  /** Stable: `${start}/${end}` (ISO) — the report route takes start and end. */
  id: string;
  classId: number;
  start: string;
  end: string;
  source: SessionSource;
  /** A manual session's title, or null. */
  title: string | null;
  /** The notebook most of the window's runs were in, or null when nothing ran. */
  notebookPath: string | null;
  headline: SessionHeadline;
  /** Added by the collector (optional): a manual meeting's id: `DELETE /api/v1/classes/:id/sessions/:sessionId` takes it. */
  manualId?: number;
}

/** `GET /api/v1/classes/:id/sessions[?before=ISO][&limit=]`: newest first. */
export interface SessionList {
  classId: number;
  sessions: ClassSession[];
  schedule: ClassSchedule | null;
  /**
   * Added by the collector (optional): the `before` that lists older meetings (one page looks back
   * at most 8 weeks from `before`), or null when there is nothing older to look at.
   */
  nextBefore?: string | null;
}

export type AttendanceStatus = 'on_time' | 'late' | 'absent';

export interface AttendanceRow {
  userId: string;
  displayName: string;
  status: AttendanceStatus;
  /** First and last activity in the window (null: absent). */
  firstAt: string | null;
  lastAt: string | null;
  runs: number;
}

export interface ReportCell {
  cellId: string;
  cellIndex: number | null;
  /** Of the active students (attendance not absent): who ran the cell in the window, who succeeded. */
  ran: number;
  succeeded: number;
  ranShare: number;
  succeededShare: number;
  /** As the progress view: median runs up to and including the first success, over who succeeded. */
  medianAttemptsToSuccess: number | null;
  /** As the progress view: median time spent (gaps before each run capped), seconds. */
  medianSeconds: number | null;
  /** Students who were stuck on this cell in the window (the class's stuck rule: N errors in a row). */
  stuck: number;
}

export interface ReportWait {
  helpRequestId: number;
  userId: string;
  displayName: string;
  cellId: string | null;
  requestedAt: string;
  /** Seconds from request to resolution; for one never resolved, to the end of the window. */
  waitSeconds: number;
  resolved: boolean;
  resolvedBy: string | null;
}

export interface ReportHelp {
  count: number;
  resolved: number;
  medianWaitSeconds: number | null;
  p90WaitSeconds: number | null;
  /** The five longest waits, longest first. */
  longestWaits: ReportWait[];
  /** Who resolved how many, most first. */
  resolvers: Array<{ name: string; count: number }>;
  /** Added by the collector (optional): every request of the window but the cancelled ones, oldest first (the help CSV). */
  waits?: ReportWait[];
}

export interface UnfinishedStudent {
  userId: string;
  displayName: string;
  /** The furthest cell (notebook order) the student succeeded on, or null when none. */
  furthestCellId: string | null;
  furthestCellIndex: number | null;
  /** Their last run in the window: where they stopped. */
  lastCellId: string | null;
  lastCellIndex: number | null;
  lastSucceeded: boolean | null;
}

/** The same figures of the previous meeting on the same notebook, for "compared with last time". */
export interface ReportComparison {
  start: string;
  end: string;
  activeStudents: number;
  /** Share of active students who succeeded on the notebook's last cell. */
  finishedShare: number;
  medianWaitSeconds: number | null;
  errors: number;
  /** Per cell (matched by cellId), the previous meeting's succeededShare. */
  cells: Array<{ cellId: string; succeededShare: number }>;
}

/** `GET /api/v1/classes/:id/sessions/report?start=ISO&end=ISO[&notebook_path=]`. */
export interface SessionReport {
  classId: number;
  className: string;
  start: string;
  end: string;
  generatedAt: string;
  /** The notebook the report's cells are of (the query's, else the window's main one). */
  notebookPath: string | null;
  /** Notebooks run in the window, most students first (for the picker). */
  notebooks: Array<{ notebookPath: string; students: number }>;
  /** Minutes after the start from which a first activity counts as late. */
  lateAfterMinutes: number;
  headline: SessionHeadline;
  attendance: AttendanceRow[];
  /** In notebook order. */
  cells: ReportCell[];
  /** Up to three cellIds where most students got stuck, most first. */
  stuckCells: string[];
  /** The window's largest error clusters (up to 5), as the live clusters view defines them. */
  errorClusters: ErrorCluster[];
  help: ReportHelp;
  /** Active students who did not succeed on the notebook's last cell. */
  unfinished: UnfinishedStudent[];
  previous: ReportComparison | null;
}
