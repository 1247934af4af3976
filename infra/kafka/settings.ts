/**
 * Kafka settings of the ingest consumer and the publishers, read from the environment by the
 * composition roots (operations.md: every flag also has an environment variable).
 */
import { readFileSync } from 'node:fs';
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
  /** TLS to the brokers (KAFKA_SSL=true); undefined = plaintext */
  ssl: KafkaTls | undefined;
  /** SASL login (KAFKA_SASL_MECHANISM); undefined = none */
  sasl: KafkaSasl | undefined;
}

export interface KafkaTls {
  /** PEM text of KAFKA_SSL_CA_FILE, then the only CA trusted (a private cluster CA); undefined = Node's built-in CAs */
  ca: string | undefined;
  /** the file it came from, for messages */
  caFile: string | undefined;
}

export const SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaSasl {
  mechanism: SaslMechanism;
  username: string;
  /** not enumerable: a settings object printed or serialised by mistake does not carry it */
  readonly password: string;
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

const isTrue = (text: string | undefined): boolean | undefined => {
  if (text === undefined || text === '') return undefined;
  const t = text.toLowerCase();
  if (t === 'true' || t === '1' || t === 'yes') return true;
  if (t === 'false' || t === '0' || t === 'no') return false;
  throw new KafkaSettingsError(`环境变量 KAFKA_SSL=${text} 无效：应为 true 或 false`);
};

/**
 * KAFKA_SSL (+ KAFKA_SSL_CA_FILE): the CA file is read here, so a missing or wrong file stops the process at start
 * instead of failing every connection later. A CA file without KAFKA_SSL=true is refused rather than ignored: the
 * operator meant TLS, and connecting in plaintext would quietly drop what they asked for.
 */
function tlsFromEnv(env: NodeJS.ProcessEnv): KafkaTls | undefined {
  const caFile = env.KAFKA_SSL_CA_FILE || undefined;
  if (isTrue(env.KAFKA_SSL) !== true) {
    if (caFile) throw new KafkaSettingsError(`设置了 KAFKA_SSL_CA_FILE=${caFile} 但未开启 TLS：请同时设置 KAFKA_SSL=true`);
    return undefined;
  }
  if (caFile === undefined) return { ca: undefined, caFile };
  let ca: string;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new KafkaSettingsError(`无法读取 KAFKA_SSL_CA_FILE=${caFile}（${code}）：请设置为 Kafka 集群 CA 证书（PEM）的路径`);
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw new KafkaSettingsError(`KAFKA_SSL_CA_FILE=${caFile} 不是 PEM 证书（缺少 -----BEGIN CERTIFICATE-----）：请设置为 Kafka 集群 CA 证书（PEM）的路径`);
  }
  return { ca, caFile };
}

/**
 * KAFKA_SASL_MECHANISM + KAFKA_SASL_USERNAME + KAFKA_SASL_PASSWORD: all three or none. A user name or password
 * without a mechanism is refused too — it is surely a forgotten variable, and connecting without a login would only
 * fail later with an authorization error far from the cause. Messages name the variables, never the password.
 */
function saslFromEnv(env: NodeJS.ProcessEnv): KafkaSasl | undefined {
  const mechanismText = env.KAFKA_SASL_MECHANISM ?? '';
  const username = env.KAFKA_SASL_USERNAME ?? '';
  const password = env.KAFKA_SASL_PASSWORD ?? '';
  if (mechanismText === '') {
    if (username !== '' || password !== '') {
      throw new KafkaSettingsError('设置了 KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD 但未设置 KAFKA_SASL_MECHANISM：请设置 KAFKA_SASL_MECHANISM=scram-sha-512');
    }
    return undefined;
  }
  const mechanism = SASL_MECHANISMS.find((m) => m === mechanismText.toLowerCase());
  if (mechanism === undefined) {
    throw new KafkaSettingsError(`环境变量 KAFKA_SASL_MECHANISM=${mechanismText} 不支持：应为 ${SASL_MECHANISMS.join(' 或 ')}`);
  }
  const missing = [username === '' ? 'KAFKA_SASL_USERNAME' : '', password === '' ? 'KAFKA_SASL_PASSWORD' : ''].filter((n) => n !== '');
  if (missing.length > 0) throw new KafkaSettingsError(`KAFKA_SASL_MECHANISM=${mechanism} 需要用户名和密码：请设置 ${missing.join(' 和 ')}`);
  const sasl = { mechanism, username } as KafkaSasl;
  Object.defineProperty(sasl, 'password', { value: password, enumerable: false });
  return sasl;
}

/** `SASL_SSL（scram-sha-512，用户 x；CA /path）` and the like, for banners: never the password */
export function describeKafkaSecurity(settings: Pick<KafkaSettings, 'ssl' | 'sasl'>): string {
  const { ssl, sasl } = settings;
  const protocol = `${sasl ? 'SASL_' : ''}${ssl ? 'SSL' : 'PLAINTEXT'}`;
  const details = [sasl ? `${sasl.mechanism}，用户 ${sasl.username}` : '', ssl ? `CA ${ssl.caFile ?? '系统内置'}` : ''].filter((d) => d !== '');
  return details.length > 0 ? `${protocol}（${details.join('；')}）` : protocol;
}

/**
 * KAFKA_BROKERS (comma list), KAFKA_CLIENT_ID, KAFKA_GROUP_ID, KAFKA_TOPIC_PREFIX, KAFKA_TOPIC_PARTITIONS,
 * KAFKA_REPLICATION_FACTOR, KAFKA_CHUNK_SIZE, KAFKA_PARTITIONS_CONCURRENCY, KAFKA_SESSION_TIMEOUT_MS, KAFKA_HEARTBEAT_INTERVAL_MS, KAFKA_LOG_LEVEL,
 * KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD.
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
    ssl: tlsFromEnv(env),
    sasl: saslFromEnv(env),
  };
}
