/**
 * Kafka settings of the ingest consumer and the publishers, read from the environment by the
 * composition roots (operations.md: every flag also has an environment variable).
 */
import { logLevel as KafkaLogLevel } from 'kafkajs';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** consumer group of the ingest processes; every replica uses the same one */
  groupId: string;
  /** `liandong.` → topics `liandong.agency.<id>` and `liandong.rejections` */
  topicPrefix: string;
  /** partitions of topics the platform creates at start (existing topics are left as they are) */
  topicPartitions: number;
  /** replication factor of created topics; undefined = the broker's default.replication.factor */
  replicationFactor: number | undefined;
  /** messages handed to the ingest pipeline at a time; offsets are resolved per chunk */
  chunkSize: number;
  /** partitions processed at the same time by one process (order is kept within each partition) */
  partitionsConsumedConcurrently: number;
  /**
   * how long the group waits for a silent member before moving its partitions (a replica killed
   * without leaving): the restart delay after a crash
   */
  sessionTimeoutMs: number;
  /** how often a member tells the group it is alive; well under sessionTimeoutMs so a live one is never dropped */
  heartbeatIntervalMs: number;
  /** kafkajs' own log output: nothing | error | warn | info | debug */
  logLevel: KafkaLogLevel;
}

export const DEFAULT_GROUP_ID = 'liandong-ingest';
export const DEFAULT_TOPIC_PREFIX = 'liandong.';
export const DEFAULT_TOPIC_PARTITIONS = 4;
/**
 * a whole kafkajs batch of a partition (up to 1 MiB, ~1,400 CloudEvents) goes to the pipeline at once: each
 * chunk costs at least one fsync'd append, and the pipeline already joins the chunks of partitions consumed
 * at the same time into one
 */
export const DEFAULT_CHUNK_SIZE = 2000;

/**
 * A replica killed without leaving the group (SIGKILL, a lost host) keeps its partitions until the group gives up on
 * it: 6 s, the broker's smallest allowed session (group.min.session.timeout.ms), so another replica reads them
 * within ~10 s (issue 18); heartbeats every second keep a live but busy replica in. A replica that stops normally
 * leaves the group at once (stop() → disconnect → LeaveGroup).
 */
export const DEFAULT_SESSION_TIMEOUT_MS = 6000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;

export class KafkaSettingsError extends Error {}

const LOG_LEVELS: Record<string, KafkaLogLevel> = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
};

export const parseBrokers = (text: string): string[] =>
  text
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);

const positiveInt = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new KafkaSettingsError(`环境变量 ${name}=${text} 无效：应为正整数`);
  return n;
};

/**
 * KAFKA_BROKERS (comma list), KAFKA_CLIENT_ID, KAFKA_GROUP_ID, KAFKA_TOPIC_PREFIX, KAFKA_TOPIC_PARTITIONS,
 * KAFKA_REPLICATION_FACTOR, KAFKA_CHUNK_SIZE, KAFKA_PARTITIONS_CONCURRENCY, KAFKA_SESSION_TIMEOUT_MS, KAFKA_HEARTBEAT_INTERVAL_MS, KAFKA_LOG_LEVEL.
 */
export function kafkaSettingsFromEnv(env: NodeJS.ProcessEnv, overrides: { brokers?: string } = {}): KafkaSettings {
  const brokers = parseBrokers(overrides.brokers ?? env.KAFKA_BROKERS ?? '');
  if (brokers.length === 0) throw new KafkaSettingsError('未指定 Kafka 地址：请设置环境变量 KAFKA_BROKERS（如 127.0.0.1:9092）或使用 --brokers');
  const level = (env.KAFKA_LOG_LEVEL ?? 'warn').toLowerCase();
  const logLevel = LOG_LEVELS[level];
  if (logLevel === undefined) throw new KafkaSettingsError(`环境变量 KAFKA_LOG_LEVEL=${level} 无效：应为 ${Object.keys(LOG_LEVELS).join(' | ')}`);
  const replication = env.KAFKA_REPLICATION_FACTOR;
  const sessionTimeoutMs = positiveInt(env, 'KAFKA_SESSION_TIMEOUT_MS', DEFAULT_SESSION_TIMEOUT_MS);
  const heartbeatIntervalMs = positiveInt(env, 'KAFKA_HEARTBEAT_INTERVAL_MS', Math.min(DEFAULT_HEARTBEAT_INTERVAL_MS, Math.floor(sessionTimeoutMs / 3)));
  if (heartbeatIntervalMs * 3 > sessionTimeoutMs) {
    throw new KafkaSettingsError(`KAFKA_HEARTBEAT_INTERVAL_MS=${heartbeatIntervalMs} 过大：应不超过 KAFKA_SESSION_TIMEOUT_MS（${sessionTimeoutMs}）的三分之一`);
  }
  return {
    brokers,
    clientId: env.KAFKA_CLIENT_ID || 'liandong',
    groupId: env.KAFKA_GROUP_ID || DEFAULT_GROUP_ID,
    topicPrefix: env.KAFKA_TOPIC_PREFIX ?? DEFAULT_TOPIC_PREFIX,
    topicPartitions: positiveInt(env, 'KAFKA_TOPIC_PARTITIONS', DEFAULT_TOPIC_PARTITIONS),
    replicationFactor: replication ? positiveInt(env, 'KAFKA_REPLICATION_FACTOR', 1) : undefined,
    chunkSize: positiveInt(env, 'KAFKA_CHUNK_SIZE', DEFAULT_CHUNK_SIZE),
    partitionsConsumedConcurrently: positiveInt(env, 'KAFKA_PARTITIONS_CONCURRENCY', 4),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    logLevel,
  };
}
