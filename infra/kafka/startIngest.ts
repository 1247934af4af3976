/**
 * Starting the Kafka ingest from settings: shared by the two composition roots that consume Kafka
 * (`liandong ingest`, and `liandong start` when KAFKA_BROKERS is set).
 */
import type { AgencyDirectory } from '../../domain/shared/agencies.js';
import type { Clock } from '../../ports/clock.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import { createKafkaIngest, type ChunkReport, type KafkaIngest, type StartInfo } from './ingestConsumer.js';
import { createKafka, type Log } from './kafkaClient.js';
import { describeKafkaSecurity, type KafkaSettings } from './settings.js';

export interface StartedKafkaIngest {
  ingest: KafkaIngest;
  info: StartInfo;
  settings: KafkaSettings;
}

export async function startKafkaIngest(deps: {
  /** kafkaSettingsFromEnv(process.env, …) */
  settings: KafkaSettings;
  pipeline: Pick<IngestPipeline, 'ingest'>;
  agencies: AgencyDirectory;
  clock: Clock;
  log: Log;
  onChunk?(report: ChunkReport): void;
  onFatal?(error: Error): void;
}): Promise<StartedKafkaIngest> {
  const { settings } = deps;
  const kafka = createKafka(settings, deps.log);
  const ingest = createKafkaIngest({
    kafka,
    pipeline: deps.pipeline,
    agencies: deps.agencies,
    settings,
    clock: deps.clock,
    log: deps.log,
    ...(deps.onChunk ? { onChunk: deps.onChunk } : {}),
    ...(deps.onFatal ? { onFatal: deps.onFatal } : {}),
  });
  try {
    const info = await ingest.start();
    return { ingest, info, settings };
  } catch (e) {
    await ingest.stop().catch(() => undefined);
    throw e;
  }
}

/** Chinese lines for a startup banner: where it reads, which topics, where rejections go. */
export function describeKafkaIngest({ info, settings }: Pick<StartedKafkaIngest, 'info' | 'settings'>, indent = '  '): string[] {
  const width = Math.max(...info.topics.map((t) => t.topic.length));
  return [
    `${indent}Kafka:               ${settings.brokers.join(',')}（消费组 ${info.groupId}；${describeKafkaSecurity(settings)}）`,
    `${indent}订阅主题（${info.topics.length} 个机构，结构化与二进制 CloudEvents 均可）：`,
    ...info.topics.map((t) => `${indent}  ${t.topic.padEnd(width)}  ${String(t.partitions).padStart(2)} 个分区  ${t.agency.name}${t.created ? '（本次新建）' : ''}`),
    `${indent}退回记录主题:        ${info.rejectionsTopic}（key = 机构 id；接收与重复不回执）`,
  ];
}
