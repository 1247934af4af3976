/**
 * Composition root of `liandong gateway` (distributed mode): GraphQL (+ GraphiQL), HTTP ingest, /healthz,
 * /readyz and /metrics over the shared stores. Stateless: any number of replicas behind a load balancer.
 * Mutations and HTTP ingest append to the shared event store (expected revisions make replicas safe) and
 * answer once the projector's checkpoints in Redis reach the appended position. Wiring only.
 */
import { openPostgresParkingLot } from '../parking/postgresParkingLot.js';
import { registerParkingGauges } from '../parking/parkingGauges.js';
import { parkingOf } from '../parking/openParking.js';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import express, { type Router } from 'express';
import type { Agency } from '../../domain/shared/agencies.js';
import { createAuthenticator } from '../../gateway/auth.js';
import type { GatewayServices } from '../../gateway/context.js';
import { createGraphqlRouter } from '../../gateway/server.js';
import { consoleRouter } from '../../gateway/console.js';
import { allProjections } from '../../projections/index.js';
import { chineseDaysCalendar } from '../calendar/chineseDays.js';
import { systemClock } from '../clock.js';
import { createCommandHandler } from '../../application/commandHandler.js';
import { configWarnings, loadConfigFile } from '../config/loadConfig.js';
import { createHttpApp, httpLimitsFrom } from '../http/app.js';
import { ingestRoute } from '../http/ingestRoute.js';
import { createMetrics } from '../http/metrics.js';
import { createIngestPipeline } from '../ingest/pipeline.js';
import { createValidator } from '../ingest/validator.js';
import { checkpointWaiter, eventsBehind, storedCheckpoints } from '../readModels/checkpointWait.js';
import { openRedisReadModelStore } from '../readModels/redisReadModelStore.js';
import { openRedisChangeFeed } from '../readModels/redisChangeFeed.js';
import { auditKeys, auditVerifier, keepAccessLog } from '../audit/auditServices.js'; // audit (issue 7)
import { openPostgresOutbox } from '../notifications/postgresOutbox.js';
import { openPostgresAccessLog } from '../accessLog/postgresAccessLog.js'; // audit (issue 7)
import { openEventStoreFromEnv, openRejectionStoreFromEnv, positiveIntFromEnv, redisSettingsFromEnv, smallPoolMax, StartupError, verifyTargetFromEnv, openCaseSearchFromEnv } from './distributedStores.js';
import { nodeReleaseBannerLines } from '../nodeRelease.js';
import { createProcessLogger, namespaced } from '../log/logger.js';

export interface GatewayOptions {
  configPath: string | undefined;
  port: number;
  host: string;
  env: NodeJS.ProcessEnv;
}

/**
 * how far /readyz counts the projection lag (reported in its body and in /metrics, never a reason to be unready:
 * operations.md — every gateway would go unready at once during a burst or a projector failover)
 */
const LAG_COUNT_LIMIT = 10_000;

export async function startGateway(options: GatewayOptions): Promise<{ url: string; stopped: Promise<number> }> {
  const configPath = options.configPath ?? (existsSync('liandong.config.json') ? 'liandong.config.json' : undefined);
  if (!configPath) throw new StartupError('liandong gateway 需要配置文件（机构与令牌）：用 --config FILE 或环境变量 LIANDONG_CONFIG 指定');
  const config = loadConfigFile(configPath);
  const log = createProcessLogger({ env: options.env });
  const { logger } = log;
  // retired settings still accepted from released configs: said once, here, so the operator can remove them
  for (const warning of configWarnings(config)) logger.warn({ ns: '配置' }, warning);
  // --- audit (issue 7): the public keys auditVerify trusts (checkpoints come from `liandong audit checkpoint`) ---
  let auditTrust: ReturnType<typeof auditKeys>['trusted'];
  try {
    auditTrust = auditKeys({ config, configPath, dataDir: null, generate: false, env: options.env }).trusted;
  } catch (e) {
    throw new StartupError((e as Error).message);
  }
  // --- end audit ---
  const agencies = new Map<string, Agency>(config.agencies.map((a) => [a.id, a]));
  const redis = redisSettingsFromEnv(options.env);
  const waitTimeoutMs = positiveIntFromEnv(options.env, 'LIANDONG_READ_AFTER_WRITE_TIMEOUT_MS', 10_000);
  const httpIngest = options.env.LIANDONG_HTTP_INGEST !== 'off';
  const clock = systemClock;

  logger.info('联动 liandong —— 网关进程 (gateway) 正在启动：连接事件存储、PostgreSQL 与 Redis …');
  const opened: { close(): Promise<void> }[] = [];
  const closeAll = async (): Promise<void> => {
    for (const resource of opened.reverse()) await resource.close().catch((e: Error) => logger.error({ err: e }, `关闭时出错：${e.message}`));
  };
  let stores: { events: Awaited<ReturnType<typeof openEventStoreFromEnv>>; rejections: Awaited<ReturnType<typeof openRejectionStoreFromEnv>> };
  let readModels: Awaited<ReturnType<typeof openRedisReadModelStore>>;
  let step = '事件存储';
  try {
    const events = await openEventStoreFromEnv(options.env, clock);
    opened.push(events.store);
    step = '退回记录库 (PostgreSQL)';
    const rejections = await openRejectionStoreFromEnv(options.env);
    opened.push(rejections.rejections);
    stores = { events, rejections };
    step = redis.where;
    readModels = await openRedisReadModelStore({
      url: redis.url,
      keyPrefix: redis.keyPrefix,
      connectionName: 'liandong-gateway',
      logger: { error: (message, fields) => logger.error({ ns: '读模型', err: fields?.['error'] }, message) },
    });
    opened.push(readModels);
  } catch (e) {
    await closeAll();
    if (e instanceof StartupError) throw e;
    const cause = (e as Error).cause;
    throw new StartupError(`无法连接 ${step}：${(e as Error).message}${cause ? `（${cause instanceof Error ? cause.message : String(cause)}）` : ''}`);
  }
  const store = stores.events.store;
  const rejections = stores.rejections.rejections;
  // --- audit (issue 7): every replica's access log in one PostgreSQL table (beside the rejections) ---
  const schema = options.env.DATABASE_SCHEMA || undefined;
  const accessLog = await openPostgresAccessLog({ connectionString: options.env.DATABASE_URL!, ...(schema ? { schema } : {}), maxConnections: smallPoolMax(options.env) }).catch(async (e: Error) => {
    await closeAll();
    throw new StartupError(`无法打开访问日志 (PostgreSQL)：${e.message}`);
  });
  const retention = keepAccessLog({ accessLog, days: config.audit.accessLogRetentionDays, clock, log: namespaced(logger, '访问日志') });
  opened.push({
    close: async () => {
      retention.stop();
      await accessLog.close();
    },
  });
  // --- end audit ---
  // --- notifications (issue 17): organizers read the outbox the projector's notifier writes (PostgreSQL) ---
  const notifications = await openPostgresOutbox({ connectionString: options.env.DATABASE_URL!, ...(schema ? { schema } : {}), maxConnections: 1 }).catch(async (e: Error) => {
    await closeAll();
    throw new StartupError(`无法打开通知发件箱 (PostgreSQL)：${e.message}`);
  });
  opened.push(notifications);
  // --- end notifications ---
  // --- parking (events.md §5): the lot every replica shares, for publishStatus and this gateway's HTTP ingest ---
  const parking = await openPostgresParkingLot({ connectionString: options.env.DATABASE_URL!, ...(schema ? { schema } : {}), maxConnections: Math.min(2, smallPoolMax(options.env)) }).catch(async (e: Error) => {
    await closeAll();
    throw new StartupError(`无法打开暂存事件表 (PostgreSQL)：${e.message}`);
  });
  opened.push(parking);
  // --- end parking ---
  // --- search (issue 17): the PostgreSQL index the `project` replicas feed ---
  const caseSearch = await openCaseSearchFromEnv(options.env).catch(async (e: Error) => {
    await closeAll();
    throw e instanceof StartupError ? e : new StartupError(`无法打开案件搜索索引 (PostgreSQL)：${e.message}`);
  });
  opened.push(caseSearch);
  // --- end search ---

  // audit (issue 7); issue 14: verified in a worker thread with its own connections (EventStoreDB positions are
  // not dense; the access log and rejections are chained too)
  const verifier = auditVerifier(store, auditTrust, !options.env.EVENTSTORE_URL, [accessLog, rejections], verifyTargetFromEnv(options.env));
  opened.push({ close: () => verifier.stop() });

  const projectionNames = allProjections().map((p) => p.name);
  const waitForProjections = checkpointWaiter({ readModels, projections: projectionNames, timeoutMs: waitTimeoutMs });
  const deadlines = { calendar: chineseDaysCalendar(config.calendar.years), policy: config.deadlines };
  const services: GatewayServices = {
    agencies,
    city: config.city,
    rejections,
    readModels,
    events: store,
    deadlines,
    commands: createCommandHandler({ store, waitForProjections }),
    now: () => clock.now(),
    newMeetingId: () => `m-${clock.now().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`,
    audit: verifier, // audit (issue 7)
    accessLog, // audit (issue 7)
    parking, // publishStatus PARKED (events.md §5)
    notifications, // issue 17
    caseSearch, // search (issue 17)
    // live updates (issue 17): the projector publishes what its commits changed on a Redis channel
    changes: openRedisChangeFeed({ url: redis.url, keyPrefix: redis.keyPrefix, connectionName: 'liandong-gateway', log: { error: (message) => logger.error({ ns: '订阅' }, message) } }),
  };
  opened.push(services.changes!);
  const metrics = createMetrics();
  registerParkingGauges(metrics.registry, parking, clock);
  const authenticate = createAuthenticator(config.principals, agencies);
  const graphql = await createGraphqlRouter({
    services,
    authenticate,
    introspection: config.graphql.introspection,
    graphiql: config.graphql.graphiql,
    onOperation: (outcome) => metrics.graphqlOperations.inc({ outcome }),
    accessLog, // audit (issue 7): every operation, by anyone
    log: logger,
  });
  // the web console is static files talking to this gateway's GraphQL: every replica serves it
  const routers: Router[] = [graphql.router, consoleRouter()];
  if (httpIngest) {
    const pipeline = createIngestPipeline({
      store,
      rejections,
      validator: createValidator(),
      agencies,
      copyNoticeRecipients: config.copyNoticeRecipients,
      clock,
      parking: { ...parkingOf(parking, config), channels: ['http'] },
      warn: (m) => logger.warn({ ns: '暂存' }, m),
    });
    opened.push({ close: () => pipeline.stop() }); // closed in reverse: before the lot
    routers.unshift(express.Router().post('/v1/events', ingestRoute({ authenticate, pipeline, rejections, clock, metrics, waitForProjections })));
  }
  let lag: number | null = null;
  const app = createHttpApp({
    metrics,
    log: logger,
    limits: httpLimitsFrom(config, options.env), // limits before work (issue 13)
    health: {
      // ready when the stores answer; how far the read models trail is reported, not judged
      notReadyReason: async () => {
        try {
          const behind = await eventsBehind(store, await storedCheckpoints(readModels, projectionNames), LAG_COUNT_LIMIT);
          metrics.projectionLag.set(behind);
          lag = behind;
          return null;
        } catch (e) {
          lag = null;
          return `事件存储或读模型（Redis）不可达：${(e as Error).message}`;
        }
      },
      details: () =>
        lag === null ? {} : { projectionLag: Math.min(lag, LAG_COUNT_LIMIT), ...(lag > LAG_COUNT_LIMIT ? { projectionLagAtLeast: true } : {}) },
    },
    routers,
  });

  const server: Server = await new Promise<Server>((ok, fail) => {
    const s = app.listen(options.port, options.host, (error?: Error) => (error ? fail(error) : ok(s)));
  }).catch(async (e: NodeJS.ErrnoException) => {
    await graphql.stop();
    await closeAll();
    if (e.code === 'EADDRINUSE') throw new StartupError(`端口 ${options.port} 已被占用：请用 --port（或 LIANDONG_PORT）指定其他端口`);
    throw e;
  });
  graphql.serveSubscriptions(server); // live updates (issue 17): graphql-ws at /graphql
  const url = `http://${options.host}:${(server.address() as { port: number }).port}`;
  log.banner(
    [
      '',
      '联动 liandong —— 网关进程 (gateway) 已就绪',
      `  GraphQL / GraphiQL:  ${url}/graphql`,
      httpIngest ? `  事件接入 (HTTP):     POST ${url}/v1/events（写入共享事件存储）` : '  事件接入 (HTTP):     已关闭（LIANDONG_HTTP_INGEST=off）',
      `  健康检查:            ${url}/healthz  ${url}/readyz  ${url}/metrics`,
      `  事件存储:            ${stores.events.where}`,
      `  退回记录:            ${stores.rejections.where}`,
      `  读模型:              ${redis.where}（由 liandong project 写入；写后读等待其检查点，最多 ${waitTimeoutMs} ms）`,
      `  配置文件:            ${configPath}`,
      ...nodeReleaseBannerLines(), // end-of-life warning (issue 19)
      '  无状态：可运行多个副本，置于负载均衡之后。按 Ctrl+C 停止。',
      '',
    ],
    '联动 liandong —— 网关进程 (gateway) 已就绪',
    { url, graphql: `${url}/graphql`, healthz: `${url}/healthz`, metrics: `${url}/metrics`, httpIngest, eventStore: stores.events.where, rejections: stores.rejections.where, readModels: redis.where, config: configPath },
  );
  if (log.format === 'json') for (const line of nodeReleaseBannerLines()) logger.warn(line.trim());

  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `收到 ${signal}，正在停止：不再接收新请求，完成进行中的请求后关闭存储…`);
    // close() waits for in-flight requests; idle keep-alive sockets are closed so it does not hang
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    await graphql.closeSubscriptions(); // issue 17: an open subscription socket would keep the server from closing
    void verifier.stop(); // issue 14: a running auditVerify is not waited for: it answers 审计校验已中止
    await closed;
    await graphql.stop();
    await closeAll();
    logger.info('已停止。');
    resolveStopped(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return { url, stopped };
}
