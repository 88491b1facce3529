/**
 * Every collector route the page uses, once, each typed with its wire format from
 * `@cell-monitor/shared` (dashboard.ts, roster.ts, liveMessages.ts): components call
 * `client.board(classId)` and get a `BoardSnapshot`, never a URL and a cast. A new route the page
 * needs is added here and nowhere else. The few answers shared has no type for are declared below.
 */
import type {
  AuthSetup, BoardSnapshot, BroadcastView, ClassProgress, ClassSettings, DeadLetterView, ErrorCluster,
  InstructorStatus, InstructorStatusView, InstructorView, OfflineStatus, QueuedEventView, StudentTimeline,
} from '@cell-monitor/shared';
import type { CapturePolicy } from '@cell-monitor/shared/capturePolicy';
import type { HistoryVersionDetail, NotebookComparison, ReplayTimeline } from '@cell-monitor/shared/notebookHistory';
import type { ClassSchedule, ClassSession, ScheduleSlot, SessionList, SessionReport } from '@cell-monitor/shared/sessionReport';
import { OFFLINE_CLEAR_CONFIRMATION } from '@cell-monitor/shared/dashboard';
import type { EnvironmentAnalysis, RosterImportRequest, RosterImportResult, RosterView, SeatMapView, SeatPlacement } from '@cell-monitor/shared/roster';
import { requestBlob, requestJson, uploadBlob } from './http.ts';

/** A class in the picker (the fields the page reads of `GET /api/v1/classes`). */
export interface ClassOption {
  id: number;
  name: string;
  class_code: string;
  /** The demo class (`npm run demo`): every screen says its students are simulated. */
  demo?: boolean;
}

/** `POST /api/v1/auth/login`. */
export interface SignedIn {
  instructor: InstructorView;
  token: string;
}

/** `PUT /api/v1/classes/:id/roster/:user_id`: what the roster table edits in place. */
export interface RosterChange {
  name?: string;
  team?: string | null;
}

/** `GET /api/v1/notebook-version/notebooks?student_id=`: a student's notebooks with versions, newest saved first. */
export interface HistoryNotebook {
  notebook_path: string;
  versions: number;
  last_saved_at: string;
}

/** A meeting's window, as the report routes take it (ISO times). */
export interface SessionWindow {
  start: string;
  end: string;
}

/** The tables of a session report the collector exports as CSV (`report.csv?table=`). */
export type ReportTable = 'attendance' | 'cells' | 'help' | 'unfinished' | 'clusters';

/** One row of `GET /api/v1/students` (what the page reads: the id the history routes take). */
interface StudentRecord {
  id: number;
  user_id: string;
}

/** `?a=1&b=x` from the parameters that are set ('' when none is). */
function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

const classPath = (classId: number) => `/api/v1/classes/${classId}`;
const historyPath = '/api/v1/notebook-version';

/**
 * The students table's id of a Jupyter user (the history routes take it; the board knows user
 * names): from the class's roster, or, without a class, from the caller's students a page at a time.
 * null: not a student the caller may see.
 */
async function studentIdOf(userId: string, classId: number | null): Promise<number | null> {
  if (classId !== null) {
    const roster = await requestJson<RosterView>('GET', `${classPath(classId)}/roster`);
    return roster.students.find((s) => s.userId === userId)?.studentId ?? null;
  }
  for (let skip = 0; ; skip += 200) {
    const page = await requestJson<StudentRecord[]>('GET', `/api/v1/students${query({ skip, limit: 200 })}`);
    const found = page.find((s) => s.user_id === userId);
    if (found) return found.id;
    if (page.length < 200) return null;
  }
}

export const client = {
  auth: {
    setup: () => requestJson<AuthSetup>('GET', '/api/v1/auth/setup'),
    login: (email: string, password: string) => requestJson<SignedIn>('POST', '/api/v1/auth/login', { email, password }),
    me: () => requestJson<InstructorView>('GET', '/api/v1/auth/me'),
    logout: () => requestJson<void>('POST', '/api/v1/auth/logout'),
  },
  instructorStatus: {
    get: (id: number) => requestJson<InstructorStatusView>('GET', `/api/v1/instructor_status/${id}`),
    set: (id: number, status: InstructorStatus) => requestJson<InstructorStatusView>('PUT', `/api/v1/instructor_status/${id}`, { status }),
  },
  classes: () => requestJson<ClassOption[]>('GET', `/api/v1/classes${query({ limit: 200 })}`),

  // The dashboard's snapshots (null class: everyone seen today).
  board: (classId: number | null) => requestJson<BoardSnapshot>('GET', `/api/v1/dashboard/board${query({ class_id: classId })}`),
  progress: (classId: number | null, notebookPath: string | null) =>
    requestJson<ClassProgress>('GET', `/api/v1/dashboard/progress${query({ class_id: classId, notebook_path: notebookPath })}`),
  errors: (classId: number | null) => requestJson<ErrorCluster[]>('GET', `/api/v1/dashboard/errors${query({ class_id: classId })}`),
  timeline: (userId: string, classId: number | null) =>
    requestJson<StudentTimeline>('GET', `/api/v1/dashboard/students/${encodeURIComponent(userId)}/timeline${query({ class_id: classId })}`),
  environment: (classId: number) => requestJson<EnvironmentAnalysis>('GET', `${classPath(classId)}/environment/analyze`),

  help: {
    claim: (requestId: number) => requestJson<unknown>('POST', `/api/v1/help_requests/${requestId}/claim`),
    resolve: (requestId: number) => requestJson<unknown>('POST', `/api/v1/help_requests/${requestId}/resolve`),
  },
  broadcast: (classId: number, message: string) => requestJson<BroadcastView>('POST', `${classPath(classId)}/broadcasts`, { message }),
  settings: {
    get: (classId: number) => requestJson<ClassSettings>('GET', `${classPath(classId)}/settings`),
    set: (classId: number, body: { stuck_errors?: number; retention_days?: number | null }) => requestJson<ClassSettings>('PUT', `${classPath(classId)}/settings`, body),
  },
  capturePolicy: {
    get: (classId: number) => requestJson<{ policy: CapturePolicy }>('GET', `${classPath(classId)}/capture-policy`),
    set: (classId: number, policy: CapturePolicy) => requestJson<unknown>('PUT', `${classPath(classId)}/capture-policy`, { policy }),
  },

  roster: {
    get: (classId: number) => requestJson<RosterView>('GET', `${classPath(classId)}/roster`),
    import: (classId: number, request: RosterImportRequest) => requestJson<RosterImportResult>('POST', `${classPath(classId)}/roster`, request),
    exportCsv: (classId: number) => requestBlob(`${classPath(classId)}/roster.csv`),
    change: (classId: number, userId: string, change: RosterChange) => requestJson<unknown>('PUT', `${classPath(classId)}/roster/${encodeURIComponent(userId)}`, change),
  },
  seatMap: {
    get: (classId: number) => requestJson<SeatMapView>('GET', `${classPath(classId)}/seat-map`),
    image: (classId: number) => requestBlob(`${classPath(classId)}/seat-map/image`),
    uploadImage: (classId: number, file: Blob) => uploadBlob<SeatMapView>('PUT', `${classPath(classId)}/seat-map/image`, file),
    savePlacements: (classId: number, placements: SeatPlacement[]) => requestJson<SeatMapView>('PUT', `${classPath(classId)}/seat-map/placements`, { placements }),
  },

  // A student's notebook history (issue 21): the replay's reads.
  history: {
    studentId: studentIdOf,
    notebooks: (studentId: number) => requestJson<HistoryNotebook[]>('GET', `${historyPath}/notebooks${query({ student_id: studentId })}`),
    timeline: (studentId: number, notebookPath: string) =>
      requestJson<ReplayTimeline>('GET', `${historyPath}/timeline${query({ student_id: studentId, notebook_path: notebookPath })}`),
    version: (versionId: number) => requestJson<HistoryVersionDetail>('GET', `${historyPath}/snapshot/${versionId}`),
    compare: (fromVersionId: number, toVersionId: number, outputs = false) =>
      requestJson<NotebookComparison>('POST', `${historyPath}/compare`, { from_snapshot_id: fromVersionId, to_snapshot_id: toVersionId, outputs }),
  },

  // After class (issue 22): a class's meetings and the report of one.
  sessions: {
    list: (classId: number, before: string | null = null, limit = 20) => requestJson<SessionList>('GET', `${classPath(classId)}/sessions${query({ before, limit })}`),
    schedule: (classId: number) => requestJson<ClassSchedule>('GET', `${classPath(classId)}/schedule`),
    setSchedule: (classId: number, schedule: { timezone: string; slots: ScheduleSlot[] }) => requestJson<ClassSchedule>('PUT', `${classPath(classId)}/schedule`, schedule),
    add: (classId: number, session: SessionWindow & { title?: string }) => requestJson<ClassSession>('POST', `${classPath(classId)}/sessions`, session),
    /** A meeting added by hand, by its `manualId` (the others come from the timetable or activity). */
    remove: (classId: number, manualId: number) => requestJson<unknown>('DELETE', `${classPath(classId)}/sessions/${manualId}`),
    report: (classId: number, window: SessionWindow, notebookPath: string | null) =>
      requestJson<SessionReport>('GET', `${classPath(classId)}/sessions/report${query({ start: window.start, end: window.end, notebook_path: notebookPath })}`),
    /** A report's table as CSV, fetched with the token in its header (never in a URL), saved by the page as a Blob. */
    reportCsv: (classId: number, window: SessionWindow, table: ReportTable, notebookPath: string | null) =>
      requestBlob(`${classPath(classId)}/sessions/report.csv${query({ start: window.start, end: window.end, table, notebook_path: notebookPath })}`),
  },

  // The collector's buffer (admins).
  buffer: {
    status: () => requestJson<OfflineStatus>('GET', '/api/v1/offline/status'),
    failed: () => requestJson<DeadLetterView[]>('GET', '/api/v1/offline/failed'),
    queue: (limit: number) => requestJson<QueuedEventView[]>('GET', `/api/v1/offline/queue${query({ limit })}`),
    sync: () => requestJson<unknown>('POST', '/api/v1/offline/sync'),
    retry: (which: { ids: string[] } | { all: true }) => requestJson<{ retried: number }>('POST', '/api/v1/offline/failed/retry', which),
    clear: () => requestJson<{ cleared: number }>('DELETE', '/api/v1/offline/failed', { confirm: OFFLINE_CLEAR_CONFIRMATION }),
  },
};
