/**
 * Event types the pipeline understands. Anything else that matches `EVENT_TYPE_PATTERN` is still
 * accepted and stored generically in `events` (decision 4: unknown types are not rejected).
 */
export const EVENT_TYPES = {
  sessionStart: 'session_start',
  sessionEnd: 'session_end',
  notebookOpened: 'notebook_opened',
  notebookClosed: 'notebook_closed',
  notebookSaved: 'notebook_saved',
  cellExecutionStart: 'cell_execution_start',
  cellExecutionComplete: 'cell_execution_complete',
  cellExecutionError: 'cell_execution_error',
  kernelRestart: 'kernel_restart',
  kernelInterrupt: 'kernel_interrupt',
  helpRequest: 'help_request',
  helpCancel: 'help_cancel',
  /** Sent by the extension when its offline queue was full: `metadata.droppedEvents` were lost. */
  clientQueueOverflow: 'client_queue_overflow',
  /** A connection check (Check connection, `check` CLI): takes the whole ingest path, lands in `connection_tests`, never in analytics. */
  connectionTest: 'connection_test',
  /** The kernel's Python environment at start (`metadata.environment`), sent by a silent request; stored per student, not in analytics. */
  kernelEnvironment: 'kernel_environment',
  /** A saved notebook's cells (`metadata.snapshot`, shared/notebookSnapshot.ts), sent by the companion; stored content-addressed in history, not in analytics. */
  notebookSnapshot: 'notebook_snapshot',
} as const;

export type KnownEventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/** Older names seen in the seeds, mapped to the canonical one at the edge. */
export const EVENT_TYPE_ALIASES: Readonly<Record<string, KnownEventType>> = {
  cell_executed: EVENT_TYPES.cellExecutionComplete,
  notebook_save: EVENT_TYPES.notebookSaved,
  notebook_open: EVENT_TYPES.notebookOpened,
  notebook_close: EVENT_TYPES.notebookClosed,
};

export const EVENT_TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

const EXECUTION_TYPES: ReadonlySet<string> = new Set([
  EVENT_TYPES.cellExecutionStart,
  EVENT_TYPES.cellExecutionComplete,
  EVENT_TYPES.cellExecutionError,
]);

const NOTEBOOK_ACCESS_TYPES: ReadonlySet<string> = new Set([
  EVENT_TYPES.notebookOpened,
  EVENT_TYPES.notebookClosed,
  EVENT_TYPES.notebookSaved,
]);

export function isExecutionEvent(eventType: string): boolean {
  return EXECUTION_TYPES.has(eventType);
}

export function isNotebookAccessEvent(eventType: string): boolean {
  return NOTEBOOK_ACCESS_TYPES.has(eventType);
}
