import { InfluxDB, Point, type WriteApi } from '@influxdata/influxdb-client';
import { createBackoff, isExecutionEvent, notebookName, type CellEvent } from '@cell-monitor/shared';
import type { InfluxConfig } from '../core/config.ts';
import { logError, type Logger } from '../core/logger.ts';
import { sleep } from '../core/sleep.ts';
import { createLoop } from '../core/loop.ts';

/** The seed's (000) measurement. */
export const MEASUREMENT = 'student_progress';

export interface InfluxSinkStats {
  /** 'failing' from the first failed write until the next one that succeeds. */
  status: 'ok' | 'failing';
  failingSince: string | null;
  /** Points waiting (including the batch being written). */
  queued: number;
  written: number;
  /** Points given up: the queue was full (the oldest go first), or the server refused them (400/422). */
  dropped: number;
  /** A short reason (`http_503`, `econnrefused`, `timeout`…), never the server's text. */
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface InfluxSinkOptions {
  influx: InfluxConfig;
  log: Logger;
  /** Points held while InfluxDB is away; past it the oldest are dropped and counted. */
  maxQueued?: number;
  /** Points per write request. */
  batchSize?: number;
  /** How long a point may wait for others to fill its batch. */
  flushIntervalMs?: number;
  /** Called whenever the stats changed after a write attempt (the pipeline thread reports them). */
  onChange?: (stats: InfluxSinkStats) => void;
}

/**
 * A persisted execution event → one `student_progress` point: tags userId, event, notebook,
 * cellType, sessionId; fields cellId, notebookPath, executionCount, success, duration (ms); at the
 * event time. Undefined for events that are not executions.
 */
export function toPoint(event: CellEvent): Point | undefined {
  if (!isExecutionEvent(event.eventType)) return undefined;
  const point = new Point(MEASUREMENT).tag('userId', event.userId).tag('event', event.eventType);
  if (event.notebookPath) point.tag('notebook', notebookName(event.notebookPath)); // low-cardinality tag; the full path is a field
  if (event.cellType) point.tag('cellType', event.cellType);
  if (event.sessionId) point.tag('sessionId', event.sessionId);
  if (event.cellId) point.stringField('cellId', event.cellId);
  if (event.notebookPath) point.stringField('notebookPath', event.notebookPath);
  if (event.executionCount !== undefined) point.intField('executionCount', event.executionCount);
  if (event.success !== undefined) point.booleanField('success', event.success);
  if (event.durationMs !== undefined) point.floatField('duration', event.durationMs);
  const time = new Date(event.eventTime);
  if (!Number.isNaN(time.getTime())) point.timestamp(time);
  return point; // toLineProtocol() gives undefined when it has no field at all
}

/**
 * The InfluxDB sink: `add()` (called after the main store committed) only converts and queues, so
 * persisting never waits for InfluxDB; a background loop writes the queue in batches through the
 * client's WriteApi (its own retries off: a failed batch stays at the head of our queue and is
 * retried with exponential backoff and full jitter). The queue is in memory and bounded: while
 * InfluxDB is away the oldest points are dropped past `maxQueued` (counted), and a restart of the
 * pipeline thread loses what was queued — InfluxDB is a secondary view, the main store the record.
 */
export function createInfluxSink(options: InfluxSinkOptions) {
  const { influx, log } = options;
  const maxQueued = options.maxQueued ?? 100_000;
  const batchSize = options.batchSize ?? 5000;
  const flushIntervalMs = options.flushIntervalMs ?? 200;
  const backoff = createBackoff({ baseMs: 500, maxMs: 15_000 });
  const writeApi: WriteApi = new InfluxDB({ url: influx.url, token: influx.token, timeout: 10_000 }).getWriteApi(influx.org, influx.bucket, 'ms', {
    batchSize: batchSize + 1, // we flush ourselves
    flushInterval: 0,
    maxRetries: 0,
    // A failed write rejects our flush() instead of going to the client's retry buffer.
    writeFailed: (error) => Promise.reject(error),
  });
  const stats: InfluxSinkStats = { status: 'ok', failingSince: null, queued: 0, written: 0, dropped: 0, lastError: null, lastErrorAt: null };
  let queue: string[] = [];
  let inFlight = 0;
  let wake: (() => void) | undefined;

  function add(events: readonly CellEvent[]): void {
    for (const event of events) {
      const line = toPoint(event)?.toLineProtocol(writeApi);
      if (line) queue.push(line);
    }
    const over = queue.length + inFlight - maxQueued;
    if (over > 0) {
      queue = queue.slice(Math.min(over, queue.length)); // the oldest go first
      stats.dropped += over;
    }
    stats.queued = queue.length + inFlight;
    if (queue.length > 0) wake?.();
  }

  async function writeBatch(): Promise<void> {
    const lines = queue.splice(0, batchSize);
    inFlight = lines.length;
    try {
      writeApi.writeRecords(lines);
      await writeApi.flush();
      stats.written += lines.length;
      if (stats.status === 'failing') log.info({ failures: backoff.failures, queued: queue.length }, 'influxdb writes resumed');
      stats.status = 'ok';
      stats.failingSince = null;
      backoff.reset();
    } catch (err) {
      const statusCode = (err as { statusCode?: number }).statusCode;
      if (statusCode === 400 || statusCode === 422) {
        // The server refused these points themselves (bad line, field type conflict): retrying cannot help.
        stats.dropped += lines.length;
        stats.lastError = reasonOf(err);
        stats.lastErrorAt = new Date().toISOString();
        log.error({ reason: stats.lastError, points: lines.length, err: logError(err) }, 'influxdb refused a batch; dropped');
        return;
      }
      const room = Math.max(0, maxQueued - queue.length);
      const back = lines.slice(lines.length - Math.min(room, lines.length)); // back at the head, within the bound
      stats.dropped += lines.length - back.length;
      queue = back.concat(queue);
      stats.lastError = reasonOf(err);
      stats.lastErrorAt = new Date().toISOString();
      if (stats.status === 'ok') {
        stats.status = 'failing';
        stats.failingSince = stats.lastErrorAt;
        log.warn({ reason: stats.lastError, err: logError(err), queued: queue.length }, 'influxdb write failed; will retry');
      }
    } finally {
      inFlight = 0;
      stats.queued = queue.length;
      options.onChange?.({ ...stats });
    }
    if (stats.status === 'failing') await sleep(backoff.next(), loop.signal);
  }

  const loop = createLoop(async () => {
    if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    if (!loop.running) return;
    if (queue.length < batchSize) await sleep(flushIntervalMs, loop.signal);
    await writeBatch();
  }, { onStop: () => wake?.() });

  return {
    add,
    get stats(): InfluxSinkStats {
      return { ...stats };
    },
    start: loop.start,
    /** One last write attempt for what is queued (if InfluxDB answers), then stops. */
    async close() {
      await loop.stop();
      if (queue.length > 0 && stats.status === 'ok') await writeBatch().catch(() => undefined);
      await writeApi.close().catch(() => undefined);
    },
  };
}

export type InfluxSink = ReturnType<typeof createInfluxSink>;

function reasonOf(err: unknown): string {
  const e = err as { statusCode?: number; code?: string; name?: string; message?: string };
  if (typeof e.statusCode === 'number') return `http_${e.statusCode}`;
  if (e.name === 'RequestTimedOutError' || /timed? ?out/i.test(String(e.message))) return 'timeout';
  if (typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code)) return e.code.toLowerCase();
  return 'write_failed';
}
