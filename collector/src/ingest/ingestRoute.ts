import crypto from 'node:crypto';
import type { Context } from 'koa';
import { normaliseEvent, storableText, type CellEvent, type IngestRejection, type IngestResponse } from '@cell-monitor/shared';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimits } from '../coordination/capabilities.ts';
import { BufferUnavailableError, type BufferWriter, type SerialisedEvent } from '../buffer/bufferWriter.ts';
import type { RouteTable } from '../http/routeTable.ts';
import { errors } from '../http/errors.ts';
import { companionOf } from '../auth/accessGuards.ts';
import type { Logger } from '../core/logger.ts';
import { readBatch } from './readBatch.ts';
import { createStudentByteBudget } from './studentBudget.ts';
import { companionEvent } from './companionEvent.ts';

export { USER_HEADER } from '../auth/companionAuth.ts';

export interface IngestOptions {
  buffer: BufferWriter;
  log: Logger;
  maxBytes: number;
  outputMaxChars: number;
  /** Events per student per minute, all collectors together; 0 = no limit. */
  ratePerMinute: number;
  /** INGEST_BYTES_PER_MINUTE: serialised event bytes per student per minute, all collectors together; 0 = no limit. */
  bytesPerMinute?: number;
  /**
   * Where the counts live (coordination/: in Redis, shared by every collector, with an in-memory
   * stand-in while Redis is away; embedded, in memory). Default: this process's memory.
   */
  limiter?: (name: string, limits: RateLimits) => RateLimiterAbstract;
  /** How a v1 client's body is read, when the route table's guard lets one through (v1/legacyClients.ts). */
  legacy?: LegacyIntake;
}

/** The v1 side of ingest, given by v1/legacyClients.ts: ingest knows nothing of v1 bodies. */
export interface LegacyIntake {
  /** The body's events (1-100 objects; 400/413 as for a companion's). */
  read(ctx: Context, maxBytes: number): Promise<Record<string, unknown>[]>;
  /** Events per self-reported user id of a batch: each is charged under `user:<id>`. */
  users(batch: Record<string, unknown>[]): Map<string, number>;
  /** The remote address's share (LEGACY_ADDRESS_RATE_LIMIT): 429 when spent. */
  limitAddress?(address: string, events: number): Promise<void>;
  normalise(raw: unknown, options: { outputMaxChars: number; deriveEventId(raw: Record<string, unknown>): string; now: number }): ReturnType<typeof normaliseEvent>;
}

/** This process's memory: the limiter of a collector given no coordination (tests, tools). */
export const memoryLimiter = (name: string, limits: RateLimits): RateLimiterAbstract => new RateLimiterMemory({ ...limits, keyPrefix: name });

/**
 * A student's share of ingest: `perMinute` events a minute, counted where `limiter` keeps counts —
 * with Redis, across every collector, so a student spreading her posts over three collectors does
 * not get three shares. Over it, 429 with Retry-After, which the extension honours by keeping the
 * events queued. Keyed by the stamped user, or by the address when there is none.
 */
function createIngestLimiter(perMinute: number, limiterOf: IngestOptions['limiter'] = memoryLimiter) {
  if (perMinute <= 0) return undefined;
  const limiter = limiterOf('ingest', { points: perMinute, duration: 60 });
  return async (key: string, events: number): Promise<void> => {
    try {
      await limiter.consume(key, events);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw errors.tooManyRequests('rate_limited', `more than ${perMinute} events a minute from this student; the rest stay queued and are sent later`, { limitPerMinute: perMinute }, { 'Retry-After': String(seconds) });
    }
  };
}

/** JSON.stringify replacer: storable strings, and storable keys (a replacer cannot rename a key, so the object is copied). */
function storableReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  return keys.some((k) => storableText(k) !== k) ? Object.fromEntries(keys.map((k) => [storableText(k), (value as Record<string, unknown>)[k]])) : value;
}

/**
 * The event as stored in the buffer. NUL and lone surrogates (JSON.stringify writes both as \u
 * escapes) become U+FFFD here, once — the eventId included, since it is the dedup key — so
 * PostgreSQL can take the event and every store and live client sees the same text.
 */
function serialise(event: CellEvent, selfReported: boolean): SerialisedEvent | undefined {
  try {
    const body = JSON.stringify(event);
    if (!/\\u(0000|d[89a-f])/i.test(body)) return { eventId: event.eventId, body, selfReported };
    const clean = JSON.stringify(event, storableReplacer);
    return { eventId: storableText(event.eventId), body: clean, selfReported };
  } catch {
    return undefined; // e.g. a stack overflow: the depth check should have caught it first
  }
}

/** Deterministic id for bodies that carry none (seed 003): the same body sent twice dedupes. */
export function deriveEventId(raw: Record<string, unknown>, userId?: string): string {
  const stable = stableJson(userId === undefined ? raw : { ...raw, userId });
  return `sha256-${crypto.createHash('sha256').update(stable).digest('hex').slice(0, 40)}`;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}


/** Declares `POST /api/v1/events` (access 'ingest': the route table's guard authenticates the companion). */
export function addIngestRoutes(table: RouteTable, options: IngestOptions): void {
  table.add({
    method: 'post',
    path: '/api/v1/events',
    access: 'ingest',
    tag: 'events',
    summary: 'Ingest 1-100 events (array or {events}; with LEGACY_V1_CLIENTS=1 also a v1 client body without companion headers); 202 once they are on disk',
    responses: { 202: 'stored (accepted, duplicates, rejected by index)', 400: 'malformed body', 401: 'wrong or missing student credential', 403: 'no INGEST_KEY and not from this machine; or a v1 client body while LEGACY_V1_CLIENTS=0 (legacy_clients_disabled)', 413: 'too large', 415: 'not JSON', 422: 'no valid event', 429: 'over the per-student rate (rate_limited) or byte budget (byte_budget_exceeded), with Retry-After', 503: 'buffer unavailable' },
    handler: createIngestHandler(options),
  });
}

/**
 * `POST /api/v1/events`: validate each event, keep the valid ones, and reply 202 only after they
 * are committed to the SQLite buffer. Nothing is acked that is not on disk.
 */
export function createIngestHandler(options: IngestOptions) {
  const { buffer, log } = options;
  const limit = createIngestLimiter(options.ratePerMinute, options.limiter);
  const bytes = createStudentByteBudget(options.bytesPerMinute ?? 0, options.maxBytes, options.limiter ?? memoryLimiter);
  return async (ctx: Context): Promise<void> => {
    // The route table's 'ingest' guard authenticated the companion; its stamp wins over the body.
    // Or, LEGACY_V1_CLIENTS=1, it let a v1 client's body through: the body names its own user.
    const companion = companionOf(ctx);
    const stampedUser = companion.user;
    const intake = companion.via === 'self_reported' ? options.legacy : undefined;
    if (companion.via === 'self_reported' && !intake) throw errors.forbidden('legacy_clients_disabled', 'v1 clients are not accepted by this collector');
    const legacy = intake !== undefined;
    const studentKey = stampedUser !== undefined ? `user:${stampedUser}` : `address:${ctx.ip}`;
    if (!legacy) await bytes?.refuseIfSpent(studentKey); // before this body is read and parsed
    const raws: unknown[] = intake ? await intake.read(ctx, options.maxBytes) : await readBatch(ctx, options.maxBytes);
    const charges = intake
      ? [...intake.users(raws as Record<string, unknown>[])].map(([user, n]) => [`user:${user}`, n] as const)
      : [[stampedUser !== undefined ? `user:${stampedUser}` : `address:${ctx.ip}`, raws.length] as const];
    if (intake) await intake.limitAddress?.(ctx.ip, raws.length);
    for (const [key, events] of charges) await limit?.(key, events);
    const valid: SerialisedEvent[] = [];
    const bytesOf = new Map<string, number>();
    const rejected: IngestRejection[] = [];
    const now = Date.now();
    raws.forEach((raw, index) => {
      const result = intake
        ? intake.normalise(raw, { outputMaxChars: options.outputMaxChars, deriveEventId: (r) => deriveEventId(r), now })
        : normaliseEvent(raw, {
          userId: stampedUser,
          outputMaxChars: options.outputMaxChars,
          deriveEventId: (r) => deriveEventId(r, stampedUser),
          now,
        });
      if (!result.ok) return void rejected.push({ index, error: result.error, message: result.message });
      // Server-only facts never come from a body: a companion's event loses the server's metadata keys.
      const checked = legacy ? result : companionEvent(result.event);
      if (!checked.ok) return void rejected.push({ index, error: checked.error, message: checked.message });
      // Serialised here, per request: whatever one body does, it cannot fail another's group commit.
      // The v1 mark goes into the buffer row beside the body, never inside it.
      const serialised = serialise(checked.event, legacy);
      if (serialised === undefined) return void rejected.push({ index, error: 'unserialisable_event', message: 'the event cannot be stored as JSON' });
      valid.push(serialised);
      const key = legacy ? `user:${checked.event.userId}` : studentKey;
      bytesOf.set(key, (bytesOf.get(key) ?? 0) + serialised.body.length);
    });
    // The body's bytes count even when nothing in it is valid: parsing it cost the same.
    if (!legacy) bytesOf.set(studentKey, Math.max(bytesOf.get(studentKey) ?? 0, Number(ctx.get('content-length')) || 0));
    for (const [key, n] of bytesOf) {
      try {
        await bytes?.charge(key, n);
      } catch (err) {
        if (valid.length > 0) throw err; // otherwise the 422 below says what is wrong; the budget is spent all the same
      }
    }
    if (valid.length === 0) {
      throw errors.unprocessable('invalid_events', 'no event in the batch is valid', { rejected });
    }
    let stored;
    try {
      stored = await buffer.append(valid);
    } catch (err) {
      if (err instanceof BufferUnavailableError) {
        throw errors.unavailable('buffer_unavailable', 'the collector cannot store events right now; retry later');
      }
      throw err;
    }
    if (rejected.length > 0) log.info({ rejected: rejected.length, accepted: stored.accepted }, 'partial batch');
    const response: IngestResponse = { accepted: stored.accepted, duplicates: stored.duplicates, rejected };
    ctx.status = 202;
    ctx.body = response;
  };
}
