/**
 * A student's data, for admins: `GET …/export` (everything about them, NDJSON streamed table by
 * table in pages: studentData.ts describes the records) and
 * `DELETE …/data` (erased everywhere; the body must repeat the user id). The erasure is logged with
 * who, whom and how many rows — never the data.
 */
import type { Knex } from 'knex';
import * as yup from 'yup';
import { authOf } from '../auth/accessGuards.ts';
import type { Channel } from '../broadcast/channel.ts';
import type { Logger } from '../core/logger.ts';
import { errors } from '../http/errors.ts';
import type { Ctx, RouteTable } from '../http/routeTable.ts';
import { readJson } from '../http/request.ts';
import { Readable } from 'node:stream';
import type { InfluxConfig } from '../core/config.ts';
import { createInfluxEraser } from '../sink/influxErasure.ts';
import type { Revocations } from '../auth/credentialRevocation.ts';
import { normaliseUserId, userIdProblem, USER_ID_PROBLEMS } from '@cell-monitor/shared';
import { openBufferRows, type BufferRows } from '../buffer/bufferRows.ts';
import type { StreamEntries } from '../forward/streamEntries.ts';
import { eraseStudent, exportStudentNdjson, hasStudentData, InfluxErasureError } from './studentData.ts';

export interface PrivacyParts {
  db: Knex;
  log: Logger;
  /** This collector's DATA_DIR (its buffer file). */
  dataDir: string;
  /** The streams (Coordination.streams). */
  streams: StreamEntries;
  /** Tells every collector to erase the student from its own buffer. */
  erasures: Channel<{ userId: string }>;
  /** The InfluxDB copy (INFLUXDB_*): an erasure deletes the student's points there too. */
  influx?: InfluxConfig;
  /** Per-student credential revocation (only with INGEST_KEY). */
  revocations?: Revocations;
}

const confirmBody = yup.object({ confirm: yup.string().required() });

export function addPrivacyRoutes(table: RouteTable, parts: PrivacyParts): void {
  const { db, log } = parts;
  const influx = parts.influx ? createInfluxEraser(parts.influx) : undefined;

  async function withBuffer<T>(work: (buffer: BufferRows | undefined) => Promise<T>): Promise<T> {
    const buffer = openBufferRows(parts.dataDir);
    try {
      return await work(buffer);
    } finally {
      buffer?.close();
    }
  }

  table.add({
    method: 'get', path: '/api/v1/students/by-user/:userId/export', access: 'admin', tag: 'privacy',
    summary: 'Everything stored about one student (by Jupyter user name): their row, every row that refers to them, their buffer and stream entries — NDJSON (one record per line, streamed), an attachment',
    responses: { 200: 'the export (application/x-ndjson; the last line is {"kind":"end"})', 404: 'nothing stored about this user' },
    handler: async (ctx) => {
      const userId = userParam(ctx);
      if (!(await withBuffer((buffer) => hasStudentData(db, userId, { buffer, streams: parts.streams })))) throw errors.notFound('student');
      const buffer = openBufferRows(parts.dataDir);
      const by = authOf(ctx).instructor.id;
      const body = Readable.from(exportStudentNdjson(db, userId, { buffer, streams: parts.streams }));
      body.on('close', () => buffer?.close());
      body.on('end', () => log.info({ event: 'student_exported', userId, by }, 'student data exported'));
      body.on('error', (err) => log.error({ err, userId }, 'student export failed midway'));
      ctx.set('Content-Disposition', `attachment; filename="student-${userId.replace(/[^A-Za-z0-9._-]/g, '_')}.ndjson"`);
      ctx.type = 'application/x-ndjson';
      ctx.body = body;
    },
  });

  table.add({
    method: 'delete', path: '/api/v1/students/by-user/:userId/data', access: 'admin', tag: 'privacy',
    summary: 'Erase one student everywhere: every table, the buffers, the streams, the InfluxDB copy (body { "confirm": "<user id>" }); answers rows deleted per table',
    body: confirmBody,
    responses: { 200: 'erased; counts per table (influxdb: 1 = the InfluxDB delete was accepted)', 404: 'nothing stored about this user', 422: 'confirm missing or not the user id', 502: 'erased everywhere but the InfluxDB copy (influxdb_erasure_failed); repeat it' },
    handler: async (ctx) => {
      const userId = userParam(ctx);
      const body = ctx.is('application/json') ? ((await readJson(ctx)) as { confirm?: unknown } | null) : undefined;
      if (body?.confirm !== userId) throw errors.unprocessable('confirmation_required', 'send { "confirm": "<the user id>" } to erase this student');
      let counts: Record<string, number>;
      try {
        counts = await withBuffer((buffer) => eraseStudent(db, userId, { buffer, streams: parts.streams, influx }));
      } catch (err) {
        if (!(err instanceof InfluxErasureError)) throw err;
        await parts.erasures.publish({ userId }).catch(() => undefined);
        log.error({ event: 'student_erased', userId, by: authOf(ctx).instructor.id, counts: err.counts, influxdb: err.cause.message }, 'student erased except from InfluxDB');
        throw errors.badGateway('influxdb_erasure_failed', 'erased from the store, the buffers and the streams, but the InfluxDB copy was not (InfluxDB did not accept the delete); repeat the erasure once InfluxDB answers', { erased: err.counts });
      }
      // `influxdb` (the delete sent to InfluxDB, which cannot say whether points existed) does not make a 200.
      if (Object.entries(counts).every(([key, n]) => n === 0 || key === 'influxdb')) throw errors.notFound('student');
      await parts.erasures.publish({ userId }).catch((err: Error) => log.warn({ err }, 'erasure not announced to the other collectors'));
      log.info({ event: 'student_erased', userId, by: authOf(ctx).instructor.id, counts }, 'student data erased');
      ctx.body = { userId, erased: counts };
    },
  });

  table.add({
    method: 'post', path: '/api/v1/students/by-user/:userId/credential/revoke', access: 'admin', tag: 'privacy',
    summary: "Revoke one student's credentials: every credential of hers issued before now gets 401 credential_revoked (on every collector within seconds); issue her a new one afterwards (issue-credential, or restart her server under JupyterHub)",
    responses: { 200: '{ userId, revokedBefore }', 409: 'no INGEST_KEY: there are no student credentials to revoke', 422: 'not a valid user name' },
    handler: async (ctx) => {
      const userId = normalisedUserParam(ctx);
      if (!parts.revocations) throw errors.conflict('credentials_not_configured', 'this collector has no INGEST_KEY, so there are no student credentials to revoke');
      const at = await parts.revocations.revoke(userId);
      log.info({ event: 'credential_revoked', userId, by: authOf(ctx).instructor.id }, "student's credentials revoked");
      ctx.body = { userId, revokedBefore: new Date(at).toISOString() };
    },
  });
}

/** The :userId of a revocation, in its one form (shared/src/userId.ts); 422 when refused. */
function normalisedUserParam(ctx: Ctx): string {
  const userId = normaliseUserId(String(ctx.params.userId ?? ''));
  const problem = userIdProblem(userId);
  if (problem) throw errors.unprocessable(problem, USER_ID_PROBLEMS[problem]);
  return userId;
}

function userParam(ctx: Ctx): string {
  const userId = String(ctx.params.userId ?? '');
  if (userId.trim() === '' || userId.length > 255) throw errors.notFound('student');
  return userId;
}
