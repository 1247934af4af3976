/**
 * Real-engine availability for integration tests.
 *
 *   import { requireEngine, probeKafka } from './engines.js';
 *   describe('…', function () {
 *     before(requireEngine('kafka', probeKafka));
 *     …
 *   });
 *
 * When the engine is not reachable the suite is skipped with one line on stdout, unless the
 * engine is listed in REQUIRE_ENGINES (comma list, or `all`), in which case the hook fails.
 * Start the engines with `npm run services:start` (scripts/services.sh).
 */
import type { Context } from 'mocha';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import pg from 'pg';

export type EngineName = 'kafka' | 'redis' | 'postgres';

const PROBE_TIMEOUT_MS = 3000;

export const kafkaBrokers = (): string[] =>
  (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
export const redisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const databaseUrl = (): string =>
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/liandong_test';

/** Where each engine is expected, for messages (credentials stripped from URLs). */
export function engineTarget(name: EngineName): string {
  const hostOf = (url: string): string => {
    try {
      const u = new URL(url);
      return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? '6379' : '5432')}`;
    } catch {
      return url;
    }
  };
  switch (name) {
    case 'kafka':
      return kafkaBrokers().join(',');
    case 'redis':
      return hostOf(redisUrl());
    case 'postgres':
      return hostOf(databaseUrl());
  }
}

export function requiredEngines(): Set<string> {
  return new Set(
    (process.env.REQUIRE_ENGINES ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s.length > 0),
  );
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Broker answers a metadata request (kafkajs admin listTopics). */
export async function probeKafka(): Promise<void> {
  const kafka = new Kafka({
    clientId: 'liandong-int-probe',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: PROBE_TIMEOUT_MS,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await withTimeout(
      (async () => {
        await admin.connect();
        await admin.listTopics();
      })(),
      PROBE_TIMEOUT_MS,
      'kafka',
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Redis answers PING. */
export async function probeRedis(): Promise<void> {
  const redis = new Redis(redisUrl(), {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // reported through the rejected promise instead
  try {
    await withTimeout(
      (async () => {
        await redis.connect();
        const pong = await redis.ping();
        if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
      })(),
      PROBE_TIMEOUT_MS,
      'redis',
    );
  } finally {
    redis.disconnect();
  }
}

/** PostgreSQL accepts a login to DATABASE_URL and runs `select 1`. */
export async function probePostgres(): Promise<void> {
  const client = new pg.Client({
    connectionString: databaseUrl(),
    connectionTimeoutMillis: 2000,
    query_timeout: PROBE_TIMEOUT_MS,
  });
  client.on('error', () => undefined);
  try {
    await withTimeout(
      (async () => {
        await client.connect();
        await client.query('select 1');
      })(),
      PROBE_TIMEOUT_MS,
      'postgres',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A mocha `before` hook: `before(requireEngine('kafka', probeKafka))`.
 * Skips the suite (one line) when the engine is unreachable, or fails it when the engine is
 * listed in REQUIRE_ENGINES.
 */
export function requireEngine(
  name: EngineName,
  probe: () => Promise<void>,
): (this: Context) => Promise<void> {
  return async function (this: Context): Promise<void> {
    this.timeout(PROBE_TIMEOUT_MS + 5000);
    try {
      await probe();
      return;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const required = requiredEngines();
      if (required.has(name) || required.has('all')) {
        throw new Error(
          `${name} not reachable on ${engineTarget(name)} but REQUIRE_ENGINES includes it (${reason}). ` +
            'Start the engines with: npm run services:start',
        );
      }
      console.log(`${name} not reachable on ${engineTarget(name)} — skipping (run npm run services:start)`);
      this.skip();
    }
  };
}
