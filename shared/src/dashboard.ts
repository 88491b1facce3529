/**
 * The instructor dashboard's wire formats: REST snapshots and the `/dashboard/ws` deltas. Types
 * only; the collector computes every value (the page renders, it does not compute). Timestamps are
 * ISO 8601. Every string that came from a student (names, paths, errors, code, output, messages) is
 * shown as text, never as HTML.
 *
 * | route (instructor token)                                   | answer                 |
 * |------------------------------------------------------------|------------------------|
 * | GET  /api/v1/dashboard/board?class_id=                     | `BoardSnapshot`        |
 * | GET  /api/v1/dashboard/progress?class_id=&notebook_path=   | `ClassProgress`        |
 * | GET  /api/v1/dashboard/errors?class_id=&notebook_path=     | `ErrorCluster[]`       |
 * | GET  /api/v1/dashboard/students/:user_id/timeline?class_id= | `StudentTimeline`      |
 * | POST /api/v1/help_requests/:id/claim                       | `HelpRequestView`      |
 * | POST /api/v1/help_requests/:id/resolve                     | `HelpRequestView`      |
 * | POST /api/v1/classes/:id/broadcasts `{ message }`          | `BroadcastView`        |
 * | PUT  /api/v1/classes/:id/settings `{ stuck_errors?, retention_days? }` | `ClassSettings` |
 *
 * Without `class_id` the board is "everyone seen today" (admins; and instructors without classes
 * see only students of their classes, so an empty board with a hint).
 */

/** `GET /api/v1/auth/setup` (public): what the sign-in page needs to say before anyone signs in. */
export interface AuthSetup {
  /** Whether any instructor account exists (else the page names the CLI command that makes one). */
  accounts: boolean;
  /** Whether sign-in works on this collector (a JWT secret is configured). */
  signIn: boolean;
  /** While the demo's data exists (`npm run demo`): how to sign in to it (a fixed, documented account). */
  demo?: { email: string; password: string };
}

/**
 * The demo instructor (`npm run demo`, collector/src/demo/): fixed and documented in the README, shown
 * on the sign-in page while the demo's data exists, deleted with it (`npm run demo -- --remove`).
 */
export const DEMO_ACCOUNT = { email: 'demo@example.org', password: 'demo-password', name: 'Demo Instructor' } as const;

/** Precedence order: when several hold, the first wins (collector/src/dashboard/statusRules.ts). */
export const STUDENT_STATUSES = ['help', 'stuck', 'catching_up', 'active', 'idle', 'offline'] as const;
export type StudentStatus = (typeof STUDENT_STATUSES)[number];

/** One student on the board. */
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
  help: HelpRequestView | null;
  /** Present while stuck: the cell and the last error's name. */
  stuck: { cellId: string; cellIndex: number | null; errorName: string; count: number } | null;
  /** How far behind the latest event arrived, in seconds (shown while catching up). */
  lagSeconds: number;
  /** The student's team in the viewed class (null: none, or not a class view). */
  team: string | null;
}

export interface HelpRequestView {
  id: number;
  userId: string;
  displayName: string;
  notebookPath: string | null;
  cellId: string | null;
  cellIndex: number | null;
  requestedAt: string;
  claimedBy: { id: number; name: string } | null;
  claimedAt: string | null;
  resolvedBy: { id: number; name: string } | null;
  resolvedAt: string | null;
  /** `cancelled`: the student withdrew it. */
  state: 'open' | 'claimed' | 'resolved' | 'cancelled';
}

/** Time from request to resolution, over the requests resolved today (in the class). */
export interface TimeToHelp {
  resolved: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export type StatusCounts = Record<StudentStatus, number>;

export interface BoardSnapshot {
  classId: number | null;
  className: string | null;
  generatedAt: string;
  /** Error runs in a row on one cell that make a student stuck (this class's setting). */
  stuckErrors: number;
  cards: BoardCard[];
  counts: StatusCounts;
  /** Open and claimed requests, oldest first. */
  helpQueue: HelpRequestView[];
  timeToHelp: TimeToHelp;
}

/** Per cell of one notebook, in notebook order. Shares are 0..1 of the class's students seen on the notebook. */
export interface CellProgress {
  cellId: string;
  cellIndex: number | null;
  ranShare: number;
  succeededShare: number;
  /** Median runs up to and including the first success, over students who succeeded. */
  medianAttemptsToSuccess: number | null;
  /** Median of the time each student spent on the cell (sum of run durations), seconds. */
  medianSeconds: number | null;
  students: number;
}

export interface ClassProgress {
  classId: number | null;
  notebookPath: string;
  /** Notebooks the class has touched (for the picker), most students first. */
  notebooks: Array<{ notebookPath: string; students: number }>;
  students: number;
  cells: CellProgress[];
  /** How many students are on each cell now (their latest run), in notebook order. */
  currentCell: Array<{ cellId: string; cellIndex: number | null; students: number }>;
  /** Per student: share of the notebook's cells they ran successfully, 0..100. */
  perStudent: Array<{ userId: string; displayName: string; progressPercent: number }>;
}

export interface ErrorCluster {
  /** Error name + message with literals and identifiers masked: "NameError: name '…' is not defined". */
  signature: string;
  errorName: string;
  notebookPath: string | null;
  cellId: string | null;
  cellIndex: number | null;
  students: number;
  occurrences: number;
  userIds: string[];
  example: { message: string; traceback: string | null; userId: string; at: string };
}

export interface TimelineEntry {
  eventId: string;
  eventType: string;
  at: string;
  notebookPath: string | null;
  cellId: string | null;
  cellIndex: number | null;
  /** Runs: the code when captured (cut to a few KB: then `codeTruncated`, and `codeBytes` is its whole size), duration and result. */
  code: string | null;
  codeTruncated?: boolean;
  codeBytes?: number;
  durationMs: number | null;
  success: boolean | null;
  /** The traceback is cut to a few KB (then it ends with … and `tracebackTruncated`). */
  error: { name: string; message: string; traceback: string | null; tracebackTruncated?: boolean } | null;
  /** The output as text, cut to a few KB. */
  output: string | null;
}

export interface StudentTimeline {
  userId: string;
  displayName: string;
  card: BoardCard | null;
  entries: TimelineEntry[];
  /** Per cell: every attempt in order (true = success). */
  attempts: Array<{ cellId: string; cellIndex: number | null; results: boolean[] }>;
}

export interface BroadcastView {
  id: number;
  classId: number;
  message: string;
  sentAt: string;
  sentBy: { id: number; name: string };
  recipients: number;
}

export interface ClassSettings {
  classId: number;
  stuckErrors: number;
  /** Days this class's data is kept; null = the collector's RETENTION_DAYS, 0 = forever. */
  retentionDays?: number | null;
}

/** `/dashboard/ws?class_id=` (token as for `/ws`), first message. */
export interface DashboardHelloMessage {
  type: 'hello';
  collectorId: string;
  classId: number | null;
}

/** A student's card changed (new event, help claimed, status by time). */
export interface CardMessage {
  type: 'card';
  card: BoardCard;
}

/** The header: counts, time to help, the help queue (sent whenever one of them changes). */
export interface BoardHeaderMessage {
  type: 'header';
  counts: StatusCounts;
  timeToHelp: TimeToHelp;
  helpQueue: HelpRequestView[];
}

/** The class's error clusters or progress may have changed: refetch at most every 5 s. */
export interface StaleMessage {
  type: 'stale';
  views: Array<'progress' | 'errors'>;
}

/** A student left the board: their data was erased. */
export interface RemovedMessage {
  type: 'removed';
  userId: string;
}

export type DashboardMessage = DashboardHelloMessage | CardMessage | BoardHeaderMessage | StaleMessage | RemovedMessage;

/**
 * Close codes of the live sockets (`/ws`, `/instructor/ws`, `/dashboard/ws`): on 4001 and 4003 the
 * dashboard returns to sign-in; on the others it reconnects.
 */
export const SOCKET_CLOSE = {
  /** The token expired. */
  tokenExpired: 4001,
  /** The token was revoked (signed out, password changed, account deactivated or changed). */
  tokenRevoked: 4003,
  /** Not a teacher of the class asked for. */
  forbidden: 4403,
  /** No such class. */
  notFound: 4404,
  tooMany: 1013,
  shuttingDown: 1001,
} as const;

/** GET /api/v1/offline/status (admins): the collector's buffer. */
export interface OfflineStatus {
  mode: 'embedded' | 'redis';
  rows: number;
  unforwarded: number;
  oldestUnforwardedAgeSeconds: number | null;
  fileBytes: number;
  deadLetters: number;
}

/** GET /api/v1/offline/failed: one dead letter (never the event's body). */
export interface DeadLetterView {
  /** `buffer:<id>` or `stream:<entry id>`: what retry takes. */
  id: string;
  eventId: string;
  reason: string;
  failedAt: string;
  userId: string | null;
  eventType: string | null;
}

/** GET /api/v1/offline/queue: an event not yet delivered (never its body). */
export interface QueuedEventView {
  seq: number;
  eventId: string;
  receivedAt: string;
  userId: string | null;
  eventType: string | null;
}

/** `DELETE /api/v1/offline/failed` needs `{ confirm: OFFLINE_CLEAR_CONFIRMATION }`. */
export const OFFLINE_CLEAR_CONFIRMATION = 'clear dead letters';
