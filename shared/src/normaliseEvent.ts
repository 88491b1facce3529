import { ValidationError } from 'yup';
import { cellEventSchema, LIMITS, SCHEMA_VERSION, type CellEvent } from './cellEvent.ts';
import { EVENT_TYPE_ALIASES } from './eventTypes.ts';
import { passesFastCheck } from './fastCheck.ts';
import { exceedsDepth } from './depth.ts';

export type NormaliseResult =
  | { ok: true; event: CellEvent }
  | { ok: false; error: 'invalid_event' | 'too_deep' | 'too_many_keys'; message: string; fields: string[] };

export interface NormaliseOptions {
  /** Used when the body has no event id (seed 003 bodies): must be deterministic so resends dedupe. */
  deriveEventId?: (raw: Record<string, unknown>) => string;
  /** Serialised output longer than this is replaced by a truncated preview. */
  outputMaxChars?: number;
  /** Identity stamped by the companion route; wins over anything in the body (decision 5). */
  userId?: string;
  /** The collector's clock, ms (eventTime may be at most LIMITS.maxFutureMs ahead of it). */
  now?: number;
}

/** Field names accepted at the edge (seed 001 `EventData`, seed 003 snake_case) → canonical name. */
const FIELD_ALIASES: Readonly<Record<string, keyof CellEvent>> = {
  schema_version: 'schemaVersion',
  event_id: 'eventId',
  event_type: 'eventType',
  event_time: 'eventTime',
  timestamp: 'eventTime',
  user_id: 'userId',
  student_id: 'userId',
  studentId: 'userId',
  session_id: 'sessionId',
  notebook_path: 'notebookPath',
  cell_id: 'cellId',
  cell_index: 'cellIndex',
  cell_type: 'cellType',
  execution_count: 'executionCount',
  duration_ms: 'durationMs',
  executionDurationMs: 'durationMs',
  execution_duration_ms: 'durationMs',
  result: 'output',
};

const CANONICAL_FIELDS: ReadonlySet<string> = new Set(Object.keys(cellEventSchema.fields));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toIsoTime(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function normaliseError(value: unknown, errorMessage: unknown): CellEvent['error'] | unknown {
  if (value === undefined || value === null) {
    return typeof errorMessage === 'string' ? { name: 'Error', message: errorMessage } : undefined;
  }
  if (typeof value === 'string') return { name: 'Error', message: value };
  if (!isPlainObject(value)) return value; // let the schema reject it with a clear message
  const traceback = Array.isArray(value.traceback) ? value.traceback.join('\n') : value.traceback;
  const name = value.name ?? value.ename ?? 'Error';
  const message = value.message ?? value.evalue ?? '';
  return traceback === undefined ? { name, message } : { name, message, traceback };
}

/**
 * Whether the event's metadata (its `metadata` value at every level, and the unknown top-level
 * fields that join it) holds more than `max` keys and array items. Stops counting at `max`.
 */
function metadataKeysOver(raw: Record<string, unknown>, max: number): boolean {
  let count = 0;
  for (const key in raw) {
    if (!Object.prototype.hasOwnProperty.call(raw, key)) continue;
    if (!CANONICAL_FIELDS.has(FIELD_ALIASES[key] ?? key) && (count += 1) > max) return true;
  }
  const stack: unknown[] = [raw.metadata];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      if ((count += node.length) > max) return true;
      for (const item of node) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    for (const key in node) {
      if (!Object.prototype.hasOwnProperty.call(node, key)) continue;
      if ((count += 1) > max) return true;
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push(child);
    }
  }
  return false;
}

/** Caps output by serialised size so one chatty cell cannot bloat every downstream store. */
export function capOutput(output: unknown, maxChars: number): unknown {
  if (output === undefined || output === null) return output ?? undefined;
  const serialised = typeof output === 'string' ? output : JSON.stringify(output);
  if (serialised === undefined || serialised.length <= maxChars) return output;
  return { truncated: true, originalChars: serialised.length, preview: serialised.slice(0, maxChars) };
}

/**
 * Turns one accepted body shape into the canonical `CellEvent`, or says exactly why it cannot.
 * Unknown top-level fields are kept under `metadata` rather than dropped.
 */
export function normaliseEvent(raw: unknown, options: NormaliseOptions = {}): NormaliseResult {
  if (!isPlainObject(raw)) {
    return { ok: false, error: 'invalid_event', message: 'event must be a JSON object', fields: [] };
  }
  // First, before any walk over them (the depth check, the metadata merge, yup, JSON.stringify).
  if (metadataKeysOver(raw, LIMITS.maxMetadataKeys)) {
    return { ok: false, error: 'too_many_keys', message: `event metadata holds more than ${LIMITS.maxMetadataKeys} keys and items`, fields: ['metadata'] };
  }
  // Before any recursive walk (id derivation, traceback joins, yup, JSON.stringify).
  if (exceedsDepth(raw, LIMITS.maxDepth)) {
    return { ok: false, error: 'too_deep', message: `event nests objects/arrays more than ${LIMITS.maxDepth} levels deep`, fields: [] };
  }
  const event: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'hasError' || key === 'has_error' || key === 'errorMessage' || key === 'error_message') continue;
    const canonical = FIELD_ALIASES[key] ?? key;
    if (CANONICAL_FIELDS.has(canonical)) {
      if (event[canonical] === undefined) event[canonical] = value;
    } else {
      extra[key] = value;
    }
  }
  event.schemaVersion ??= SCHEMA_VERSION;
  if (typeof event.eventType === 'string') event.eventType = EVENT_TYPE_ALIASES[event.eventType] ?? event.eventType;
  const time = toIsoTime(event.eventTime);
  if (time !== undefined) event.eventTime = time;
  const hasError = raw.hasError ?? raw.has_error;
  if (event.success === undefined && typeof hasError === 'boolean') event.success = !hasError;
  event.error = normaliseError(event.error, raw.errorMessage ?? raw.error_message);
  if (event.error === undefined) delete event.error;
  if (options.userId !== undefined) event.userId = options.userId;
  if (event.eventId === undefined && options.deriveEventId) event.eventId = options.deriveEventId(raw);
  if (event.output !== undefined) {
    event.output = capOutput(event.output, options.outputMaxChars ?? LIMITS.defaultOutputMaxChars);
  }
  if (Object.keys(extra).length > 0) {
    event.metadata = isPlainObject(event.metadata) ? { ...extra, ...event.metadata } : event.metadata ?? extra;
  }
  for (const key of Object.keys(event)) if (event[key] === undefined || event[key] === null) delete event[key];

  const timeProblem = checkTime(time, options.now ?? Date.now());
  if (passesFastCheck(event)) {
    return timeProblem ?? { ok: true, event: event as unknown as CellEvent };
  }
  try {
    const valid = cellEventSchema.validateSync(event, { abortEarly: false, strict: true });
    return timeProblem ?? { ok: true, event: valid as CellEvent };
  } catch (err) {
    if (err instanceof ValidationError) {
      // yup quotes the offending value; a 300 KB string must not come back in the answer.
      return invalid(err.inner.map((e) => e.path ?? ''), err.errors.map((m) => (m.length > 200 ? `${m.slice(0, 200)}…` : m)).join('; '));
    }
    throw err;
  }
}

const EARLIEST = Date.parse(LIMITS.earliestEventTime);

/** eventTime must be readable, not before 2000 and at most a day ahead (year 9999 would pin "last seen" forever). */
function checkTime(time: string | undefined, now: number): NormaliseResult | undefined {
  if (time === undefined) return invalid(['eventTime'], 'eventTime must be an ISO 8601 date-time or epoch milliseconds');
  const at = Date.parse(time);
  if (at < EARLIEST || at > now + LIMITS.maxFutureMs) {
    return invalid(['eventTime'], `eventTime must be between ${LIMITS.earliestEventTime.slice(0, 10)} and one day after the collector's clock`);
  }
  return undefined;
}

function invalid(fields: string[], message: string): NormaliseResult {
  return { ok: false, error: 'invalid_event', message, fields: [...new Set(fields)].filter(Boolean) };
}
