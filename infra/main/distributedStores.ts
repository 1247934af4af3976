/**
 * The shared stores of distributed mode, opened from the environment by the composition roots of
 * `liandong ingest`, `liandong project` and `liandong gateway`, so the three agree on where things are:
 *
 *   EVENTSTORE_URL   events in EventStoreDB / KurrentDB (production), e.g. esdb://kurrentdb:2113?tls=false
 *   DATABASE_URL     events in PostgreSQL when EVENTSTORE_URL is unset; rejections in PostgreSQL always
 *   DATABASE_SCHEMA  the PostgreSQL schema (default `liandong`)
 *   DATABASE_POOL_MAX connections of the event store's pool (default 10); the rejection store and the access log
 *                    keep at most min(4, DATABASE_POOL_MAX) each
 *   DATABASE_LOCK_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS
 *                    the event store's session timeouts (defaults 5 s, 60 s, 10 s; docs/decisions.md)
 *   REDIS_URL        read models and the projection lease
 *   REDIS_KEY_PREFIX one per deployment (default `liandong:`)
 */
import type { Clock } from '../../ports/clock.js';
import type { EventStore } from '../../ports/eventStore.js';
import { openPostgresEventStore, postgresSessionSettingsFromEnv } from '../eventStore/postgresEventStore.js';
import { openPostgresRejectionStore } from '../rejections/postgresRejectionStore.js';
import type { RejectionStore } from '../../ports/rejectionStore.js';
import type { VerifyTarget } from '../audit/backgroundVerifier.js';
import { openPostgresCaseSearch } from '../search/postgresCaseSearch.js';
import type { CaseSearch } from '../../ports/caseSearch.js';

/** A setting the operator must fix; the CLI prints the message without a stack trace (matched by name). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export const DEFAULT_KEY_PREFIX = 'liandong:';

export interface RedisSettings {
  url: string;
  keyPrefix: string;
  /** host:port and prefix, without credentials, for banners */
  where: string;
}

export function redisSettingsFromEnv(env: NodeJS.ProcessEnv): RedisSettings {
  const url = env.REDIS_URL;
  if (!url) throw new StartupError('未指定 Redis 地址：请设置环境变量 REDIS_URL（如 redis://127.0.0.1:6379）');
  const keyPrefix = env.REDIS_KEY_PREFIX ?? DEFAULT_KEY_PREFIX;
  if (keyPrefix === '') throw new StartupError('REDIS_KEY_PREFIX 不能为空：每个部署用自己的前缀（默认 liandong:）');
  return { url, keyPrefix, where: `Redis ${hostOf(url, '6379')}（键前缀 ${keyPrefix}）` };
}

/** the event store's session timeouts and pool size from the environment; a bad value is the operator's to fix */
export function postgresSettingsFromEnv(env: NodeJS.ProcessEnv): ReturnType<typeof postgresSessionSettingsFromEnv> {
  try {
    return postgresSessionSettingsFromEnv(env);
  } catch (e) {
    throw new StartupError((e as Error).message);
  }
}

/** the side pools (rejections, access log): 4 connections, fewer when DATABASE_POOL_MAX says so */
export function smallPoolMax(env: NodeJS.ProcessEnv): number {
  return Math.min(4, postgresSettingsFromEnv(env).maxConnections ?? 4);
}

/** the event store the environment names, and where it is (for banners) */
export async function openEventStoreFromEnv(env: NodeJS.ProcessEnv, clock: Clock): Promise<{ store: EventStore; where: string }> {
  if (env.EVENTSTORE_URL) {
    const { openEsdbEventStore } = await import('../eventStore/esdbEventStore.js');
    const store = await openEsdbEventStore({ connectionString: env.EVENTSTORE_URL, clock });
    return { store, where: `EventStoreDB/KurrentDB ${endpointsOf(env.EVENTSTORE_URL)}` };
  }
  if (env.DATABASE_URL) {
    const schema = env.DATABASE_SCHEMA || undefined;
    const store = await openPostgresEventStore({ connectionString: env.DATABASE_URL, ...(schema ? { schema } : {}), ...postgresSettingsFromEnv(env), clock });
    return { store, where: `PostgreSQL ${databaseWhere(env)}` };
  }
  throw new StartupError('未指定事件存储：请设置环境变量 EVENTSTORE_URL（EventStoreDB/KurrentDB）或 DATABASE_URL（PostgreSQL）');
}

/** rejections of every replica in one table, so an agency sees them whichever replica refused the event */
export async function openRejectionStoreFromEnv(env: NodeJS.ProcessEnv): Promise<{ rejections: RejectionStore; where: string }> {
  if (!env.DATABASE_URL) {
    throw new StartupError('分布式模式的退回记录保存在 PostgreSQL：请设置环境变量 DATABASE_URL（事件在 EventStoreDB 时也需要）');
  }
  const schema = env.DATABASE_SCHEMA || undefined;
  const rejections = await openPostgresRejectionStore({ connectionString: env.DATABASE_URL, ...(schema ? { schema } : {}), maxConnections: smallPoolMax(env) });
  return { rejections, where: `PostgreSQL ${databaseWhere(env)}` };
}

/**
 * The case search index (issue 17): a table beside the rejections (DATABASE_URL, DATABASE_SCHEMA), written by the
 * `project` replica holding the caseSearch projection and read by every gateway (docs/decisions.md "Search").
 */
export async function openCaseSearchFromEnv(env: NodeJS.ProcessEnv): Promise<CaseSearch> {
  if (!env.DATABASE_URL) {
    throw new StartupError('分布式模式的案件搜索索引保存在 PostgreSQL（pg_trgm）：请设置环境变量 DATABASE_URL（事件在 EventStoreDB 时也需要）');
  }
  const schema = env.DATABASE_SCHEMA || undefined;
  return openPostgresCaseSearch({ connectionString: env.DATABASE_URL, ...(schema ? { schema } : {}), maxConnections: smallPoolMax(env) });
}

/**
 * the stores auditVerify checks, by where they are, for its worker thread (issue 14): the event store the
 * environment names, and the access log and rejections in PostgreSQL (DATABASE_URL, needed by the gateway)
 */
export function verifyTargetFromEnv(env: NodeJS.ProcessEnv): VerifyTarget {
  const schema = env.DATABASE_SCHEMA || undefined;
  const postgres = { engine: 'postgres' as const, connectionString: env.DATABASE_URL ?? '', ...(schema ? { schema } : {}) };
  return {
    events: env.EVENTSTORE_URL ? { engine: 'esdb', connectionString: env.EVENTSTORE_URL } : postgres,
    // EventStoreDB positions are log offsets, not 1, 2, 3, …
    densePositions: !env.EVENTSTORE_URL,
    logs: [
      { log: 'accessLog', ...postgres },
      { log: 'rejections', ...postgres },
    ],
  };
}

/** host:port/database (and schema), without credentials */
export function databaseWhere(env: NodeJS.ProcessEnv): string {
  const url = env.DATABASE_URL ?? '';
  let where = '(DATABASE_URL)';
  try {
    const u = new URL(url);
    where = `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    /* unparseable: the driver will say so */
  }
  return env.DATABASE_SCHEMA ? `${where}（schema ${env.DATABASE_SCHEMA}）` : where;
}

/** the host list of an esdb:// connection string (several for a cluster), without credentials */
function endpointsOf(connectionString: string): string {
  return /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?]*)/i.exec(connectionString.trim())?.[1] ?? '(unparseable EVENTSTORE_URL)';
}

function hostOf(url: string, defaultPort: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || defaultPort}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** a positive integer from the environment, or the default */
export function positiveIntFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, minimum = 1): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) throw new StartupError(`环境变量 ${name}=${text} 无效：应为不小于 ${minimum} 的整数`);
  return value;
}

/**
 * Startup against a server that may still be coming up (compose starts containers together) or is briefly
 * unreachable: tries `open` until it succeeds or `waitMs` has passed, saying once what it waits for. A process
 * that exits on the first refused connection only makes the orchestrator restart it in a loop.
 */
export async function openWhenReachable<T>(what: string, open: () => Promise<T>, options: { waitMs: number; say(line: string): void }): Promise<T> {
  const deadline = Date.now() + options.waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      if (attempt === 1) options.say(`${what} 暂时无法连接（${(error as Error).message}），${Math.round(options.waitMs / 1000)} 秒内继续重试 …`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 2000)));
    }
  }
}
