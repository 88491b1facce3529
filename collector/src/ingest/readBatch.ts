import type { Context } from 'koa';
import parse from 'co-body';
import { LIMITS } from '@cell-monitor/shared';
import { errors } from '../http/errors.ts';

const ENCODINGS = new Set(['identity', 'gzip', 'deflate']);

/**
 * Reads the request body as a batch: a JSON array, or `{ "events": [...] }`; plain or
 * `Content-Encoding: gzip`/`deflate`. The size limit applies to the decompressed body.
 */
export async function readBatch(ctx: Context, maxBytes: number): Promise<unknown[]> {
  return batchOf(await readIngestBody(ctx, maxBytes));
}

/**
 * The request's JSON body, read once per request: the ingest guard may read it before the handler
 * (a request without companion headers may be a v1 client's, whose body names its user).
 */
export function readIngestBody(ctx: Context, maxBytes: number): Promise<unknown> {
  return (ctx.state.ingestBody ??= readJsonBody(ctx, maxBytes));
}

async function readJsonBody(ctx: Context, maxBytes: number): Promise<unknown> {
  // application/json only: a web page can post text/plain cross-site without asking (no preflight).
  if (!ctx.is('application/json')) throw errors.unsupportedMediaType('send the batch as Content-Type: application/json');
  const encoding = (ctx.get('content-encoding') || 'identity').trim().toLowerCase();
  if (!ENCODINGS.has(encoding)) throw errors.unsupportedMediaType('unsupported Content-Encoding; use gzip, deflate or none');
  let body: unknown;
  try {
    body = await parse.json(ctx.req, { limit: maxBytes, strict: true });
  } catch (err) {
    const e = err as { status?: number; type?: string; message?: string; code?: string };
    if (e.code?.startsWith('Z_')) throw errors.badRequest('malformed_encoding', 'request body is not valid for its Content-Encoding');
    if (e.status === 413) throw errors.payloadTooLarge(`request body is larger than ${maxBytes} bytes`, { limitBytes: maxBytes });
    if (e.status === 415) throw errors.unsupportedMediaType('unsupported Content-Encoding; use gzip, deflate or none');
    if (e.status === 400 && e.type === 'request.aborted') throw errors.badRequest('request_aborted', 'request body was cut short');
    throw errors.malformedJson(`request body is not valid JSON: ${e.message ?? 'parse error'}`);
  }
  return body;
}

/** The events of a batch body, or the reason it is not one. */
export function batchOf(body: unknown): unknown[] {
  const events = Array.isArray(body) ? body : (body as { events?: unknown })?.events;
  if (!Array.isArray(events)) {
    throw errors.unprocessable('invalid_batch', 'body must be a JSON array of events or { "events": [...] }');
  }
  if (events.length === 0) throw errors.unprocessable('empty_batch', 'a batch needs at least one event');
  if (events.length > LIMITS.maxBatchEvents) {
    throw errors.payloadTooLarge(`a batch holds at most ${LIMITS.maxBatchEvents} events (got ${events.length})`, {
      maxEvents: LIMITS.maxBatchEvents,
      received: events.length,
    });
  }
  return events;
}
