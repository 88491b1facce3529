/**
 * What the board knows of one student, folded from their events as they are persisted (no I/O:
 * the board service feeds it, the tests feed it by hand). Times are epoch ms. An event's own time
 * (`eventTime`, never later than its arrival) says what the student did when; its arrival time says
 * whether their offline queue is draining (statusRules.ts `catching_up`).
 */
import { EVENT_TYPES, type LiveEvent } from '@cell-monitor/shared';
import { DEFAULT_THRESHOLDS } from './thresholds.ts';

/** Error runs in a row on one cell (a success on that cell removes the entry). */
export interface ErrorStreak {
  cellId: string;
  cellIndex: number | null;
  notebookPath: string | null;
  count: number;
  errorName: string;
  lastAt: number;
}

export interface OpenHelp {
  requestedAt: number;
  notebookPath: string | null;
  cellId: string | null;
}

export interface StudentActivity {
  userId: string;
  sessionId: string | null;
  /** A session_start (or any event) since the last session_end. */
  sessionOpen: boolean;
  /** The latest event time seen (any event). */
  lastHeardAt: number | null;
  /** The latest run (a completed or failed cell execution). */
  lastRunAt: number | null;
  /** When an event last arrived `lateArrivalMs` or more after it happened (thresholds.ts). */
  lastLateArrivalAt: number | null;
  /** How far behind the latest arrival was, in ms. */
  lagMs: number;
  notebookPath: string | null;
  cellId: string | null;
  cellIndex: number | null;
  /** Runs and errors in the current session. */
  runs: number;
  errors: number;
  lastError: { name: string; message: string; cellId: string | null; at: number } | null;
  streaks: Record<string, ErrorStreak>;
  help: OpenHelp | null;
  /** Runs per minute (key: epoch minute), the last SPARKLINE_MINUTES only. */
  runsByMinute: Map<number, number>;
}

export const SPARKLINE_MINUTES = 30;

export function createActivity(userId: string): StudentActivity {
  return {
    userId,
    sessionId: null,
    sessionOpen: false,
    lastHeardAt: null,
    lastRunAt: null,
    lastLateArrivalAt: null,
    lagMs: 0,
    notebookPath: null,
    cellId: null,
    cellIndex: null,
    runs: 0,
    errors: 0,
    lastError: null,
    streaks: {},
    help: null,
    runsByMinute: new Map(),
  };
}

const isRun = (type: string) => type === EVENT_TYPES.cellExecutionComplete || type === EVENT_TYPES.cellExecutionError;
const failed = (event: LiveEvent) => event.eventType === EVENT_TYPES.cellExecutionError || event.success === false || event.error !== undefined;

/** Folds one event in. Events of one student arrive in order; an older one still counts, it just does not move "latest" fields back. */
export function applyEvent(activity: StudentActivity, event: LiveEvent, arrivedAt: number, lateArrivalMs = DEFAULT_THRESHOLDS.catchingUpLagMs): void {
  const parsed = Date.parse(event.eventTime);
  const at = Number.isNaN(parsed) ? arrivedAt : Math.min(parsed, arrivedAt);
  activity.lagMs = arrivedAt - at;
  if (activity.lagMs >= lateArrivalMs) activity.lastLateArrivalAt = arrivedAt;
  const latest = activity.lastHeardAt === null || at >= activity.lastHeardAt;
  if (latest) activity.lastHeardAt = at;

  if (event.sessionId && event.sessionId !== activity.sessionId && latest) {
    activity.sessionId = event.sessionId;
    activity.runs = 0;
    activity.errors = 0;
  }
  if (event.eventType === EVENT_TYPES.sessionEnd) {
    if (latest) activity.sessionOpen = false;
  } else if (latest) {
    activity.sessionOpen = true;
  }
  if (latest && event.notebookPath) {
    activity.notebookPath = event.notebookPath;
    if (event.cellId) {
      // A help request names the cell without its index: keep the index of the same cell.
      activity.cellIndex = event.cellIndex ?? (event.cellId === activity.cellId ? activity.cellIndex : null);
      activity.cellId = event.cellId;
    }
  }

  if (event.eventType === EVENT_TYPES.helpRequest) {
    activity.help = { requestedAt: at, notebookPath: event.notebookPath ?? null, cellId: event.cellId ?? null };
  } else if (event.eventType === EVENT_TYPES.helpCancel) {
    activity.help = null;
  }

  if (!isRun(event.eventType)) return;
  activity.runs += 1;
  if (activity.lastRunAt === null || at > activity.lastRunAt) activity.lastRunAt = at;
  const minute = Math.floor(at / 60_000);
  activity.runsByMinute.set(minute, (activity.runsByMinute.get(minute) ?? 0) + 1);
  pruneSparkline(activity, arrivedAt);
  const cellKey = event.cellId ?? null;
  if (failed(event)) {
    activity.errors += 1;
    const name = event.error?.name ?? 'Error';
    activity.lastError = { name, message: event.error?.message ?? '', cellId: cellKey, at };
    if (cellKey) {
      const streak = activity.streaks[cellKey];
      activity.streaks[cellKey] = {
        cellId: cellKey,
        cellIndex: event.cellIndex ?? streak?.cellIndex ?? null,
        notebookPath: event.notebookPath ?? streak?.notebookPath ?? null,
        count: (streak?.count ?? 0) + 1,
        errorName: name,
        lastAt: at,
      };
    }
  } else if (cellKey) {
    delete activity.streaks[cellKey];
  }
}

function pruneSparkline(activity: StudentActivity, now: number): void {
  const oldest = Math.floor(now / 60_000) - SPARKLINE_MINUTES + 1;
  for (const minute of activity.runsByMinute.keys()) if (minute < oldest) activity.runsByMinute.delete(minute);
}

/** Runs per minute for the last SPARKLINE_MINUTES, oldest first (the card's sparkline). */
export function sparkline(activity: StudentActivity, now: number): number[] {
  const current = Math.floor(now / 60_000);
  return Array.from({ length: SPARKLINE_MINUTES }, (_, i) => activity.runsByMinute.get(current - SPARKLINE_MINUTES + 1 + i) ?? 0);
}

/** The last error in one line, for the card: "NameError: name 'x' is not defined". */
export function errorLine(error: { name: string; message: string }, maxChars = 160): string {
  const first = `${error.name}${error.message ? `: ${error.message}` : ''}`.split('\n')[0];
  return first.length > maxChars ? `${first.slice(0, maxChars - 1)}…` : first;
}
