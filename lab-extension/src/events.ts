/**
 * From what JupyterLab tells us to the wire format (shared `CellEvent`). Pure: the JupyterLab side
 * (capture.ts) collects plain facts and these functions shape them, so the mapping is unit-tested in
 * Node without a browser.
 */
import type { CellEvent } from '@cell-monitor/shared';
import { EVENT_TYPES } from '@cell-monitor/shared/eventTypes';
import { LIMITS, SCHEMA_VERSION } from '@cell-monitor/shared/limits';
import type { MonitorSettings } from './settings.ts';

export interface EventContext {
  /**
   * The Jupyter user as the server named it (`/api/me`). Only a fallback for a collector without
   * INGEST_KEY: the companion stamps the server's student and the collector trusts only that stamp.
   */
  userId: string;
  /** One per page load of JupyterLab. */
  sessionId: string;
  newId: () => string;
  now?: () => Date;
}

export type EventFields = Omit<Partial<CellEvent>, 'schemaVersion' | 'eventId' | 'eventType' | 'eventTime' | 'userId' | 'sessionId'>;

export function makeEvent(ctx: EventContext, eventType: string, fields: EventFields = {}): CellEvent {
  return {
    schemaVersion: SCHEMA_VERSION,
    eventId: ctx.newId(),
    eventType,
    eventTime: (ctx.now?.() ?? new Date()).toISOString(),
    userId: ctx.userId,
    sessionId: ctx.sessionId,
    ...fields,
  };
}

/** An nbformat output as the notebook model serialises it (`IOutput`). */
export interface OutputLike {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const joined = (value: unknown): string => (Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : '');

/** What a student reads in the output area, as text: streams, text/plain results, error lines. */
export function outputText(outputs: readonly OutputLike[]): string {
  return outputs
    .map((output) => {
      switch (output.output_type) {
        case 'stream':
          return joined(output.text);
        case 'execute_result':
        case 'display_data': {
          const plain = joined(output.data?.['text/plain']);
          if (plain) return plain.endsWith('\n') ? plain : `${plain}\n`;
          const kinds = Object.keys(output.data ?? {});
          return kinds.length ? `[${kinds.join(', ')}]\n` : '';
        }
        case 'error':
          return `${output.ename ?? 'Error'}: ${output.evalue ?? ''}\n`;
        default:
          return '';
      }
    })
    .join('');
}

export function truncate(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  return { text: text.slice(0, maxChars), truncated: true };
}

/**
 * `output` for an execution event, by the `captureOutput` setting. "full" sends the nbformat
 * outputs unless they are larger than the collector keeps anyway; then it falls back to text.
 */
export function captureOutput(outputs: readonly OutputLike[], settings: Pick<MonitorSettings, 'captureOutput' | 'outputMaxChars'>): { output?: unknown; truncated?: boolean } {
  if (settings.captureOutput === 'off' || outputs.length === 0) return {};
  if (settings.captureOutput === 'full') {
    const full = outputs.map((o) => (o.traceback ? { ...o, traceback: o.traceback.map(stripAnsi) } : o));
    if (JSON.stringify(full).length <= LIMITS.defaultOutputMaxChars) return { output: full };
    const cut = truncate(outputText(outputs), LIMITS.defaultOutputMaxChars);
    return { output: cut.text, truncated: true };
  }
  const cut = truncate(outputText(outputs), settings.outputMaxChars);
  return { output: cut.text, ...(cut.truncated ? { truncated: true } : {}) };
}

export interface ExecutionError {
  name: string;
  message: string;
  traceback?: readonly string[];
}

/** The kernel's error for a failed run: from the executed signal if it had one, else from an error output. */
export function findError(outputs: readonly OutputLike[], fromSignal?: ExecutionError | null): ExecutionError | undefined {
  if (fromSignal?.name) return fromSignal;
  const output = outputs.find((o) => o.output_type === 'error');
  if (!output) return undefined;
  return { name: output.ename ?? 'Error', message: output.evalue ?? '', traceback: output.traceback };
}

export interface CellFacts {
  notebookPath: string;
  cellId: string;
  cellIndex: number;
  code: string;
}

export interface ExecutionFacts extends CellFacts {
  executionCount: number | null;
  durationMs: number;
  success: boolean;
  outputs: readonly OutputLike[];
  error?: ExecutionError | null;
}

function cellFields(facts: CellFacts, settings: Pick<MonitorSettings, 'captureCode'>): EventFields {
  return {
    notebookPath: facts.notebookPath,
    cellId: facts.cellId,
    cellIndex: facts.cellIndex,
    cellType: 'code',
    ...(settings.captureCode ? { code: facts.code.slice(0, LIMITS.maxCodeChars) } : {}),
  };
}

export function executionStartEvent(ctx: EventContext, facts: CellFacts, settings: MonitorSettings): CellEvent {
  return makeEvent(ctx, EVENT_TYPES.cellExecutionStart, cellFields(facts, settings));
}

/** cell_execution_complete, or cell_execution_error when the kernel reported an error. */
export function executionEndEvent(ctx: EventContext, facts: ExecutionFacts, settings: MonitorSettings): CellEvent {
  const error = facts.success ? undefined : findError(facts.outputs, facts.error);
  const { output, truncated } = captureOutput(facts.outputs, settings);
  const fields: EventFields = {
    ...cellFields(facts, settings),
    durationMs: Math.max(0, Math.round(facts.durationMs * 1000) / 1000),
    success: facts.success,
    ...(facts.executionCount !== null && facts.executionCount >= 0 ? { executionCount: facts.executionCount } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(truncated ? { metadata: { outputTruncated: true } } : {}),
  };
  if (error) {
    fields.error = {
      name: error.name.slice(0, 255),
      message: error.message.slice(0, LIMITS.maxErrorMessageChars),
      ...(error.traceback?.length ? { traceback: stripAnsi(error.traceback.join('\n')).slice(0, LIMITS.maxTracebackChars) } : {}),
    };
  }
  return makeEvent(ctx, facts.success || !error ? EVENT_TYPES.cellExecutionComplete : EVENT_TYPES.cellExecutionError, fields);
}

/** The report of events the full queue could not keep; its eventId is the report's, so a resend is deduplicated. */
export function overflowEvent(ctx: EventContext, drops: { count: number; reportId: string; since: string }): CellEvent {
  return {
    ...makeEvent(ctx, EVENT_TYPES.clientQueueOverflow, { metadata: { droppedEvents: drops.count, droppedSince: drops.since } }),
    eventId: drops.reportId,
  };
}
