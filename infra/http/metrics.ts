import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from 'prom-client';

/** One registry per process, passed to whoever records (no module-level singleton). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'liandong_' });
  return {
    registry,
    ingested: new Counter({ name: 'liandong_ingested_events_total', help: 'Published events by outcome', labelNames: ['channel', 'status'] as const, registers: [registry] }),
    httpDuration: new Histogram({
      name: 'liandong_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['route', 'status'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    graphqlOperations: new Counter({ name: 'liandong_graphql_operations_total', help: 'GraphQL operations by outcome', labelNames: ['outcome'] as const, registers: [registry] }),
    projectionLag: new Gauge({ name: 'liandong_projection_lag_events', help: 'Stored events not yet applied by the slowest projection', registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Counts what each Kafka chunk came to under `liandong_ingested_events_total{channel="kafka"}`; the three series
 * start at zero, so a dashboard sees them before the first event. Pass the result as `onChunk`.
 */
export function countKafkaChunks(metrics: Metrics): (report: { results: readonly { status: 'accepted' | 'duplicate' | 'rejected' }[] }) => void {
  for (const status of ['accepted', 'duplicate', 'rejected'] as const) metrics.ingested.inc({ channel: 'kafka', status }, 0);
  return (report) => {
    for (const r of report.results) metrics.ingested.inc({ channel: 'kafka', status: r.status });
  };
}
