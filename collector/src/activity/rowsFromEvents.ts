/** Pure helpers of the cell-facts projection (cellFacts.ts): what an event says about a run, an access, a notebook. */
import { EVENT_TYPES, isExecutionEvent, isNotebookAccessEvent, notebookName as baseName, type CellEvent } from '@cell-monitor/shared';

export function executionStatus(event: CellEvent): 'running' | 'success' | 'error' {
  if (event.eventType === EVENT_TYPES.cellExecutionStart) return 'running';
  if (event.eventType === EVENT_TYPES.cellExecutionError || event.success === false || event.error) return 'error';
  return 'success';
}

const ACCESS_ACTIONS: Record<string, string> = {
  [EVENT_TYPES.notebookOpened]: 'opened',
  [EVENT_TYPES.notebookClosed]: 'closed',
  [EVENT_TYPES.notebookSaved]: 'saved',
};

export function accessAction(event: CellEvent): string | undefined {
  return isNotebookAccessEvent(event.eventType) && event.notebookPath ? ACCESS_ACTIONS[event.eventType] : undefined;
}

export function notebookName(notebookPath: string): string {
  const name = baseName(notebookPath);
  return name.slice(0, 255);
}

export { isExecutionEvent };
