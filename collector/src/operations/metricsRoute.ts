import type { RouteTable } from '../http/routeTable.ts';
import type { Metrics } from './metrics.ts';

/**
 * Declares `GET /metrics` (Prometheus text). Access 'metrics': an admin's token, or METRICS_TOKEN as
 * a bearer token when it is set (auth/accessGuards.ts) — the admin chooses which the scraper uses.
 */
export function addMetricsRoute(table: RouteTable, metrics: Metrics): void {
  table.add({
    method: 'get',
    path: '/metrics',
    access: 'metrics',
    tag: 'operations',
    summary: "Prometheus metrics: ingest, buffer, stream, persist, WebSockets, process (an admin's token or METRICS_TOKEN)",
    responses: { 200: 'Prometheus text exposition format' },
    handler: async (ctx) => {
      const text = await metrics.registry.metrics();
      ctx.set('Content-Type', metrics.registry.contentType);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = text;
    },
  });
}
