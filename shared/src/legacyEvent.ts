/**
 * The original public cell-monitor extension (v1.x) posts `IStudentProgressData` straight from the
 * browser, one event per request, without a companion. This turns one such payload into the
 * canonical `CellEvent`, or says exactly why it cannot (the collector accepts these bodies only
 * with LEGACY_V1_CLIENTS=1).
 *
 * | v1 field                     | canonical                                                                               |
 * | ---------------------------- | --------------------------------------------------------------------------------------- |
 * | emailAddress                 | userId `v1:<email>`, trimmed and lower-cased (required; v1's `unknown` is refused)      |
 * | eventType cell_executed      | cell_execution_error when hasError is true, else cell_execution_complete                |
 * | notebook_opened/saved/closed | the same notebook event types                                                           |
 * | help / help_stop             | help_request (a heartbeat: `metadata.helpHeartbeat`) / help_cancel                      |
 * | eventTime                    | ISO 8601; without a zone it is the collector's local time                               |
 * | errorMessage                 | error `{ name, message }` ("NameError: …" gives the name)                               |
 * | result, executionDurationMs  | output, durationMs                                                                      |
 * | userName, teamName           | metadata.selfReported `{ name, team }` (≤ 100 chars; v1's unset `Anonymous` is no name) |
 * | anything else                | kept under metadata (not the server's keys); `null` means absent everywhere             |
 *
 * A self-reported identity lives in its own namespace: user id `v1:<email>`, never the user id of a
 * credentialed student, whatever email the body names. Every event also gets
 * `metadata.client = 'cell-monitor-v1'` (informative only). What the server relies on is never read
 * from an event body: the collector marks a v1 event outside its JSON (the buffer row's and stream
 * entry's `self_reported` field), the class its student joins is the persisting collector's
 * LEGACY_CLASS_CODE, and the metadata keys the server uses (`SERVER_METADATA_KEYS`) are stripped
 * from every event that does not come through here.
 */
import { LIMITS, SCHEMA_VERSION } from './limits.ts';
import { EVENT_TYPES } from './eventTypes.ts';
import { normaliseEvent, type NormaliseOptions, type NormaliseResult } from './normaliseEvent.ts';
import { SELF_REPORTED_PREFIX, selfReportedUserId } from './selfReported.ts';

export { isSelfReportedUser, SELF_REPORTED_PREFIX, selfReportedUserId } from './selfReported.ts';

export const LEGACY_CLIENT = 'cell-monitor-v1';

/**
 * Metadata keys the server acts on. Only the server writes them (shared/legacyEvent.ts for a v1
 * event); from any other body they are dropped at ingest, and a v1 body cannot set them either.
 */
export const SERVER_METADATA_KEYS: readonly string[] = ['client', 'selfReported', 'legacyClassCode', 'helpHeartbeat'];

/** The event without the server's metadata keys (the same object when it has none). */
export function withoutServerMetadata<T extends { metadata?: Record<string, unknown> }>(event: T): T {
  const metadata = event.metadata;
  if (!metadata || !SERVER_METADATA_KEYS.some((key) => Object.prototype.hasOwnProperty.call(metadata, key))) return event;
  const kept = Object.fromEntries(Object.entries(metadata).filter(([key]) => !SERVER_METADATA_KEYS.includes(key)));
  return { ...event, metadata: kept };
}

/** Longest self-reported name or team kept (students.name and class_teams.name hold 100). */
export const SELF_REPORTED_MAX_CHARS = 100;

/** What a v1 client says about its student, kept as `metadata.selfReported`. */
export interface SelfReported {
  name?: string;
  team?: string;
}

/** v1 event types → canonical ones (cell_executed is split by hasError). */
export const LEGACY_EVENT_TYPES: Readonly<Record<string, string>> = {
  cell_executed: EVENT_TYPES.cellExecutionComplete,
  notebook_opened: EVENT_TYPES.notebookOpened,
  notebook_saved: EVENT_TYPES.notebookSaved,
  notebook_closed: EVENT_TYPES.notebookClosed,
  help: EVENT_TYPES.helpRequest,
  help_stop: EVENT_TYPES.helpCancel,
};

const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  'eventId', 'eventType', 'eventTime', 'emailAddress', 'userName', 'teamName', 'sessionId', 'notebookPath', 'cellId',
  'cellIndex', 'cellType', 'code', 'executionCount', 'hasError', 'errorMessage', 'result', 'executionDurationMs',
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A v1 payload is recognised by its `emailAddress` field (no other accepted body shape has one). */
export function isLegacyPayload(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && Object.prototype.hasOwnProperty.call(value, 'emailAddress');
}

/** A request body from a v1 client: one payload, or a non-empty array of them only. */
export function legacyBatchOf(body: unknown): Record<string, unknown>[] | undefined {
  if (isLegacyPayload(body)) return [body];
  return Array.isArray(body) && body.length > 0 && body.every(isLegacyPayload) ? body : undefined;
}

const ZONELESS = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?$/;

/**
 * eventTime as ISO 8601 UTC. A date-time without a zone (`2026-11-30T10:15:00`, Python's
 * `datetime.now().isoformat()`) is read in the collector's local time zone, as the v1 clients and
 * the collector ran in the same classroom; with `Z` or an offset it is taken as written; a number
 * is epoch milliseconds. Undefined when unreadable (a 13th month included).
 */
export function legacyTime(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? toIso(new Date(value)) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const m = ZONELESS.exec(text);
  if (!m) return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text) ? toIso(new Date(text.replace(' ', 'T'))) : undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((part) => Number(part ?? 0));
  const ms = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  const date = new Date(y, mo - 1, d, h, mi, s, ms);
  // new Date(2026, 12, 1) is a January: refuse what rolled over instead of storing another day.
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return toIso(date);
}

function toIso(date: Date): string | undefined {
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** `NameError: name 'x' is not defined` → name + message; any other text is an `Error`'s message. */
export function legacyError(errorMessage: unknown): { name: string; message: string } {
  const text = typeof errorMessage === 'string' ? errorMessage : '';
  const m = /^([A-Za-z_][\w.]{0,100}(?:Error|Exception|Interrupt|Exit|Warning)):\s?([\s\S]*)$/.exec(text);
  return m ? { name: m[1], message: m[2] } : { name: 'Error', message: text };
}

/** What v1 sends when the student left its settings empty: not an identity, not a name. */
const UNSET_EMAIL = 'unknown';
const UNSET_NAME = 'anonymous';

function selfReportedText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = [...value.trim().replace(/\s+/g, ' ')].slice(0, SELF_REPORTED_MAX_CHARS).join('').trim();
  return text || undefined;
}

function rejected(fields: string[], message: string): NormaliseResult {
  return { ok: false, error: 'invalid_event', message, fields };
}

export type LegacyNormaliseOptions = Omit<NormaliseOptions, 'userId'>;

/** Turns one v1 payload into the canonical event (checked by `normaliseEvent`: limits, depth, time bounds). */
export function normaliseLegacyEvent(raw: unknown, options: LegacyNormaliseOptions = {}): NormaliseResult {
  if (!isPlainObject(raw)) return rejected([], 'event must be a JSON object');
  const email = typeof raw.emailAddress === 'string' ? raw.emailAddress.trim().toLowerCase() : '';
  if (!email) return rejected(['emailAddress'], 'emailAddress is required: it is the student\'s user id');
  if (email === UNSET_EMAIL) return rejected(['emailAddress'], 'emailAddress is "unknown": the student has not set an email address in the extension\'s settings');
  const maxEmail = LIMITS.maxUserIdLength - SELF_REPORTED_PREFIX.length;
  if (email.length > maxEmail) return rejected(['emailAddress'], `emailAddress must be at most ${maxEmail} characters`);
  const v1Type = typeof raw.eventType === 'string' ? raw.eventType : '';
  let eventType = LEGACY_EVENT_TYPES[v1Type];
  if (eventType === undefined) {
    return rejected(['eventType'], `eventType must be one of ${Object.keys(LEGACY_EVENT_TYPES).join(', ')}`);
  }
  const eventTime = legacyTime(raw.eventTime);
  if (eventTime === undefined) return rejected(['eventTime'], 'eventTime must be an ISO 8601 date-time (without a zone: the collector\'s local time) or epoch milliseconds');

  const present = (key: string) => (raw[key] === null ? undefined : raw[key]);
  const failed = v1Type === 'cell_executed' && raw.hasError === true;
  if (failed) eventType = EVENT_TYPES.cellExecutionError;
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) if (!KNOWN_FIELDS.has(key) && !SERVER_METADATA_KEYS.includes(key) && value !== null) extra[key] = value;
  const name = selfReportedText(raw.userName);
  const selfReported: SelfReported = { name: name?.toLowerCase() === UNSET_NAME ? undefined : name, team: selfReportedText(raw.teamName) };
  for (const key of ['name', 'team'] as const) if (selfReported[key] === undefined) delete selfReported[key];

  const event: Record<string, unknown> = {
    schemaVersion: SCHEMA_VERSION,
    eventId: present('eventId'),
    eventType,
    eventTime,
    userId: selfReportedUserId(email),
    sessionId: present('sessionId'),
    notebookPath: present('notebookPath'),
    cellId: present('cellId'),
    cellIndex: present('cellIndex'),
    cellType: present('cellType'),
    code: present('code'),
    executionCount: present('executionCount'),
    durationMs: present('executionDurationMs'),
    output: present('result'),
    metadata: {
      ...extra,
      client: LEGACY_CLIENT,
      ...(Object.keys(selfReported).length > 0 ? { selfReported } : {}),
      // Re-sent every 10 s while the toggle is on: the persister keeps one request per episode.
      ...(eventType === EVENT_TYPES.helpRequest ? { helpHeartbeat: true } : {}),
    },
  };
  if (v1Type === 'cell_executed') event.success = !failed;
  if (failed) event.error = legacyError(present('errorMessage'));
  for (const key of Object.keys(event)) if (event[key] === undefined) delete event[key];
  return normaliseEvent(event, options);
}
