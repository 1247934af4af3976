/**
 * ingest_kafka: Kafka → `liandong ingest` (the real process, SQLite event store in its own data directory)
 * against a bare kafkajs consumer that only parses the same messages — same broker, same topics, same
 * partitions, same number of partitions consumed at once. Each reads its topics from the beginning in a
 * consumer group of its own.
 *
 * The messages are produced first, under a topic prefix of this run's own (removed afterwards): one topic
 * per agency, key = case id, structured CloudEvents. Each case carries only what its registering agency
 * publishes, so all of a case's events travel on one partition, in order (Kafka orders nothing across
 * topics; facts of other agencies would arrive before the facts they follow and be refused).
 *
 * Both rates are timed from the first message handled to the last, so joining the group and the process
 * start-up count for neither. The ingest's progress is read from its SQLite file (WAL: readers do not block
 * its writer).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopics } from '../infra/kafka/ensureTopics.js';
import { agencyTopic, rejectionsTopic } from '../infra/kafka/topics.js';
import { DEFAULT_TOPIC_PARTITIONS } from '../infra/kafka/settings.js';
import { spawnNode, stopChild } from './program.js';
import type { Step } from './progress.js';
import { eventAt, type Workload } from './workload.js';

export interface KafkaRun {
  messages: number;
  seconds: number;
  perSecond: number;
}

export interface KafkaRuns {
  bare: KafkaRun;
  ingest: KafkaRun & { accepted: number; rejected: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function kafkaIngestVsBare(options: {
  brokers: string[];
  workload: Workload;
  agencyIds: readonly string[];
  configPath: string;
  dataDir: string;
  runId: string;
  timeoutSeconds: number;
  produceStep?: Step;
  bareStep?: Step;
  ingestStep?: Step;
}): Promise<KafkaRuns> {
  const { brokers, workload, runId } = options;
  const prefix = `liandong-bench-${runId}.`;
  const topics = options.agencyIds.map((id) => agencyTopic(prefix, id));
  const kafka = new Kafka({ clientId: `liandong-bench-${runId}`, brokers, logLevel: logLevel.NOTHING, retry: { initialRetryTime: 300, retries: 10 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [...topics, rejectionsTopic(prefix)], { partitions: DEFAULT_TOPIC_PARTITIONS, replicationFactor: undefined });
    const total = workload.events;
    await produce(kafka, prefix, workload, options.produceStep);
    const bare = await bareConsumer(kafka, `${prefix}bare`, topics, total, options.timeoutSeconds, options.bareStep);
    const ingest = await ingestProcess(brokers, prefix, total, options, options.ingestStep);
    return { bare, ingest };
  } finally {
    await admin.deleteTopics({ topics: [...topics, rejectionsTopic(prefix)] }).catch(() => undefined);
    await admin.deleteGroups([`${prefix}bare`, `${prefix}ingest`]).catch(() => undefined);
    await admin.disconnect();
  }
}

async function produce(kafka: Kafka, prefix: string, workload: Workload, step?: Step): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  step?.total(workload.events);
  try {
    let pending = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    let count = 0;
    let sent = 0;
    const flush = async () => {
      await producer.sendBatch({ acks: -1, topicMessages: [...pending].map(([topic, messages]) => ({ topic, messages })) });
      sent += count;
      count = 0;
      pending = new Map();
      step?.update(sent);
    };
    for (const c of workload.cases) {
      for (let k = 0; k < c.length; k++) {
        const e = eventAt(c, k);
        const topic = agencyTopic(prefix, e.source);
        let list = pending.get(topic);
        if (!list) pending.set(topic, (list = []));
        list.push({ key: e.subject, value: e.json, headers: { 'content-type': 'application/cloudevents+json' } });
        if (++count >= 5000) await flush();
      }
    }
    if (count > 0) await flush();
  } finally {
    await producer.disconnect();
  }
}

async function bareConsumer(kafka: Kafka, groupId: string, topics: string[], total: number, timeoutSeconds: number, step?: Step): Promise<KafkaRun> {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 1000 });
  step?.total(total);
  let first: bigint | null = null;
  let last = 0n;
  let seen = 0;
  let parsed = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        first ??= process.hrtime.bigint();
        for (const message of batch.messages) {
          if (message.value !== null && JSON.parse(message.value.toString('utf8')) !== null) parsed++;
          resolveOffset(message.offset);
        }
        seen += batch.messages.length;
        last = process.hrtime.bigint();
        step?.update(seen);
        await heartbeat();
        if (seen >= total) resolveDone();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`bare consumer: ${seen}/${total} messages after ${timeoutSeconds} s`)), timeoutSeconds * 1000);
    });
    await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  if (parsed !== total) throw new Error(`bare consumer parsed ${parsed} of ${total} messages`);
  const seconds = Number(last - first!) / 1e9;
  return { messages: seen, seconds, perSecond: seen / seconds };
}

async function ingestProcess(
  brokers: string[],
  prefix: string,
  total: number,
  options: { configPath: string; dataDir: string; timeoutSeconds: number },
  step?: Step,
): Promise<KafkaRuns['ingest']> {
  const env: NodeJS.ProcessEnv = {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: `${prefix}ingest`,
    KAFKA_LOG_LEVEL: 'nothing',
    NODE_ENV: 'production',
    DATABASE_URL: '',
    LIANDONG_PORT: '0', // its /healthz need not be reachable; 4002 may be taken on the bench machine
  };
  const { child, output } = spawnNode(['bin/liandong.mjs', 'ingest', '--config', options.configPath, '--data-dir', options.dataDir], env);
  step?.total(total);
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let db: Database.Database | null = null;
  try {
    let first: bigint | null = null;
    let firstHandled = 0;
    let last = 0n;
    let handled = 0;
    let accepted = 0;
    let rejected = 0;
    while (handled < total) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`liandong ingest exited (${child.exitCode ?? child.signalCode}):\n${output().slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`liandong ingest: ${handled}/${total} messages after ${options.timeoutSeconds} s`);
      try {
        db ??= new Database(join(options.dataDir, 'liandong.db'), { readonly: true, fileMustExist: true });
        accepted = Number(db.prepare('SELECT count(*) FROM events WHERE idempotency_key IS NOT NULL').pluck().get());
        rejected = Number(db.prepare('SELECT count(*) FROM rejections').pluck().get());
      } catch {
        // the file or its tables are not there yet
        db?.close();
        db = null;
      }
      const now = process.hrtime.bigint();
      if (accepted + rejected > handled) {
        // timed from the first poll that sees stored events: what was stored before it is not counted
        if (first === null) {
          first = now;
          firstHandled = accepted + rejected;
        }
        last = now;
        handled = accepted + rejected;
        step?.update(handled);
      }
      await sleep(20);
    }
    const seconds = Number(last - first!) / 1e9;
    return { messages: handled, seconds, perSecond: (handled - firstHandled) / seconds, accepted, rejected };
  } finally {
    db?.close();
    await stopChild(child, 20_000);
  }
}
