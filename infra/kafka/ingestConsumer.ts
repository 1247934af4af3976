/**
 * Kafka → ingest pipeline (operations.md "Kafka"): one consumer group over every configured agency's
 * topic. The topic fixes the sending agency; rejections go to the rejections topic and stay in the
 * rejection store; accepted and duplicate events are not echoed.
 *
 * Delivery is at-least-once with idempotent appends. Offsets are resolved only after the chunk that
 * holds them is stored (accepted, or found duplicate) or rejected-and-kept, and only resolved offsets
 * are ever committed, so a crash at any point redelivers what was not finished: the pipeline answers
 * `duplicate` for what had been stored, and nothing is lost or stored twice.
 */
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { Agency, AgencyDirectory } from '../../domain/shared/agencies.js';
import type { Clock } from '../../ports/clock.js';
import type { IngestPipeline, IngestResult } from '../ingest/pipeline.js';
import { decodeCloudEvent, type BindingMode } from './cloudEventsBinding.js';
import { ensureTopics, type EnsuredTopic } from './ensureTopics.js';
import type { Log } from './kafkaClient.js';
import type { KafkaSettings } from './settings.js';
import { agencyTopic, rejectionsTopic } from './topics.js';
import type { ParkedEvent } from '../../ports/parkingLot.js';

/** The value of a record on the rejections topic (key = the topic's agency id). */
export interface KafkaRejection {
  code: string;
  message: string;
  /** the envelope's id / type / source when they could be read */
  eventId: string | null;
  eventType: string | null;
  source: string | null;
  /** the agency the rejection is filed under: the topic's agency */
  agencyId: string;
  channel: 'kafka';
  receivedAt: string;
  topic: string;
  /** null for an event that was parked and ran out of time: the lot keeps the event, not where it was read */
  partition: number | null;
  offset: string | null;
  key: string | null;
  mode: BindingMode | null;
  /** set when the event was parked first (events.md §5) and its window passed */
  parkedUntil?: string;
  /** what was sent: the value as text (binary mode: the headers, a blank line, the value) */
  raw: string;
}

/** What one chunk came to, for progress output and tests. */
export interface ChunkReport {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  results: IngestResult[];
}

/**
 * Where the consumer is, for /readyz: `running` from the moment it has joined its group (again after each
 * automatic restart) until it stops or crashes.
 */
export type ConsumerState = 'starting' | 'running' | 'restarting' | 'failed' | 'stopped';

export interface IngestCounts {
  accepted: number;
  duplicate: number;
  parked: number;
  rejected: number;
}

export interface BatchHandlerDeps {
  pipeline: Pick<IngestPipeline, 'ingest'>;
  /** the configured agency a topic belongs to, or null */
  agencyOfTopic(topic: string): Agency | null;
  publishRejections(rejections: KafkaRejection[]): Promise<void>;
  chunkSize: number;
  clock: Clock;
  log: Log;
  onChunk?(report: ChunkReport): void;
}

const field = (value: unknown, name: string): string | null => {
  const v = (value as Record<string, unknown> | null | undefined)?.[name];
  return typeof v === 'string' ? v : null;
};

/**
 * The `eachBatch` handler. One partition's messages are handled strictly in order, one chunk at a
 * time; between chunks it resolves, commits when due, heartbeats, and stops early when the consumer is
 * stopping or the partition was taken away (the rest is redelivered to whoever owns it next).
 */
export function createBatchHandler(deps: BatchHandlerDeps) {
  const { pipeline, chunkSize, log } = deps;
  const pausedUnknown = new Set<string>();

  return async function eachBatch(payload: Pick<EachBatchPayload, 'batch' | 'resolveOffset' | 'heartbeat' | 'commitOffsetsIfNecessary' | 'isRunning' | 'isStale' | 'pause'>): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const agency = deps.agencyOfTopic(batch.topic);
    if (!agency) {
      // A replica whose config lacks this agency can still be assigned its partitions (the group
      // assigns by the union of all members' subscriptions). Pausing without resolving loses nothing:
      // the partition is read by a replica that knows the agency after the next rebalance.
      if (!pausedUnknown.has(`${batch.topic}/${batch.partition}`)) {
        pausedUnknown.add(`${batch.topic}/${batch.partition}`);
        log.warn(`主题 ${batch.topic} 不属于配置中的任何机构：跳过分区 ${batch.partition}（暂停读取，不提交位移，消息保留在 Kafka 中）`);
      }
      payload.pause();
      return;
    }
    const sender = { agency, principal: null, channel: 'kafka' as const };
    for (let start = 0; start < batch.messages.length; start += chunkSize) {
      if (!isRunning() || isStale()) break;
      const chunk = batch.messages.slice(start, start + chunkSize);
      const decoded = chunk.map((m) => decodeCloudEvent(m));
      const results = await pipeline.ingest(
        decoded.map((d) => d.incoming),
        sender,
      );
      const receivedAt = deps.clock.now().toISOString();
      const rejections: KafkaRejection[] = [];
      results.forEach((r, i) => {
        if (r.status !== 'rejected') return;
        const { incoming, mode } = decoded[i]!;
        const message = chunk[i]!;
        rejections.push({
          code: r.code,
          message: r.message,
          eventId: r.id,
          eventType: field(incoming.value, 'type'),
          source: field(incoming.value, 'source'),
          agencyId: agency.id,
          channel: 'kafka',
          receivedAt,
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key === null ? null : message.key.toString('utf8'),
          mode,
          raw: incoming.raw,
        });
      });
      if (rejections.length > 0) await deps.publishRejections(rejections);
      // Only now is every message of the chunk stored or rejected-and-kept (and reported).
      const lastOffset = chunk[chunk.length - 1]!.offset;
      resolveOffset(lastOffset);
      deps.onChunk?.({ topic: batch.topic, partition: batch.partition, firstOffset: chunk[0]!.offset, lastOffset, results });
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  };
}

export interface KafkaIngestDeps {
  kafka: Kafka;
  pipeline: Pick<IngestPipeline, 'ingest'>;
  agencies: AgencyDirectory;
  settings: Pick<KafkaSettings, 'groupId' | 'topicPrefix' | 'topicPartitions' | 'replicationFactor' | 'chunkSize' | 'partitionsConsumedConcurrently' | 'sessionTimeoutMs'> & Partial<Pick<KafkaSettings, 'heartbeatIntervalMs'>>;
  clock: Clock;
  log: Log;
  /** fetch long-poll; also bounds how long a stop waits for an idle fetch (default 1,000 ms) */
  maxWaitTimeInMs?: number;
  /** commit resolved offsets at least this often during long batches (default 1,000 ms) */
  autoCommitInterval?: number;
  onChunk?(report: ChunkReport): void;
  /** the consumer crashed and kafkajs will not restart it (e.g. an authorization failure) */
  onFatal?(error: Error): void;
}

export interface TopicInfo {
  topic: string;
  agency: Agency;
  partitions: number;
  created: boolean;
}

export interface StartInfo {
  groupId: string;
  topics: TopicInfo[];
  rejectionsTopic: string;
}

export function createKafkaIngest(deps: KafkaIngestDeps) {
  const { kafka, settings, log } = deps;
  const topicAgency = new Map([...deps.agencies.values()].map((a) => [agencyTopic(settings.topicPrefix, a.id), a]));
  const rejections = rejectionsTopic(settings.topicPrefix);
  const counts: IngestCounts = { accepted: 0, duplicate: 0, parked: 0, rejected: 0 };
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let stopping: Promise<void> | undefined;
  let state: ConsumerState = 'starting';

  const eachBatch = createBatchHandler({
    pipeline: deps.pipeline,
    agencyOfTopic: (topic) => topicAgency.get(topic) ?? null,
    chunkSize: settings.chunkSize,
    clock: deps.clock,
    log,
    publishRejections: async (records) => {
      await producer!.send({
        topic: rejections,
        acks: -1,
        messages: records.map((r) => ({ key: r.agencyId, value: JSON.stringify(r), headers: { 'content-type': 'application/json' } })),
      });
    },
    onChunk: (report) => {
      for (const r of report.results) counts[r.status]++;
      deps.onChunk?.(report);
    },
  });

  return {
    /** creates missing topics, joins the group and starts consuming; resolves once the group is joined */
    async start(): Promise<StartInfo> {
      const admin = kafka.admin();
      await admin.connect();
      let partitions: Map<string, EnsuredTopic>;
      try {
        partitions = await ensureTopics(admin, [...topicAgency.keys(), rejections], {
          partitions: settings.topicPartitions,
          replicationFactor: settings.replicationFactor,
        });
      } finally {
        await admin.disconnect();
      }

      producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
      await producer.connect();
      consumer = kafka.consumer({
        groupId: settings.groupId,
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: deps.maxWaitTimeInMs ?? 1000,
        sessionTimeout: settings.sessionTimeoutMs,
        heartbeatInterval: settings.heartbeatIntervalMs ?? Math.min(1000, Math.floor(settings.sessionTimeoutMs / 3)),
      });
      // kafkajs emits STOP before CRASH when it crashes, and GROUP_JOIN on every (re)join, rebalances included
      consumer.on(consumer.events.GROUP_JOIN, () => (state = 'running'));
      consumer.on(consumer.events.STOP, () => (state = 'stopped'));
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        state = payload.restart ? 'restarting' : 'failed';
        if (payload.restart) log.warn(`消费者出错，稍后自动重启（未提交的消息会重新投递）：${payload.error.message}`);
        else {
          log.error(`消费者出错且无法自动重启：${payload.error.message}`);
          deps.onFatal?.(payload.error);
        }
      });
      await consumer.connect();
      // fromBeginning: a new group reads what agencies published before the first ingest started
      await consumer.subscribe({ topics: [...topicAgency.keys()], fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: deps.autoCommitInterval ?? 1000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
        eachBatch,
      });
      return {
        groupId: settings.groupId,
        rejectionsTopic: rejections,
        topics: [...topicAgency].map(([topic, agency]) => ({ topic, agency, ...partitions.get(topic)! })),
      };
    },

    /**
     * Graceful stop: no new fetches, the in-flight chunk is finished, resolved offsets are committed,
     * the member leaves the group (its partitions move to the other replicas at once).
     */
    stop(): Promise<void> {
      stopping ??= (async () => {
        await consumer?.disconnect();
        await producer?.disconnect();
      })();
      return stopping;
    },

    counts(): IngestCounts {
      return { ...counts };
    },

    /**
     * Kafka-published events that were parked and have now ended: the rejected ones go to the rejections topic as
     * any rejection does (events.md §5), the others are counted. Before start() there is no producer: a report is
     * then refused, and the caller logs it (the rejection itself is kept in the rejection store either way).
     */
    async reportParked(outcomes: readonly { event: ParkedEvent; result: IngestResult }[]): Promise<void> {
      const records: KafkaRejection[] = [];
      for (const { event, result } of outcomes) {
        if (event.channel !== 'kafka') continue;
        if (result.status !== 'rejected') {
          if (result.status !== 'parked') counts[result.status]++;
          continue;
        }
        counts.rejected++;
        records.push({
          code: result.code,
          message: result.message,
          eventId: event.eventId,
          eventType: event.type,
          source: event.source,
          agencyId: event.agencyId,
          channel: 'kafka',
          receivedAt: event.receivedAt,
          topic: agencyTopic(settings.topicPrefix, event.agencyId),
          partition: null,
          offset: null,
          key: event.subject,
          mode: null,
          parkedUntil: event.parkedUntil,
          raw: event.raw,
        });
      }
      if (records.length === 0) return;
      if (!producer) throw new Error('Kafka 生产者尚未连接');
      await producer.send({
        topic: rejections,
        acks: -1,
        messages: records.map((r) => ({ key: r.agencyId, value: JSON.stringify(r), headers: { 'content-type': 'application/json' } })),
      });
    },

    state(): ConsumerState {
      return stopping ? 'stopped' : state;
    },
  };
}
export type KafkaIngest = ReturnType<typeof createKafkaIngest>;
