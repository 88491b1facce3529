import { LIMITS, SCHEMA_VERSION } from './cellEvent.ts';
import { EVENT_TYPE_PATTERN } from './eventTypes.ts';
import { utf8Length } from './depth.ts';

/**
 * A fast, conservative pre-check of an already-normalised event against `cellEventSchema`.
 *
 * yup costs ~3 µs per field, far too much for the ingest hot path (50,000 events/s on two cores).
 * This guard only ever answers `true` for events the yup schema also accepts (a conformance test
 * checks that); on `false` the caller runs yup itself, which gives the exact, human message.
 */
export function passesFastCheck(event: Record<string, unknown>): boolean {
  for (const key in event) {
    const value = event[key];
    switch (key) {
      case 'schemaVersion':
        if (value !== SCHEMA_VERSION) return false;
        break;
      case 'eventId':
      case 'sessionId':
      case 'cellId':
        if (!shortString(value, LIMITS.maxIdLength)) return false;
        break;
      case 'eventType':
        if (typeof value !== 'string' || !EVENT_TYPE_PATTERN.test(value)) return false;
        break;
      case 'eventTime':
        if (typeof value !== 'string') return false;
        break;
      case 'userId':
        if (!shortString(value, LIMITS.maxUserIdLength)) return false;
        break;
      case 'notebookPath':
        if (typeof value !== 'string' || value.length > LIMITS.maxPathLength || utf8Length(value) > LIMITS.maxPathBytes) return false;
        break;
      case 'cellType':
        if (typeof value !== 'string' || value.length > 32) return false;
        break;
      case 'code':
        if (typeof value !== 'string' || value.length > LIMITS.maxCodeChars) return false;
        break;
      case 'cellIndex':
      case 'executionCount':
        if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > LIMITS.maxCount) return false;
        break;
      case 'durationMs':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return false;
        break;
      case 'success':
        if (typeof value !== 'boolean') return false;
        break;
      case 'output':
        break;
      case 'metadata':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
        break;
      case 'error':
        if (!errorShape(value)) return false;
        break;
      default:
        return false; // unknown keys: let yup word the rejection
    }
  }
  return shortString(event.eventId, LIMITS.maxIdLength) && typeof event.eventType === 'string' &&
    typeof event.eventTime === 'string' && shortString(event.userId, LIMITS.maxUserIdLength) &&
    event.schemaVersion === SCHEMA_VERSION;
}

function errorShape(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { name, message, traceback } = value as Record<string, unknown>;
  return typeof name === 'string' && name.length <= 256 &&
    typeof message === 'string' && message.length <= LIMITS.maxErrorMessageChars &&
    (traceback === undefined || (typeof traceback === 'string' && traceback.length <= LIMITS.maxTracebackChars));
}

/** Non-empty after trimming (yup's `trim().min(1)` in strict mode checks the untrimmed value). */
function shortString(value: unknown, max: number): boolean {
  return typeof value === 'string' && value.length <= max && value.length > 0 && value.trim() === value;
}
