/**
 * Seed 000's Offline API for admins: the buffer's state (rows, not yet delivered, the oldest one's
 * age, file size, dead letters), the queue of undelivered events (paged, without their bodies), sync
 * now, and the dead letters — the buffer's (embedded) and the dead-letter stream's (Redis) — with
 * their reasons, retried (the event goes through the pipeline again; its eventId keeps it from being
 * stored twice) or cleared with an explicit confirmation. Its own connection to the buffer file.
 */
import fs from 'node:fs';
import { OFFLINE_CLEAR_CONFIRMATION, type DeadLetterView, type OfflineStatus, type QueuedEventView } from '@cell-monitor/shared';
import * as yup from 'yup';
import type { BufferWriter } from '../buffer/bufferWriter.ts';
import { bufferPath, openBufferFile } from '../buffer/bufferFile.ts';
import type { Coordination } from '../coordination/capabilities.ts';
import type { Logger } from '../core/logger.ts';
import { errors } from '../http/errors.ts';
import { type RouteTable } from '../http/routeTable.ts';
import { pagination, readJson, validate } from '../http/request.ts';
import { authOf } from '../auth/accessGuards.ts';

const CLEAR_CONFIRMATION = OFFLINE_CLEAR_CONFIRMATION;

const retryBody = yup.object({
  ids: yup.array(yup.string().strict().required()).max(10_000).optional(),
  all: yup.boolean().strict().optional(),
}).test('which', 'give ids, or all: true', (v) => Boolean(v && (v.all === true || (v.ids && v.ids.length > 0))));
const clearBody = yup.object({ confirm: yup.string().strict().required(`confirm is required: "${CLEAR_CONFIRMATION}"`) });

/** userId and eventType of a stored body, for the lists (never the body itself: student data). */
function describe(body: string): { userId: string | null; eventType: string | null } {
  try {
    const event = JSON.parse(body) as { userId?: unknown; eventType?: unknown };
    return { userId: typeof event.userId === 'string' ? event.userId : null, eventType: typeof event.eventType === 'string' ? event.eventType : null };
  } catch {
    return { userId: null, eventType: null };
  }
}

export function addBufferAdminRoutes(table: RouteTable, parts: { dataDir: string; buffer: BufferWriter; log: Logger } & Pick<Coordination, 'mode' | 'streams'>): () => void {
  const { buffer, streams, log } = parts;
  let db: ReturnType<typeof openBufferFile> | undefined;
  const file = () => (db ??= openBufferFile(parts.dataDir));


  async function deadLetters(): Promise<DeadLetterView[]> {
    const rows = file().prepare('SELECT id, event_id, body, reason, created_at FROM dead_letters ORDER BY id').all() as Array<{ id: number; event_id: string; body: string; reason: string; created_at: number }>;
    const fromBuffer = rows.map((r) => ({ id: `buffer:${r.id}`, eventId: r.event_id, reason: r.reason, failedAt: new Date(r.created_at).toISOString(), ...describe(r.body) }));
    const fromStream = (await streams.deadLetters()).map(({ id, fields }) => ({ id: `stream:${id}`, eventId: fields.id ?? '', reason: fields.reason ?? '', failedAt: fields.at || new Date(Number(id.split('-')[0])).toISOString(), ...describe(fields.e ?? '') }));
    return [...fromBuffer, ...fromStream];
  }

  function status() {
    const d = file();
    const rows = (d.prepare('SELECT COUNT(*) AS n FROM buffer').get() as { n: number }).n;
    const pending = d.prepare('SELECT COUNT(*) AS n, MIN(received_at) AS oldest FROM buffer WHERE seq > (SELECT delivered_seq FROM cursor)').get() as { n: number; oldest: number | null };
    const size = ['', '-wal'].reduce((sum, suffix) => sum + (fs.statSync(bufferPath(parts.dataDir) + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
    return { rows, unforwarded: pending.n, oldestUnforwardedAgeSeconds: pending.oldest === null ? null : Math.max(0, Math.round((Date.now() - pending.oldest) / 1000)), fileBytes: size };
  }

  table.add({
    method: 'get', path: '/api/v1/offline/status', access: 'admin', tag: 'offline',
    summary: "The buffer: rows, events not yet delivered and the oldest one's age, file size, dead letters (buffer and stream)", responses: { 200: 'the status' },
    handler: async (ctx) => {
      const dead = await deadLetters();
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { mode: parts.mode, ...status(), deadLetters: dead.length } satisfies OfflineStatus;
    },
  });

  table.add({
    method: 'get', path: '/api/v1/offline/queue', access: 'admin', tag: 'offline',
    summary: 'Events not yet delivered, oldest first (skip, limit; without their bodies)', responses: { 200: 'a page' },
    handler: async (ctx) => {
      const { skip, limit } = await pagination(ctx);
      const rows = file().prepare('SELECT seq, event_id, body, received_at FROM buffer WHERE seq > (SELECT delivered_seq FROM cursor) ORDER BY seq LIMIT ? OFFSET ?').all(limit, skip) as Array<{ seq: number; event_id: string; body: string; received_at: number }>;
      ctx.set('X-Total-Count', String(status().unforwarded));
      ctx.body = rows.map((r) => ({ seq: r.seq, eventId: r.event_id, receivedAt: new Date(r.received_at).toISOString(), ...describe(r.body) })) satisfies QueuedEventView[];
    },
  });

  table.add({
    method: 'post', path: '/api/v1/offline/sync', access: 'admin', tag: 'offline',
    summary: 'Sync now: the pipeline looks at the buffer at once (it also does by itself; this skips a backoff wait)', responses: { 200: 'the status after' },
    handler: async (ctx) => {
      buffer.nudge();
      ctx.body = { ...status(), nudged: true };
    },
  });

  table.add({
    method: 'get', path: '/api/v1/offline/failed', access: 'admin', tag: 'offline',
    summary: 'Dead letters (events the pipeline could never store) with their reasons', responses: { 200: 'the dead letters' },
    handler: async (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await deadLetters();
    },
  });

  table.add({
    method: 'post', path: '/api/v1/offline/failed/retry', access: 'admin', tag: 'offline', body: retryBody,
    summary: 'Retry dead letters (ids, or all: true) once their cause is fixed: each goes through the pipeline again, and is stored at most once',
    responses: { 200: '{ retried, unknown }', 422: 'neither ids nor all' },
    handler: async (ctx) => {
      const input = await validate(retryBody, await readJson(ctx, 1024 * 1024));
      const wanted = input.all ? null : new Set(input.ids);
      const dead = (await deadLetters()).filter((d) => !wanted || wanted.has(d.id));
      const d = file();
      const take = d.prepare('SELECT event_id, body, self_reported FROM dead_letters WHERE id = ?');
      const requeue = d.transaction((id: number) => {
        const row = take.get(id) as { event_id: string; body: string; self_reported: number } | undefined;
        if (!row) return;
        // A new row past the cursor; the old delivered one (the dedup entry) gives way.
        d.prepare('DELETE FROM buffer WHERE event_id = ?').run(row.event_id);
        d.prepare('INSERT INTO buffer (event_id, body, received_at, self_reported) VALUES (?, ?, ?, ?)').run(row.event_id, row.body, Date.now(), row.self_reported);
        d.prepare('DELETE FROM dead_letters WHERE id = ?').run(id);
      });
      let retried = 0;
      for (const letter of dead) {
        const [kind, key] = [letter.id.slice(0, letter.id.indexOf(':')), letter.id.slice(letter.id.indexOf(':') + 1)];
        if (kind === 'buffer') {
          requeue(Number(key));
          retried += 1;
        } else if (kind === 'stream' && (await streams.retryDeadLetter(key))) {
          retried += 1;
        }
      }
      buffer.nudge();
      log.info({ event: 'dead_letters_retried', retried, by: authOf(ctx).instructor.id }, 'dead letters retried');
      ctx.body = { retried, unknown: wanted ? [...wanted].filter((id) => !dead.some((x) => x.id === id)) : [] };
    },
  });

  table.add({
    method: 'delete', path: '/api/v1/offline/failed', access: 'admin', tag: 'offline', body: clearBody,
    summary: `Delete every dead letter, for good: the body must say { "confirm": "${CLEAR_CONFIRMATION}" }`,
    responses: { 200: '{ cleared }', 422: 'no confirmation' },
    handler: async (ctx) => {
      const input = await validate(clearBody, await readJson(ctx));
      if (input.confirm !== CLEAR_CONFIRMATION) throw errors.unprocessable('confirmation_required', `these events are deleted for good: send { "confirm": "${CLEAR_CONFIRMATION}" }`);
      const fromBuffer = file().prepare('DELETE FROM dead_letters').run().changes;
      const fromStream = await streams.clearDeadLetters();
      log.warn({ event: 'dead_letters_cleared', cleared: fromBuffer + fromStream, by: authOf(ctx).instructor.id }, 'dead letters cleared');
      ctx.body = { cleared: fromBuffer + fromStream };
    },
  });

  return () => {
    db?.close();
    db = undefined;
  };
}
