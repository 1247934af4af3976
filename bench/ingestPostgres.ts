/**
 * ingest_postgres (issue 14): the same events appended into PostgreSQL by liandong and by Emmett's PostgreSQL
 * event store (`@event-driven-io/emmett-postgresql`), on the same database server, in the same run.
 *
 *  - liandong: the ingest pipeline (parse, validate, the domain's decision, append with the expected revision,
 *    hash chain) over liandong's PostgreSQL event store and rejection store — what `liandong ingest` does with
 *    DATABASE_URL, without Kafka. One pipeline call per publisher batch, as the HTTP route makes it.
 *  - Emmett: per batch, parse, then one appendToStream per case with the expected stream version (the same
 *    shape as the in-memory baseline of ingest_http).
 *  - a figure: liandong's event store alone (append per case with expected revisions, no rules), so the store
 *    can be compared with Emmett's like for like.
 * Each runs in a database of its own, created here and dropped at the end. liandong runs first, for at most
 * `limitSeconds`; the others append exactly the events it got through (same batches, same order).
 */
import { openPostgresParkingLot } from '../infra/parking/postgresParkingLot.js';
import pg from 'pg';
import { STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { systemClock } from '../infra/clock.js';
import { openPostgresEventStore } from '../infra/eventStore/postgresEventStore.js';
import { createIngestPipeline } from '../infra/ingest/pipeline.js';
import { createValidator } from '../infra/ingest/validator.js';
import { openPostgresRejectionStore } from '../infra/rejections/postgresRejectionStore.js';
import type { PlatformConfig } from '../infra/config/schema.js';
import type { ExpectedRevision } from '../ports/eventStore.js';
import { BATCH_SIZE, type BaselineRun } from './ingestHttp.js';
import type { Step } from './progress.js';
import { agencyDirectory, batches, type Batch, type Workload } from './workload.js';

/** the database server of the bench: BENCH_POSTGRES_URL, else the local one (trust authentication) */
export const postgresAdminUrl = (env: NodeJS.ProcessEnv = process.env): string => env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const databaseUrl = (admin: string, database: string): string => {
  const url = new URL(admin);
  url.pathname = `/${database}`;
  return url.toString();
};

/** null when reachable, else why not */
export async function probePostgres(admin: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    return `PostgreSQL 不可达 (not reachable) at ${new URL(admin).host}: ${(e as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface CloudEventItem {
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  data: Record<string, unknown>;
}

const byStream = (items: readonly CloudEventItem[]): Map<string, CloudEventItem[]> => {
  const streams = new Map<string, CloudEventItem[]>();
  for (const item of items) {
    const stream = `case-${item.subject}`;
    let list = streams.get(stream);
    if (!list) streams.set(stream, (list = []));
    list.push(item);
  }
  return streams;
};

export interface PostgresIngestRuns {
  liandong: BaselineRun & { accepted: number; rejected: number; rejections: string[] };
  emmett: BaselineRun;
  /** liandong's event store alone, the same events */
  store: BaselineRun;
}

export async function ingestPostgres(options: {
  admin: string;
  runId: string;
  workload: Pick<Workload, 'cases' | 'events'>;
  config: PlatformConfig;
  limitSeconds: number;
  steps: { liandong: Step; emmett: Step; store: Step };
}): Promise<PostgresIngestRuns> {
  const { admin, runId } = options;
  const names = { liandong: `liandong_bench_${runId}_ld`, emmett: `liandong_bench_${runId}_emmett` };
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    for (const name of Object.values(names)) await client.query(`CREATE DATABASE ${name}`);
    const taken: Batch[] = [];
    const liandong = await runLiandong(databaseUrl(admin, names.liandong), options, taken);
    const emmett = await runEmmett(databaseUrl(admin, names.emmett), taken, options.steps.emmett);
    // the bare store in its own schema of liandong's database: no rules, no pipeline, the same appends
    const store = await runStore(databaseUrl(admin, names.liandong), taken, options.steps.store);
    return { liandong, emmett, store };
  } finally {
    for (const name of Object.values(names)) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await client.end();
  }
}

async function runLiandong(url: string, options: { workload: Pick<Workload, 'cases' | 'events'>; config: PlatformConfig; limitSeconds: number; steps: { liandong: Step } }, taken: Batch[]): Promise<PostgresIngestRuns['liandong']> {
  const store = await openPostgresEventStore({ connectionString: url });
  const rejections = await openPostgresRejectionStore({ connectionString: url });
  // the parking lot as `liandong ingest` has it: every batch asks it whether a publisher's case has an event waiting
  const parking = await openPostgresParkingLot({ connectionString: url });
  const agencies = agencyDirectory(options.config);
  const pipeline = createIngestPipeline({
    store,
    rejections,
    validator: createValidator(),
    agencies,
    copyNoticeRecipients: options.config.copyNoticeRecipients,
    clock: systemClock,
    parking: { lot: parking, windowMs: options.config.ingest.parkingMinutes * 60_000 },
  });
  const step = options.steps.liandong;
  step.total(options.workload.events);
  const run = { events: 0, seconds: 0, perSecond: 0, partial: false, accepted: 0, rejected: 0, rejections: [] as string[] };
  const limit = BigInt(Math.round(options.limitSeconds * 1e9));
  let ns = 0n;
  try {
    for (const batch of batches(options.workload, BATCH_SIZE)) {
      if (ns > limit) {
        run.partial = true;
        break;
      }
      const sender = { agency: agencies.get(batch.agencyId)!, principal: null, channel: 'http' as const };
      const body = `[${batch.events.join(',')}]`;
      const t0 = process.hrtime.bigint();
      // what the HTTP route does with a body: parse it, keep each element's own text
      const items = (JSON.parse(body) as unknown[]).map((value, i) => ({ value, raw: batch.events[i]! }));
      const results = await pipeline.ingest(items, sender);
      ns += process.hrtime.bigint() - t0;
      for (const r of results) {
        if (r.status === 'accepted' || r.status === 'duplicate') run.accepted++;
        else {
          run.rejected++;
          if (run.rejections.length < 5) run.rejections.push(`${r.id}: ${JSON.stringify(r).slice(0, 200)}`);
        }
      }
      taken.push(batch);
      run.events += batch.events.length;
      step.update(run.events);
    }
  } finally {
    await pipeline.stop();
    await parking.close();
    await rejections.close();
    await store.close();
  }
  run.seconds = Number(ns) / 1e9;
  run.perSecond = run.events / run.seconds;
  step.done(`${Math.round(run.perSecond).toLocaleString()} events/s`);
  return run;
}

async function runEmmett(url: string, taken: readonly Batch[], step: Step): Promise<BaselineRun> {
  const store = getPostgreSQLEventStore(url);
  const versions = new Map<string, bigint>();
  step.total(taken.reduce((n, b) => n + b.events.length, 0));
  let events = 0;
  let ns = 0n;
  try {
    // its schema is made on first use: made here, before the clock runs
    await store.schema.migrate();
    for (const batch of taken) {
      const body = `[${batch.events.join(',')}]`;
      const t0 = process.hrtime.bigint();
      for (const [stream, list] of byStream(JSON.parse(body) as CloudEventItem[])) {
        const result = await store.appendToStream(
          stream,
          list.map((e) => ({ type: e.type, data: e.data, metadata: { source: e.source, eventId: e.id, time: e.time } })),
          { expectedStreamVersion: versions.get(stream) ?? STREAM_DOES_NOT_EXIST },
        );
        versions.set(stream, result.nextExpectedStreamVersion);
      }
      ns += process.hrtime.bigint() - t0;
      events += batch.events.length;
      step.update(events);
    }
  } finally {
    await store.close();
  }
  const seconds = Number(ns) / 1e9;
  step.done(`${Math.round(events / seconds).toLocaleString()} events/s`);
  return { events, seconds, perSecond: events / seconds, partial: false };
}

async function runStore(url: string, taken: readonly Batch[], step: Step): Promise<BaselineRun> {
  const store = await openPostgresEventStore({ connectionString: url, schema: 'bare_store' });
  const revisions = new Map<string, number>();
  step.total(taken.reduce((n, b) => n + b.events.length, 0));
  let events = 0;
  let ns = 0n;
  try {
    for (const batch of taken) {
      const body = `[${batch.events.join(',')}]`;
      const t0 = process.hrtime.bigint();
      const requests = [...byStream(JSON.parse(body) as CloudEventItem[])].map(([streamId, list]) => ({
        streamId,
        expectedRevision: (revisions.get(streamId) ?? 'no_stream') as ExpectedRevision,
        events: list.map((e) => ({ type: e.type, data: e.data, metadata: { source: e.source, eventId: e.id, principal: null, channel: 'http' as const, time: e.time, subject: e.subject } })),
      }));
      // one transaction per batch, as the pipeline appends a batch
      for (const result of await store.append(requests)) revisions.set(result.streamId, result.nextExpectedRevision);
      ns += process.hrtime.bigint() - t0;
      events += batch.events.length;
      step.update(events);
    }
  } finally {
    await store.close();
  }
  const seconds = Number(ns) / 1e9;
  step.done(`${Math.round(events / seconds).toLocaleString()} events/s`);
  return { events, seconds, perSecond: events / seconds, partial: false };
}
