/** Is Kafka / Redis there? A metric that needs an engine that is not reachable is skipped with the reason. */
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';

const PROBE_MS = 3000;

export const kafkaBrokers = (env: NodeJS.ProcessEnv = process.env): string[] =>
  (env.KAFKA_BROKERS || '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);

export const redisUrl = (env: NodeJS.ProcessEnv = process.env): string => env.REDIS_URL || 'redis://127.0.0.1:6379';

const within = <T>(work: Promise<T>, what: string): Promise<T> =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${PROBE_MS} ms`)), PROBE_MS).unref())]);

/** null when reachable, else why not */
export async function probeKafka(brokers: string[]): Promise<string | null> {
  const admin = new Kafka({ clientId: 'liandong-bench-probe', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 2000, retry: { retries: 0 } }).admin();
  try {
    await within(
      (async () => {
        await admin.connect();
        await admin.listTopics();
      })(),
      'kafka',
    );
    return null;
  } catch (e) {
    return `Kafka 不可达 (not reachable) at ${brokers.join(',')}: ${(e as Error).message}`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function probeRedis(url: string): Promise<string | null> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await within(
      (async () => {
        await redis.connect();
        await redis.ping();
      })(),
      'redis',
    );
    return null;
  } catch (e) {
    const where = (() => {
      try {
        const u = new URL(url);
        return `${u.hostname}:${u.port || '6379'}`;
      } catch {
        return 'REDIS_URL';
      }
    })();
    return `Redis 不可达 (not reachable) at ${where}: ${(e as Error).message}`;
  } finally {
    redis.disconnect();
  }
}
