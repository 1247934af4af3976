import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from 'prom-client';
import { REJECTION_CODES, type RejectionCode } from '../../domain/shared/errors.js';

/**
 * One registry per process, passed to whoever records (no module-level singleton).
 *
 * Names follow Prometheus' conventions: prom-client's default set keeps its standard names (`process_*`,
 * `nodejs_*`, unprefixed, so ready-made Node.js dashboards find them), liandong's own are under `liandong_`,
 * counters end in `_total` and liandong's gauges do not.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    ingested: new Counter({ name: 'liandong_ingested_events_total', help: 'Published events by outcome', labelNames: ['channel', 'status'] as const, registers: [registry] }),
    rejected: new Counter({
      name: 'liandong_rejected_events_total',
      help: 'Published events rejected (and kept for 补正), by rejection code (events.md §5)',
      labelNames: ['channel', 'code'] as const,
      registers: [registry],
    }),
    httpRequests: new Counter({ name: 'liandong_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'] as const, registers: [registry] }),
    httpDuration: new Histogram({
      name: 'liandong_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    graphqlOperations: new Counter({ name: 'liandong_graphql_operations_total', help: 'GraphQL operations by outcome', labelNames: ['outcome'] as const, registers: [registry] }),
    projectionLag: new Gauge({ name: 'liandong_projection_lag_events', help: 'Stored events not yet applied by the slowest projection', registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** Counts published events by outcome, and the rejected ones by code as well. */
export function countIngested(metrics: Metrics, channel: 'http' | 'kafka', results: readonly ({ status: string; code?: RejectionCode } | { status: string })[]): void {
  for (const r of results) {
    metrics.ingested.inc({ channel, status: r.status });
    if (r.status === 'rejected' && 'code' in r && r.code) metrics.rejected.inc({ channel, code: r.code });
  }
}

/** every code's series at zero, so a dashboard or an alert on a code sees it before the first rejection */
export function zeroRejections(metrics: Metrics, channel: 'http' | 'kafka'): void {
  for (const code of REJECTION_CODES) metrics.rejected.inc({ channel, code }, 0);
}

/**
 * Counts what each Kafka chunk came to under `liandong_ingested_events_total{channel="kafka"}` (and the rejected
 * ones under `liandong_rejected_events_total{channel="kafka",code}`); the series start at zero, so a dashboard sees
 * them before the first event. Pass the result as `onChunk`.
 */
export function countKafkaChunks(metrics: Metrics): (report: { results: readonly ({ status: 'accepted' | 'duplicate' | 'parked' | 'rejected' } | { status: 'rejected'; code: RejectionCode })[] }) => void {
  for (const status of ['accepted', 'duplicate', 'parked', 'rejected'] as const) metrics.ingested.inc({ channel: 'kafka', status }, 0);
  zeroRejections(metrics, 'kafka');
  return (report) => countIngested(metrics, 'kafka', report.results);
}
