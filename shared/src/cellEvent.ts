import * as yup from 'yup';
import { EVENT_TYPE_PATTERN } from './eventTypes.ts';
import { utf8Length } from './depth.ts';

export { LIMITS, SCHEMA_VERSION } from './limits.ts';
import { LIMITS, SCHEMA_VERSION } from './limits.ts';

export interface CellEventError {
  name: string;
  message: string;
  traceback?: string;
}

/** The canonical, versioned wire format of one event (camelCase, seed 001 `EventData` + seed 003 fields). */
export interface CellEvent {
  schemaVersion: number;
  eventId: string;
  eventType: string;
  eventTime: string;
  userId: string;
  sessionId?: string;
  notebookPath?: string;
  cellId?: string;
  cellIndex?: number;
  cellType?: string;
  code?: string;
  executionCount?: number;
  durationMs?: number;
  success?: boolean;
  error?: CellEventError;
  output?: unknown;
  metadata?: Record<string, unknown>;
}

const optionalString = (max: number) => yup.string().max(max).optional();

export const cellEventSchema = yup
  .object({
    schemaVersion: yup.number().integer().oneOf([SCHEMA_VERSION]).required(),
    eventId: yup.string().trim().min(1).max(LIMITS.maxIdLength).required(),
    eventType: yup
      .string()
      .matches(EVENT_TYPE_PATTERN, 'eventType must be a short identifier like cell_execution_complete')
      .required(),
    eventTime: yup.string().required(),
    userId: yup.string().trim().min(1).max(LIMITS.maxUserIdLength).required(),
    sessionId: optionalString(LIMITS.maxIdLength),
    notebookPath: optionalString(LIMITS.maxPathLength).test(
      'bytes',
      `notebookPath must be at most ${LIMITS.maxPathBytes} bytes in UTF-8`,
      (v) => v === undefined || utf8Length(v) <= LIMITS.maxPathBytes,
    ),
    cellId: optionalString(LIMITS.maxIdLength),
    cellIndex: yup.number().integer().min(0).max(LIMITS.maxCount).optional(),
    cellType: optionalString(32),
    code: optionalString(LIMITS.maxCodeChars),
    executionCount: yup.number().integer().min(0).max(LIMITS.maxCount).nullable().optional(),
    durationMs: yup.number().min(0).optional(),
    success: yup.boolean().strict().optional(),
    error: yup
      .object({
        name: yup.string().max(256).required(),
        message: yup.string().max(LIMITS.maxErrorMessageChars).defined(),
        traceback: optionalString(LIMITS.maxTracebackChars),
      })
      .default(undefined)
      .optional(),
    output: yup.mixed().optional(),
    metadata: yup.object().default(undefined).optional(),
  })
  .noUnknown(true, 'unknown field ${unknown}');
