/**
 * Shared pieces of the Kafka ingest integration tests (kafka*.int.spec.ts): a quiet kafkajs client,
 * per-run topic prefixes and group ids, a case script whose order the deciders enforce, an in-process
 * ingest, views of the stores a child process writes (SQLite, PostgreSQL), and `liandong` as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kafka, Partitioners, logLevel, type Admin, type Message, type Producer } from 'kafkajs';
import pg from 'pg';
import type { Agency } from '../../domain/shared/agencies.js';
import { systemClock } from '../../infra/clock.js';
import type { EventStore } from '../../ports/eventStore.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../infra/eventStore/sqliteEventStore.js';
import { createIngestPipeline, type IngestPipeline } from '../../infra/ingest/pipeline.js';
import { createValidator } from '../../infra/ingest/validator.js';
import { createKafkaIngest, type ChunkReport, type KafkaIngest } from '../../infra/kafka/ingestConsumer.js';
import { silentLog, type Log } from '../../infra/kafka/kafkaClient.js';
import { DEFAULT_CHUNK_SIZE } from '../../infra/kafka/settings.js';
import { agencyTopic } from '../../infra/kafka/topics.js';
import type { RejectionStore } from '../../ports/rejectionStore.js';
import { openSqliteRejectionStore } from '../../infra/rejections/sqliteRejectionStore.js';
import { TEST_CITY } from '../e2e/fixtures.js';
import { databaseUrl, kafkaBrokers } from './engines.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const runId = (): string => randomUUID().slice(0, 8);

export const AGENCIES: ReadonlyMap<string, Agency> = new Map(TEST_CITY.agencies.map((a) => [a.id, a as Agency]));

/** the four agencies that publish in the volume, crash and rebalance tests, each with a handoff target */
export const PUBLISHERS = [
  { id: 'xj-court', to: 'xj-justice' },
  { id: 'xj-proc', to: 'xj-police' },
  { id: 'xj-police', to: 'xj-proc' },
  { id: 'xj-justice', to: 'xj-gov' },
] as const;

export const testKafka = (clientId = 'liandong-int'): Kafka =>
  new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 200 } });

export async function connectedProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

/** removes every topic of this run and the consumer groups (best effort) */
export async function cleanUpKafka(admin: Admin, prefix: string, groups: string[]): Promise<void> {
  await admin.deleteGroups(groups).catch(() => undefined);
  const topics = (await admin.listTopics().catch(() => [] as string[])).filter((t) => t.startsWith(prefix));
  if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
}

export const cloudEvent = (source: string, id: string, type: string, subject: string, time: string, data: Record<string, unknown>) => ({
  specversion: '1.0',
  id,
  source,
  type,
  subject,
  time,
  data,
});

const minute = (n: number): string => {
  const t = new Date(Date.UTC(2024, 8, 10, 1, 0, 0) + n * 60_000);
  return t.toISOString().replace('Z', '+00:00');
};

/**
 * Five events about one case, all from the registering agency, whose order the case decider enforces:
 * a withdrawal before its request, a request after closing, or anything before the registration would be
 * rejected — so a stored stream in script order is proof of per-case order.
 */
export function caseScript(agency: string, to: string, n: number): ReturnType<typeof cloudEvent>[] {
  const subject = `${agency.toUpperCase()}-${n}`;
  const id = (step: string) => `${subject}-${step}`;
  return [
    cloudEvent(agency, id('reg'), 'case.registered', subject, minute(0), {
      kind: 'civil_dispute',
      title: `买卖合同纠纷 ${n}`,
      parties: [{ name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' }],
    }),
    cloudEvent(agency, id('h1'), 'handoff.requested', subject, minute(1), { handoffId: 'H1', to, purpose: 'information_notice' }),
    cloudEvent(agency, id('h1w'), 'handoff.withdrawn', subject, minute(2), { handoffId: 'H1', reason: '材料有误，撤回重发' }),
    cloudEvent(agency, id('h2'), 'handoff.requested', subject, minute(3), { handoffId: 'H2', to, purpose: 'information_notice', previousHandoffId: 'H1' }),
    cloudEvent(agency, id('close'), 'case.closed', subject, minute(4), { outcome: 'other', note: '测试结案' }),
  ];
}

export interface Workload {
  /** per agency topic, the messages in publishing order (cases interleaved step by step) */
  perAgency: Map<string, ReturnType<typeof cloudEvent>[]>;
  /** per case stream, the CloudEvent ids in order */
  streams: Map<string, string[]>;
  total: number;
}

export function workload(casesPerAgency: number): Workload {
  const perAgency = new Map<string, ReturnType<typeof cloudEvent>[]>();
  const streams = new Map<string, string[]>();
  for (const { id, to } of PUBLISHERS) {
    const scripts = Array.from({ length: casesPerAgency }, (_, n) => caseScript(id, to, n));
    const events: ReturnType<typeof cloudEvent>[] = [];
    for (let step = 0; step < 5; step++) for (const s of scripts) events.push(s[step]!);
    perAgency.set(id, events);
    for (const s of scripts) streams.set(`case-${s[0]!.subject}`, s.map((e) => e.id));
  }
  return { perAgency, streams, total: casesPerAgency * 5 * PUBLISHERS.length };
}

export const structured = (event: Record<string, unknown>): Message => ({
  key: String(event.subject),
  value: JSON.stringify(event),
  headers: { 'content-type': 'application/cloudevents+json' },
});

/** produces each agency's events to its topic in order (awaited sends of `batch` messages) */
export async function produceWorkload(
  producer: Producer,
  prefix: string,
  load: Workload,
  options: { batch?: number; pauseMs?: number; from?: number; to?: number } = {},
): Promise<void> {
  const batch = options.batch ?? 500;
  await Promise.all(
    [...load.perAgency].map(async ([agency, events]) => {
      const slice = events.slice(options.from ?? 0, options.to ?? events.length);
      for (let i = 0; i < slice.length; i += batch) {
        await producer.send({ topic: agencyTopic(prefix, agency), acks: -1, messages: slice.slice(i, i + batch).map(structured) });
        if (options.pauseMs) await sleep(options.pauseMs);
      }
    }),
  );
}

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export interface InProcessIngest {
  store: EventStore;
  rejections: RejectionStore;
  ingest: KafkaIngest;
  reports: ChunkReport[];
  stop(): Promise<void>;
}

/** the Kafka ingest in this process over an in-memory (or given) SQLite store */
export async function startInProcessIngest(options: {
  prefix: string;
  groupId: string;
  /** default: an in-memory SQLite store */
  store?: EventStore;
  /** default: in the SQLite store's database */
  rejections?: RejectionStore;
  chunkSize?: number;
  log?: Log;
  agencies?: ReadonlyMap<string, Agency>;
  /** e.g. to make the pipeline fail on purpose */
  wrapPipeline?: (pipeline: IngestPipeline) => Pick<IngestPipeline, 'ingest'>;
}): Promise<InProcessIngest> {
  const store = options.store ?? openSqliteEventStore({ path: ':memory:' });
  const rejections = options.rejections ?? openSqliteRejectionStore({ database: (store as SqliteEventStore).database });
  const agencies = options.agencies ?? AGENCIES;
  const real = createIngestPipeline({ store, rejections, validator: createValidator(), agencies, copyNoticeRecipients: TEST_CITY.copyNoticeRecipients, clock: systemClock });
  const pipeline = options.wrapPipeline ? options.wrapPipeline(real) : real;
  const reports: ChunkReport[] = [];
  const ingest = createKafkaIngest({
    kafka: testKafka('liandong-int-ingest'),
    pipeline,
    agencies,
    settings: {
      groupId: options.groupId,
      topicPrefix: options.prefix,
      topicPartitions: 4,
      replicationFactor: undefined,
      chunkSize: options.chunkSize ?? DEFAULT_CHUNK_SIZE,
      partitionsConsumedConcurrently: 4,
      sessionTimeoutMs: 10_000,
    },
    clock: systemClock,
    log: options.log ?? silentLog,
    maxWaitTimeInMs: 250,
    onChunk: (r) => reports.push(r),
  });
  await ingest.start();
  return { store, rejections, ingest, reports, stop: () => ingest.stop() };
}

/** facts (events with an idempotency key) in a SQLite store file, read-only, from outside the writer */
export function readStoreFile(path: string): { facts: StoredFact[]; total: number; rejections: { code: string; raw: string }[] } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT idempotency_key AS key, stream_id AS stream, revision, metadata FROM events ORDER BY position').all() as {
      key: string | null;
      stream: string;
      revision: number;
      metadata: string;
    }[];
    const hasRejections = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'rejections'").get() !== undefined;
    return {
      total: rows.length,
      facts: rows.filter((r) => r.key !== null).map((r) => ({ key: r.key!, stream: r.stream, revision: Number(r.revision), eventId: (JSON.parse(r.metadata) as { eventId: string }).eventId })),
      rejections: hasRejections ? (db.prepare('SELECT code, raw FROM rejections ORDER BY id').all() as { code: string; raw: string }[]) : [],
    };
  } finally {
    db.close();
  }
}

/** how many events a store file holds right now (0 before the schema exists) */
export function countStored(path: string): number {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return Number((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n);
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/**
 * What "exactly once, in per-case order" means for a workload: every published fact stored once,
 * nothing else stored, and each case stream holding its script in order.
 */
export function exactlyOnceProblems(stored: StoredFact[], load: Workload): string[] {
  const problems: string[] = [];
  const keys = new Set(stored.map((f) => f.key));
  if (stored.length !== load.total) problems.push(`stored ${stored.length} facts, published ${load.total}`);
  if (keys.size !== stored.length) problems.push(`${stored.length - keys.size} facts stored twice`);
  const byStream = new Map<string, { revision: number; eventId: string }[]>();
  for (const f of stored) {
    if (!byStream.has(f.stream)) byStream.set(f.stream, []);
    byStream.get(f.stream)!.push(f);
  }
  for (const [stream, ids] of load.streams) {
    const got = (byStream.get(stream) ?? []).sort((a, b) => a.revision - b.revision).map((f) => f.eventId);
    if (got.join() !== ids.join()) problems.push(`${stream}: ${got.join(',')} ≠ ${ids.join(',')}`);
    if (problems.length > 10) break;
  }
  return problems;
}

/** what the crash tests need to see of the store a `liandong ingest` process writes */
export interface StoreProbe {
  engine: 'sqlite' | 'postgres';
  /** environment for the ingest process (besides --data-dir) */
  env: Record<string, string>;
  count(): Promise<number>;
  read(): Promise<{ facts: StoredFact[]; total: number; rejections: { code: string; raw: string }[] }>;
  dispose(): Promise<void>;
}

export type StoredFact = { key: string; stream: string; revision: number; eventId: string };

export const sqliteProbe = (dataDir: string): StoreProbe => ({
  engine: 'sqlite',
  env: {},
  count: async () => countStored(join(dataDir, 'liandong.db')),
  read: async () => readStoreFile(join(dataDir, 'liandong.db')),
  dispose: async () => undefined,
});

/** `liandong ingest` with DATABASE_URL: events in PostgreSQL (a schema of their own), rejections in <dataDir>/rejections.db */
export async function postgresProbe(schema: string, _dataDir: string): Promise<StoreProbe> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  const table = `"${schema}".events`;
  return {
    engine: 'postgres',
    env: { DATABASE_URL: databaseUrl(), DATABASE_SCHEMA: schema },
    count: async () => {
      try {
        return (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
      } catch {
        return 0; // not migrated yet
      }
    },
    read: async () => {
      const { rows } = await client.query<{ key: string | null; stream: string; revision: number; metadata: { eventId: string } }>(
        `SELECT idempotency_key AS key, stream_id AS stream, revision, metadata FROM ${table} ORDER BY position`,
      );
      // with DATABASE_URL, `liandong ingest` keeps rejections in the same PostgreSQL schema as the events
      let rejections: { code: string; raw: string }[] = [];
      try {
        const kept = await client.query<{ code: string; raw: string }>(`SELECT code, detail->>'raw' AS raw FROM "${schema}".rejections ORDER BY id`);
        rejections = kept.rows;
      } catch (e) {
        if ((e as { code?: string }).code !== '42P01') throw e; // undefined_table: nothing rejected yet
      }
      return {
        total: rows.length,
        facts: rows.filter((r) => r.key !== null).map((r) => ({ key: r.key!, stream: r.stream, revision: r.revision, eventId: r.metadata.eventId })),
        rejections,
      };
    },
    dispose: async () => {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await client.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// liandong as a child process

export interface LiandongProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export function writeCityConfig(dir: string): string {
  const path = join(dir, 'city.json');
  writeFileSync(path, JSON.stringify(TEST_CITY, null, 2));
  return path;
}

export const tempDir = (prefix = 'ld-kafka-'): string => mkdtempSync(join(tmpdir(), prefix));

/** starts `node bin/liandong.mjs <args>` (no npm in between, so signals reach it) and resolves once `ready` is printed */
export async function startLiandongProcess(options: { args: string[]; env: Record<string, string>; ready: string }): Promise<LiandongProcess> {
  const child = spawn(process.execPath, ['bin/liandong.mjs', ...options.args], {
    cwd: process.cwd(),
    // NODE_ENV=test: Apollo Server would otherwise re-raise SIGTERM itself (embedded mode).
    // LIANDONG_PORT=0: tests run several processes at once (ingest replicas too serve /healthz); each prints its URL.
    env: { ...process.env, NODE_ENV: 'test', LIANDONG_PORT: '0', KAFKA_BROKERS: kafkaBrokers().join(','), KAFKA_LOG_LEVEL: 'nothing', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await Promise.race([
    waitFor(`"${options.ready}" from liandong ${options.args[0]}`, 60_000, () => (out.includes(options.ready) ? true : undefined), 50),
    exited.then((code) => {
      throw new Error(`liandong ${options.args[0]} exited early (${code}):\n${out.slice(-3000)}`);
    }),
  ]).catch((e: unknown) => {
    signal(child, 'SIGKILL');
    throw e;
  });
  return { child, output: () => out, exited };
}

/** the http://host:port a child process printed in its banner (before /healthz) */
export function httpUrlOf(p: LiandongProcess): string {
  const match = /(http:\/\/[\d.]+:\d+)\/healthz/.exec(p.output());
  if (!match) throw new Error(`no /healthz URL in the banner:\n${p.output()}`);
  return match[1]!;
}

/** a series of liandong_ingested_events_total{channel="kafka"} in a /metrics text (NaN when missing) */
export const kafkaIngested = (metrics: string, status: 'accepted' | 'duplicate' | 'rejected'): number =>
  Number(new RegExp(`^liandong_ingested_events_total\\{channel="kafka",status="${status}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);

/** `liandong ingest` on a SQLite data directory, resolved once its ready banner is printed */
export const startIngestProcess = (options: { config: string; dataDir: string; prefix: string; groupId: string; env?: Record<string, string> }): Promise<LiandongProcess> =>
  startLiandongProcess({
    args: ['ingest', '--config', options.config, '--data-dir', options.dataDir],
    env: { KAFKA_TOPIC_PREFIX: options.prefix, KAFKA_GROUP_ID: options.groupId, ...options.env },
    ready: '已就绪',
  });

export function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, sig);
  } catch {
    /* gone already */
  }
}

export async function stopLiandongProcess(p: LiandongProcess, sig: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<number | null> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.child.exitCode;
  signal(p.child, sig);
  const timer = setTimeout(() => signal(p.child, 'SIGKILL'), graceMs);
  const code = await p.exited;
  clearTimeout(timer);
  return code;
}
