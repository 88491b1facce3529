/**
 * Our events as ProgSnap2 MainTable rows (ProgSnap2 v1.0, the machine-readable spec in
 * CSSPLICE/ProgSnapToolkit `spec/versions/progsnap2-v1.0.yaml`). One row per stored event, plus a
 * child row for a failed run:
 *
 * | our event                                 | EventType                  | columns beyond the common ones                                  |
 * |-------------------------------------------|----------------------------|-----------------------------------------------------------------|
 * | session_start / session_end               | Session.Start / Session.End | SessionID                                                      |
 * | notebook_opened / notebook_closed         | File.Open / File.Close     | CodeStateSection (the notebook path), EventInitiator            |
 * | notebook_saved                            | File.Save                  | CodeStateSection, EventInitiator                                |
 * | cell_execution_start                      | X-Run.Start                | ProblemID (the cell id)                                         |
 * | cell_execution_complete / _error          | Run.Program                | ExecutionResult Success / Error; CodeStateID: the cell's code (below) |
 * | … failed with SyntaxError, IndentationError, TabError | + Compile.Error (child) | ParentEventID, CodeStateSection, CompileMessageType (the exception), CompileMessageData (its message), SourceLocation (`Text:<line>` when the traceback names one) |
 * | … failed with any other exception         | + X-Run.Error (child)      | the same columns, for a runtime error                           |
 * | kernel_restart / kernel_interrupt         | X-Kernel.Restart / X-Kernel.Interrupt |                                                      |
 * | help_request / help_cancel                | X-Help.Request / X-Help.Cancel |                                                             |
 * | client_queue_overflow                     | X-Logging.Lost             | (events lost on the student's machine)                          |
 * | anything else (stored generically)        | X-<its type>               |                                                                 |
 * | a hand-in (assignment_submissions)        | Submit                     | EventID `submission-<id>`, ServerTimestamp its hand-in time, CodeStateID: the handed-in notebook's code cells (`# %%` between them) |
 * | its grade                                 | Intervention               | EventInitiator InstructorDirectAction, InterventionCategory EarnedGrade, InterventionType `Score=<0-100>/100`, InterventionMessage the feedback (free text) |
 *
 * A hand-in or grade is not an event of the store: its row goes between the events by its time (the
 * first event stored after it follows it), so Order still follows ServerTimestamp. No Score on the
 * Submit row: grades here are given by hand, later; ProgSnap2 logs those as an EarnedGrade
 * Intervention.
 *
 * Common columns: EventID (our event id; a child's is `<parent>/error`), Order (1, 2, … in the
 * store's arrival order, so non-decreasing in ServerTimestamp), SubjectID, ToolInstances,
 * ServerTimestamp (when the collector stored it) and ClientTimestamp (the event's own time, from the
 * student's machine), CourseID (`class-<id>`), AssignmentID (the notebook path; CodeStateSection too, on the rows whose type takes one),
 * ProblemID (the cell id); SessionID on Session.Start and Session.End (v1.0 defines it for those only). Timestamps are ISO 8601 in UTC with `Z` (v1.0 has no timezone
 * columns: the zone is in the value).
 *
 * A run's code state is the source of the cell it ran (ProgSnap2: the code the event ran): the code
 * its event carries; when the event carries none (a capture policy keeps code out of events), the
 * cell's source in the student's latest notebook-history version saved by then (history/reads.ts
 * cellSourceAt); none when neither exists. A snapshot (history) is the notebook at a save, so a run
 * between saves is described exactly only by its own code: hence that order.
 */
import crypto from 'node:crypto';
import { EVENT_TYPES } from '@cell-monitor/shared';
import type { ClassHandIn } from '../assignments/submissionStore.ts';
import type { ExportEvent } from './classEvents.ts';
import type { ExportPolicy } from './exportPolicy.ts';

export const MAIN_COLUMNS = [
  'EventID', 'Order', 'SubjectID', 'EventType', 'ToolInstances', 'CodeStateID', 'ServerTimestamp', 'ClientTimestamp',
  'CourseID', 'AssignmentID', 'ProblemID', 'SessionID', 'CodeStateSection', 'EventInitiator', 'ParentEventID',
  'ExecutionResult', 'CompileMessageType', 'CompileMessageData', 'SourceLocation',
  'InterventionCategory', 'InterventionType', 'InterventionMessage',
] as const;

export type MainRow = Partial<Record<(typeof MAIN_COLUMNS)[number], string>>;

/** The tools every event passed through (ProgSnap2 ToolInstances: semicolon-separated). */
export const TOOL_INSTANCES = 'JupyterLab;cell-monitor 0.1.0';

const SIMPLE: Record<string, string> = {
  [EVENT_TYPES.sessionStart]: 'Session.Start',
  [EVENT_TYPES.sessionEnd]: 'Session.End',
  [EVENT_TYPES.notebookOpened]: 'File.Open',
  [EVENT_TYPES.notebookClosed]: 'File.Close',
  [EVENT_TYPES.notebookSaved]: 'File.Save',
  [EVENT_TYPES.cellExecutionStart]: 'X-Run.Start',
  [EVENT_TYPES.cellExecutionComplete]: 'Run.Program',
  [EVENT_TYPES.cellExecutionError]: 'Run.Program',
  [EVENT_TYPES.kernelRestart]: 'X-Kernel.Restart',
  [EVENT_TYPES.kernelInterrupt]: 'X-Kernel.Interrupt',
  [EVENT_TYPES.helpRequest]: 'X-Help.Request',
  [EVENT_TYPES.helpCancel]: 'X-Help.Cancel',
  [EVENT_TYPES.clientQueueOverflow]: 'X-Logging.Lost',
};

/** Python exceptions raised before the cell runs: ProgSnap2's compile errors. */
const COMPILE_ERRORS = new Set(['SyntaxError', 'IndentationError', 'TabError']);

const FILE_EVENTS = new Set(['File.Open', 'File.Close', 'File.Save']);

export function progsnap2EventType(eventType: string): string {
  return SIMPLE[eventType] ?? `X-${eventType}`;
}

export function isRun(event: ExportEvent): boolean {
  return event.event_type === EVENT_TYPES.cellExecutionComplete || event.event_type === EVENT_TYPES.cellExecutionError;
}

function runError(event: ExportEvent): { name: string; message: string; line?: number } | undefined {
  const error = event.payload.error as { name?: unknown; message?: unknown; traceback?: unknown } | undefined;
  const failed = event.event_type === EVENT_TYPES.cellExecutionError || event.payload.success === false || error !== undefined;
  if (!failed) return undefined;
  // The cell's line, where Python says it: the last "line N" of the traceback (or the message).
  const where = [error?.traceback, error?.message].map((t) => (typeof t === 'string' ? [...t.matchAll(/\bline (\d+)/g)].pop()?.[1] : undefined)).find(Boolean);
  return { name: typeof error?.name === 'string' ? error.name : 'Error', message: typeof error?.message === 'string' ? error.message : '', line: where ? Number(where) : undefined };
}

/** A code state's id: the first 24 hex digits of the SHA-256 of its text as exported (equal code, equal id). */
export function codeStateId(code: string): string {
  return crypto.createHash('sha256').update(code, 'utf8').digest('hex').slice(0, 24);
}

/** The MainTable rows of one event; `nextOrder` hands out Order values. */
export function mainRows(event: ExportEvent, code: string | undefined, options: { classId: number; policy: ExportPolicy; nextOrder: () => number }): MainRow[] {
  const { policy } = options;
  const type = progsnap2EventType(event.event_type);
  const path = policy.text(event.notebook_path);
  const row: MainRow = {
    EventID: policy.text(event.event_id),
    Order: String(options.nextOrder()),
    SubjectID: policy.subject(event.user_id),
    EventType: type,
    ToolInstances: TOOL_INSTANCES,
    CodeStateID: code === undefined ? '' : codeStateId(code),
    ServerTimestamp: event.persisted_at,
    ClientTimestamp: event.event_time,
    CourseID: `class-${options.classId}`,
    AssignmentID: path,
    ProblemID: policy.text(event.cell_id),
    // Event-specific in v1.0 (CSSPLICE's validator refuses it elsewhere): the session's rows are between its Start and End.
    SessionID: type === 'Session.Start' || type === 'Session.End' ? policy.text(event.session_id) : '',
    CodeStateSection: FILE_EVENTS.has(type) ? path : '',
    EventInitiator: FILE_EVENTS.has(type) ? 'UserDirectAction' : '',
  };
  if (!isRun(event)) return [row];
  const error = runError(event);
  row.ExecutionResult = error ? 'Error' : 'Success';
  if (!error) return [row];
  return [
    row,
    {
      ...row,
      EventID: `${row.EventID}/error`,
      Order: String(options.nextOrder()),
      EventType: COMPILE_ERRORS.has(error.name) ? 'Compile.Error' : 'X-Run.Error',
      ParentEventID: row.EventID,
      ExecutionResult: '',
      CodeStateSection: path,
      CompileMessageType: policy.text(error.name),
      CompileMessageData: policy.freeText(error.message),
      SourceLocation: error.line === undefined ? '' : `Text:${error.line}`,
    },
  ];
}

/** A handed-in notebook as one code state: its code cells' sources, `# %%` before each (the percent format). */
export function notebookCode(notebook: unknown): string | undefined {
  const cells = (notebook as { cells?: unknown } | undefined)?.cells;
  if (!Array.isArray(cells)) return undefined;
  const sources = cells
    .filter((c): c is { cell_type: string; source: unknown } => c !== null && typeof c === 'object' && (c as { cell_type?: unknown }).cell_type === 'code')
    .map((c) => (Array.isArray(c.source) ? c.source.join('') : typeof c.source === 'string' ? c.source : ''));
  return sources.map((source) => `# %%\n${source}`).join('\n\n');
}

/** A hand-in's Submit row (`code`: its code state under the policy, when kept). */
export function submitRow(handIn: ClassHandIn, code: string | undefined, options: { classId: number; policy: ExportPolicy; nextOrder: () => number }): MainRow {
  return {
    EventID: `submission-${handIn.id}`,
    Order: String(options.nextOrder()),
    SubjectID: options.policy.subject(handIn.user_id),
    EventType: 'Submit',
    ToolInstances: TOOL_INSTANCES,
    CodeStateID: code === undefined ? '' : codeStateId(code),
    ServerTimestamp: handIn.submitted_at,
    CourseID: `class-${options.classId}`,
    AssignmentID: options.policy.text(handIn.notebook_path),
  };
}

/** A grade's EarnedGrade Intervention row. */
export function gradeRow(handIn: ClassHandIn & { graded_at: string }, options: { classId: number; policy: ExportPolicy; nextOrder: () => number }): MainRow {
  return {
    EventID: `submission-${handIn.id}/grade`,
    Order: String(options.nextOrder()),
    SubjectID: options.policy.subject(handIn.user_id),
    EventType: 'Intervention',
    ToolInstances: TOOL_INSTANCES,
    ServerTimestamp: handIn.graded_at,
    CourseID: `class-${options.classId}`,
    AssignmentID: options.policy.text(handIn.notebook_path),
    EventInitiator: 'InstructorDirectAction',
    InterventionCategory: 'EarnedGrade',
    InterventionType: handIn.score === null ? 'Score=' : `Score=${handIn.score}/100`,
    InterventionMessage: options.policy.freeText(handIn.feedback),
  };
}
