/**
 * Clients of the original public extension (v1.x): they post `IStudentProgressData` from the
 * student's browser to `POST /api/v1/events`, one event per request, with no companion and so no
 * credential. Behind LEGACY_V1_CLIENTS=1 only (off by default):
 *
 * - the ingest guard (auth/accessGuards.ts) hands a request with no companion header here; a body
 *   that is a v1 payload (an object with `emailAddress`, or an array of them) is let through with
 *   the identity it reports — `via: 'self_reported'`, not authenticated — and then takes the same
 *   durable path as any batch (normalised by shared/legacyEvent.ts, on disk before the 202), with
 *   the buffer row marked self-reported by the collector (never by the body) and its user id in the
 *   `v1:` namespace, never merged with a credentialed student's;
 * - its rate is charged per self-reported student and per remote address (LEGACY_ADDRESS_RATE_LIMIT);
 * - every other event loses the metadata keys the server acts on and may not use a `v1:` user id;
 * - with the setting off, such a body is refused with 403 `legacy_clients_disabled`, naming it;
 * - any other body is the companion's business: it is authenticated exactly as before;
 * - CORS for the browser: a preflight from an origin in LEGACY_CORS_ORIGINS is answered, and that
 *   origin (never `*`, never with credentials) may read the answers of the ingest route.
 */
import type { Context, Next } from 'koa';
import { legacyBatchOf, LIMITS, normaliseLegacyEvent, selfReportedUserId } from '@cell-monitor/shared';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { HeaderlessIngest } from '../auth/accessGuards.ts';
import { classIdByCode } from '../classes/selfEnrolment.ts';
import type { Knex } from 'knex';
import { ConfigError, type LegacyConfig } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { errors } from '../http/errors.ts';
import { readIngestBody } from '../ingest/readBatch.ts';
import type { LegacyIntake } from '../ingest/ingestRoute.ts';

const INGEST_PATH = '/api/v1/events';
/** Users already logged as self-reported, per process (bounded: it is only for the log). */
const LOGGED_USERS_MAX = 10_000;
/** With the setting off, a header-less body is read up to this size to recognise a v1 post. */
const HEADERLESS_PEEK_BYTES = 64 * 1024;

export const legacyDisabled = () =>
  errors.forbidden('legacy_clients_disabled', 'this body comes from the original cell-monitor extension (v1.x, no companion credential); this collector does not accept those clients: set LEGACY_V1_CLIENTS=1 to accept them (their identity is self-reported)');

export function createHeaderlessIngest(options: { legacy: LegacyConfig; maxBytes: number; credentialRequired: boolean; log: Logger }): HeaderlessIngest {
  const { legacy, log } = options;
  const logged = new Set<string>();
  return async (ctx) => {
    let body: unknown;
    try {
      // Setting off and a credential required: only enough is read to recognise a v1 post (one
      // event), so an anonymous sender cannot make the collector parse megabytes to be told 401.
      body = await readIngestBody(ctx as Context, legacy.enabled || !options.credentialRequired ? options.maxBytes : HEADERLESS_PEEK_BYTES);
    } catch {
      return undefined; // unreadable: the companion check answers first (401/403), as without this path
    }
    const batch = legacyBatchOf(body);
    if (!batch) return undefined;
    if (!legacy.enabled) throw legacyDisabled();
    for (const raw of batch) {
      const user = userOf(raw);
      if (!user || logged.has(user)) continue;
      if (logged.size >= LOGGED_USERS_MAX) logged.clear();
      logged.add(user);
      log.info({ userId: user, identity: 'self_reported', client: 'cell-monitor-v1', origin: ctx.get('origin') || undefined }, 'v1 client: identity self-reported by the body (emailAddress), not authenticated');
    }
    return { via: 'self_reported' };
  };
}

/**
 * At start, with LEGACY_V1_CLIENTS=1: LEGACY_CLASS_CODE must name an existing class (a typo would
 * otherwise leave every v1 student outside the class, unseen). Unset is allowed: v1 students are then
 * stored but join no class, so no class view shows them (the start-up log says so).
 */
export async function checkLegacyClass(db: Knex, legacy: LegacyConfig, log: Logger): Promise<void> {
  if (!legacy.enabled) return;
  if (!legacy.classCode) {
    log.warn('LEGACY_V1_CLIENTS=1 without LEGACY_CLASS_CODE: v1 students are stored but join no class, so no class board shows them');
    return;
  }
  if ((await classIdByCode(db, legacy.classCode)) === undefined) {
    throw new ConfigError([`LEGACY_CLASS_CODE ${JSON.stringify(legacy.classCode)} names no class: create the class with that class code first (with LEGACY_V1_CLIENTS=0), or fix LEGACY_CLASS_CODE`]);
  }
}

/** The events of a body the guard recognised as a v1 client's (one object, or an array of 1-100). */
export function legacyBatch(body: unknown): Record<string, unknown>[] {
  const batch = legacyBatchOf(body);
  if (!batch) throw legacyDisabled(); // unreachable: the guard let only such bodies through
  if (batch.length > LIMITS.maxBatchEvents) {
    throw errors.payloadTooLarge(`a batch holds at most ${LIMITS.maxBatchEvents} events (got ${batch.length})`, { maxEvents: LIMITS.maxBatchEvents, received: batch.length });
  }
  return batch;
}

/**
 * Events per self-reported user of a v1 batch: each student's rate is charged under their derived
 * user id, in its own namespace (`v1:<email>`), so a body naming a credentialed student's id cannot
 * spend her share.
 */
export function selfReportedUsers(batch: Record<string, unknown>[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const raw of batch) {
    const user = userOf(raw);
    if (user) counts.set(selfReportedUserId(user), (counts.get(selfReportedUserId(user)) ?? 0) + 1);
  }
  return counts;
}

/**
 * The v1 share of one remote address (LEGACY_ADDRESS_RATE_LIMIT events a minute, every identity
 * its bodies report together; 0 = none): an anonymous sender cannot multiply the per-student rate
 * by inventing students. Counted per collector process, like the per-student rate.
 */
export function createAddressLimiter(perMinute: number | undefined) {
  if (!perMinute || perMinute <= 0) return undefined;
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60, keyPrefix: 'ingest-v1-address' });
  return async (address: string, events: number): Promise<void> => {
    try {
      await limiter.consume(address, events);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw errors.tooManyRequests('rate_limited', `more than ${perMinute} events a minute from this address (v1 clients; LEGACY_ADDRESS_RATE_LIMIT)`, { limitPerMinute: perMinute }, { 'Retry-After': String(seconds) });
    }
  };
}

/** The user id a v1 payload reports: its emailAddress, lower-cased (as shared/legacyEvent.ts derives it). */
function userOf(raw: Record<string, unknown>): string {
  return typeof raw.emailAddress === 'string' ? raw.emailAddress.trim().toLowerCase() : '';
}

/**
 * CORS of `POST /api/v1/events` for the v1 clients' browsers (LEGACY_V1_CLIENTS=1 only): the
 * preflight is answered for a listed origin (403 `cors_origin_not_allowed` for another), and a
 * listed origin gets `Access-Control-Allow-Origin` on every answer, errors included.
 */
export function legacyCors(legacy: LegacyConfig) {
  const allowed = new Set(legacy.corsOrigins);
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!legacy.enabled || ctx.path !== INGEST_PATH) return next();
    const origin = ctx.get('origin');
    ctx.vary('Origin');
    if (ctx.method === 'OPTIONS' && origin && ctx.get('access-control-request-method')) {
      if (!allowed.has(origin)) {
        throw errors.forbidden('cors_origin_not_allowed', `browsers on ${origin.slice(0, 200)} may not post events here: list that origin in LEGACY_CORS_ORIGINS`);
      }
      ctx.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Content-Type',
        'Access-Control-Max-Age': '600',
      });
      ctx.status = 204;
      return;
    }
    if (origin && allowed.has(origin)) ctx.set('Access-Control-Allow-Origin', origin);
    await next();
  };
}

/** What the ingest route asks of v1 (ingest/ingestRoute.ts `LegacyIntake`): ingest itself knows nothing of v1 bodies. */
export function createLegacyIntake(addressRatePerMinute: number | undefined): LegacyIntake {
  return {
    read: async (ctx, maxBytes) => legacyBatch(await readIngestBody(ctx, maxBytes)),
    users: selfReportedUsers,
    limitAddress: createAddressLimiter(addressRatePerMinute),
    normalise: (raw, options) => normaliseLegacyEvent(raw, options),
  };
}
