/**
 * The collector's Prometheus metrics (prom-client), in a registry of its own: tests start several
 * collectors in one process, and each must count only its own requests. Counters move where things
 * happen (ingest); everything else is read at scrape time from the part that knows it.
 */
import type { Next } from 'koa';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BufferWriter } from '../buffer/bufferWriter.ts';
import type { StreamAdmin } from '../coordination/capabilities.ts';
import type { Ctx } from '../http/routeTable.ts';
import type { PersisterStats } from '../persist/createPersister.ts';

const P = 'cell_monitor_';
const INGEST_PATH = '/api/v1/events';

export interface MetricSources {
  buffer: BufferWriter;
  /** The mode's streams: their gauges (Redis mode: lag, pending, dead letters; embedded: none). */
  streams: StreamAdmin;
  pipelineStats?: () => PersisterStats;
  /** Open sockets per live path, every open socket, and distinct instructors among them. */
  liveClients: () => Record<string, number>;
  openSockets: () => number;
  instructorsConnected: () => number;
  dashboardWatchers: () => number;
}

export interface Metrics {
  registry: Registry;
  /** Koa middleware counting `POST /api/v1/events` by outcome and timing its 202. */
  observeIngest(ctx: Ctx, next: Next): Promise<void>;
}

/** A counter whose value is a total kept elsewhere (the pipeline thread reports its totals). */
function totalCounter(registry: Registry, name: string, help: string, total: () => number | undefined): void {
  new Counter({
    name: P + name,
    help,
    registers: [registry],
    collect() {
      const value = total();
      this.reset();
      if (value !== undefined) this.inc(value);
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: (g: Gauge) => void | Promise<void>, labelNames: string[] = []): void {
  new Gauge({
    name: P + name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      await read(this);
    },
  });
}

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry }); // process_* and nodejs_*, unprefixed as exporters expect

  const requests = new Counter({ name: `${P}ingest_requests_total`, help: 'POST /api/v1/events requests by outcome (accepted 2xx, rejected 4xx, failed 5xx) and status', labelNames: ['outcome', 'status'], registers: [registry] });
  const events = new Counter({ name: `${P}ingest_events_total`, help: 'Ingested events by outcome: accepted (new in the buffer), duplicate (event_id already buffered), rejected (invalid)', labelNames: ['outcome'], registers: [registry] });
  const ack = new Histogram({
    name: `${P}ingest_ack_seconds`,
    help: 'Time from the start of an ingest request to its 202, sent after the buffer commit',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  for (const outcome of ['accepted', 'duplicate', 'rejected']) events.inc({ outcome }, 0);

  const { buffer, streams } = sources;
  gauge(registry, 'buffer_rows', 'Rows in the SQLite buffer, delivered ones included (kept for the dedup window)', (g) => g.set(buffer.rowCount()));
  gauge(registry, 'buffer_unforwarded_rows', 'Buffer rows not yet delivered downstream (XADDed to the stream; embedded: persisted)', (g) => g.set(buffer.pendingCount()));
  gauge(registry, 'buffer_oldest_unforwarded_age_seconds', 'Age of the oldest buffer row not yet delivered downstream (0 when none)', (g) => {
    const at = buffer.oldestPendingAt();
    g.set(at === undefined ? 0 : Math.max(0, (Date.now() - at) / 1000));
  });
  gauge(registry, 'buffer_dead_letters', "Events in the buffer's dead_letters table (embedded mode's dead letters)", (g) => g.set(buffer.deadLetterCount()));
  for (const stream of streams.gauges) {
    gauge(registry, stream.name, stream.help, async (g) => {
      const n = await stream.read();
      if (n !== undefined) g.set(n);
    });
  }
  const stats = () => sources.pipelineStats?.();
  totalCounter(registry, 'persisted_events_total', 'Events the pipeline inserted into the main store', () => stats()?.persisted);
  totalCounter(registry, 'persist_duplicates_total', 'Events the pipeline found already stored (redelivered)', () => stats()?.duplicates);
  totalCounter(registry, 'persist_errors_total', 'Failed persist attempts (retried with backoff, or the source failing)', () => stats()?.failures);
  totalCounter(registry, 'dead_letters_total', 'Events the pipeline dead-lettered since this collector started', () => stats()?.deadLettered);
  gauge(registry, 'websocket_clients', 'Open WebSocket clients per live path', (g) => {
    for (const [path, n] of Object.entries(sources.liveClients())) g.set({ path }, n);
  }, ['path']);
  gauge(registry, 'websocket_sockets', 'Every open WebSocket, all paths', (g) => g.set(sources.openSockets()));
  gauge(registry, 'websocket_instructors', 'Distinct instructors with at least one open WebSocket (any path)', (g) => g.set(sources.instructorsConnected()));
  gauge(registry, 'dashboard_watchers', 'Open /dashboard/ws sockets watching the board', (g) => g.set(sources.dashboardWatchers()));

  return {
    registry,
    async observeIngest(ctx, next) {
      if (ctx.method !== 'POST' || ctx.path !== INGEST_PATH) return next();
      const stop = ack.startTimer();
      let status = 500;
      let rejected: unknown;
      try {
        await next();
        status = ctx.status;
      } catch (err) {
        status = Number((err as { status?: number }).status) || 500;
        rejected = ((err as { details?: { rejected?: unknown } }).details)?.rejected;
        throw err;
      } finally {
        const outcome = status < 400 ? 'accepted' : status < 500 ? 'rejected' : 'failed';
        requests.inc({ outcome, status: String(status) });
        const body = status === 202 ? (ctx.body as { accepted?: number; duplicates?: number; rejected?: unknown[] }) : undefined;
        if (body) {
          stop(); // the 202: the buffer transaction has committed
          events.inc({ outcome: 'accepted' }, body.accepted ?? 0);
          events.inc({ outcome: 'duplicate' }, body.duplicates ?? 0);
          rejected = body.rejected;
        }
        if (Array.isArray(rejected)) events.inc({ outcome: 'rejected' }, rejected.length);
      }
    },
  };
}
