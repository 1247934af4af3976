/**
 * Composition root of `liandong project` (distributed mode): event store → projections → Redis read models,
 * one lease per projection, shared among the replicas (infra/lease/sharedProjections.ts). Wiring only.
 */
import { CLOCKS } from '../../projections/clocks/clocks.projection.js';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { Gauge } from 'prom-client';
import { allProjections } from '../../projections/index.js';
import { createProjectionRunner } from '../../projections/runner.js';
import { chineseDaysCalendar } from '../calendar/chineseDays.js';
import { deadlineContextVersion } from '../calendar/fingerprint.js';
import { systemClock } from '../clock.js';
import { loadConfigFile } from '../config/loadConfig.js';
import type { EventStore } from '../../ports/eventStore.js';
import { createHttpApp } from '../http/app.js';
import { projectionNotReadyReason } from '../http/projectionHealth.js';
import { createMetrics } from '../http/metrics.js';
import { createProcessLogger, namespaced } from '../log/logger.js';
import type { Lease, LeaseRoster } from '../../ports/lease.js';
import { createProjectionOwnership, type OwnershipState } from '../lease/projectionOwnership.js';
import { openRedisLease } from '../lease/redisLease.js';
import { openRedisRoster } from '../lease/redisRoster.js';
import { createSharedProjections } from '../lease/sharedProjections.js';
import { eventsBehind } from '../readModels/checkpointWait.js';
import { openRedisReadModelStore } from '../readModels/redisReadModelStore.js';
import { openRedisChangeFeed } from '../readModels/redisChangeFeed.js';
import { publishingReadModels } from '../readModels/publishingReadModels.js';
import { LIVE_COLLECTIONS } from '../../gateway/resolvers/subscriptions.js';
import { openCaseSearchFromEnv, openEventStoreFromEnv, openWhenReachable, positiveIntFromEnv, redisSettingsFromEnv, StartupError } from './distributedStores.js';
import { nodeReleaseBannerLines } from '../nodeRelease.js';
import { kafkaSettingsFromEnv, KafkaSettingsError } from '../kafka/settings.js';
import { createDistributedNotifications } from '../notifications/distributedNotifications.js';
import { openPostgresOutbox } from '../notifications/postgresOutbox.js';
import { WebhookConfigError } from '../notifications/webhookSender.js';
import { auditKeys } from '../audit/auditServices.js';
import { createDistributedSealer } from '../audit/distributedSealer.js';
import type { CaseSearch } from '../../ports/caseSearch.js';
import { caseSearchProjection } from '../../projections/caseSearch/caseSearch.projection.js';
import { feedCaseSearch, rebuildIfIndexLost } from '../../projections/caseSearch/feedCaseSearch.js';

export interface ProjectOptions {
  configPath: string | undefined;
  port: number;
  host: string;
  env: NodeJS.ProcessEnv;
}

/** the group of the projection leases: projection `cases` is guarded by lease `projector:cases` */
export const LEASE_GROUP = 'projector';
export const projectionLeaseName = (projection: string): string => `${LEASE_GROUP}:${projection}`;
/** the notifier's lease: outside the projector group, so the replicas' shares of projections stay as they were */
export const NOTIFIER_LEASE = 'notifier';
/** the lease of the replica that seals the signed audit checkpoints */
export const SEALER_LEASE = 'audit-sealer';
const DEFAULT_LEASE_TTL_MS = 10_000;
/** /readyz answers "not ready" while a projection this replica owns trails the store by more than this many events */
const READY_LAG = 1000;

export async function startProject(options: ProjectOptions): Promise<{ stopped: Promise<number> }> {
  const configPath = options.configPath ?? (existsSync('liandong.config.json') ? 'liandong.config.json' : undefined);
  if (!configPath) throw new StartupError('liandong project 需要配置文件（期限规则与日历决定读模型）：用 --config FILE 或环境变量 LIANDONG_CONFIG 指定');
  const config = loadConfigFile(configPath);
  const redis = redisSettingsFromEnv(options.env);
  const ttlMs = positiveIntFromEnv(options.env, 'LIANDONG_LEASE_TTL_MS', DEFAULT_LEASE_TTL_MS, 300);
  const deadlines = { calendar: chineseDaysCalendar(config.calendar.years), policy: config.deadlines };
  const contextVersion = deadlineContextVersion(deadlines);
  const projections = allProjections();
  // the checkpoint signing key: audit.signingKeyFile or LIANDONG_AUDIT_SIGNING_KEY (a secret); a bad one stops the start
  const signer = (() => {
    try {
      return auditKeys({ config, configPath, dataDir: null, generate: false, env: options.env });
    } catch (e) {
      throw new StartupError((e as Error).message);
    }
  })();
  const processLog = createProcessLogger({ env: options.env });
  const { logger } = processLog;
  const log = namespaced(logger, '投影');

  logger.info('联动 liandong —— 投影进程 (project) 正在启动：连接事件存储与 Redis …');
  const opened: { close(): Promise<void> }[] = [];
  const closeAll = async (): Promise<void> => {
    for (const resource of opened.reverse()) await resource.close().catch((e: Error) => log.error(`关闭时出错：${e.message}`));
  };
  let store: EventStore;
  let where: string;
  let roster: LeaseRoster;
  let caseSearch: CaseSearch;
  const leases = new Map<string, Lease>();
  try {
    ({ store, where } = await openEventStoreFromEnv(options.env, systemClock));
    opened.push(store);
  } catch (e) {
    if (e instanceof StartupError) throw e;
    throw new StartupError(`无法打开事件存储：${describeError(e)}`);
  }
  // search (issue 17): the index the caseSearch projection feeds, in PostgreSQL beside the rejections
  try {
    caseSearch = await openCaseSearchFromEnv(options.env);
    opened.push(caseSearch);
  } catch (e) {
    await closeAll();
    if (e instanceof StartupError) throw e;
    throw new StartupError(`无法打开案件搜索索引 (PostgreSQL)：${describeError(e)}`);
  }
  try {
    const waitMs = positiveIntFromEnv(options.env, 'LIANDONG_CONNECT_WAIT_MS', 30_000, 0);
    roster = await openWhenReachable(redis.where, () => openRedisRoster({ url: redis.url, keyPrefix: redis.keyPrefix, group: LEASE_GROUP, ttlMs }), {
      waitMs,
      say: (line) => log.warn(line),
    });
    opened.push(roster);
    // one lease per projection, all held under the roster's name (so the roster can count who holds what)
    for (const projection of projections) {
      const lease = await openRedisLease({ url: redis.url, keyPrefix: redis.keyPrefix, name: projectionLeaseName(projection.name), ttlMs, holder: roster.self });
      opened.push(lease);
      leases.set(projection.name, lease);
    }
  } catch (e) {
    await closeAll();
    throw new StartupError(`无法连接 ${redis.where}：${describeError(e)}`);
  }

  const metrics = createMetrics();

  // --- notifications (issue 17): the outbox in PostgreSQL, sent by the replica holding the notifier lease ---
  // DATABASE_URL is there: the search index already required it
  const notifications = await (async () => {
    try {
      const kafka = options.env.KAFKA_BROKERS ? kafkaSettingsFromEnv(options.env) : null;
      const schema = options.env.DATABASE_SCHEMA || undefined;
      const outbox = await openPostgresOutbox({ connectionString: options.env.DATABASE_URL!, ...(schema ? { schema } : {}), maxConnections: 2 });
      opened.push(outbox);
      const readModels = await openRedisReadModelStore({ url: redis.url, keyPrefix: redis.keyPrefix, connectionName: 'liandong-notifier' });
      opened.push(readModels);
      const lease = await openRedisLease({ url: redis.url, keyPrefix: redis.keyPrefix, name: NOTIFIER_LEASE, ttlMs, holder: roster.self });
      opened.push(lease);
      const agencies = new Map(config.agencies.map((a) => [a.id, a.name]));
      const notices = namespaced(logger, '通知');
      return createDistributedNotifications({
        config,
        env: options.env,
        events: store,
        outbox,
        readModels,
        lease,
        kafka,
        clock: systemClock,
        calendar: deadlines.calendar,
        agencyName: (id) => agencies.get(id) ?? id,
        registry: metrics.registry,
        log: notices,
        // a clock that became overdue as the day passed: its document did not change, the live views are told here
        onBecameOverdue: (ids) => void changes.publish({ collection: CLOCKS, ids }).catch((e: Error) => notices.error(`无法发布逾期变更（实时订阅将错过这一次）：${e.message}`)),
      });
    } catch (e) {
      await closeAll();
      if (e instanceof WebhookConfigError || e instanceof KafkaSettingsError) throw new StartupError(e.message);
      throw new StartupError(`无法打开通知发件箱：${describeError(e)}`);
    }
  })();
  // --- end notifications ---
  // --- audit (issue 18): the replica holding the sealer lease seals signed checkpoints on the schedule ---
  const lastSealed = new Gauge({
    name: 'liandong_audit_checkpoint_covers_position',
    help: 'The event position the newest checkpoint this replica sealed covers (0 until it seals one)',
    registers: [metrics.registry],
  });
  lastSealed.set(0);
  const sealer = await (async () => {
    if (signer.signer === null) {
      log.warn('未配置检查点签名密钥（audit.signingKeyFile 或环境变量 LIANDONG_AUDIT_SIGNING_KEY）：不封存审计检查点，删除整条流或流尾将无法被 audit verify 发现');
      return null;
    }
    const lease = await openRedisLease({ url: redis.url, keyPrefix: redis.keyPrefix, name: SEALER_LEASE, ttlMs, holder: roster.self });
    opened.push(lease);
    return createDistributedSealer({
      store,
      signer: signer.signer,
      lease,
      clock: systemClock,
      intervalMs: config.audit.checkpointIntervalSeconds * 1000,
      log: namespaced(logger, '审计'),
      onWritten: (written) => lastSealed.set(Number(written.covers)),
    });
  })();
  // --- end audit ---
  const leaseOwner = new Gauge({
    name: 'liandong_projection_lease_owner',
    help: '1 while this replica owns the lease of the projection',
    labelNames: ['projection'],
    registers: [metrics.registry],
  });
  const leaseToken = new Gauge({
    name: 'liandong_projection_lease_token',
    help: 'Fencing token of the current term of the projection (0 while another replica owns it)',
    labelNames: ['projection'],
    registers: [metrics.registry],
  });
  for (const projection of projections) {
    leaseOwner.set({ projection: projection.name }, 0);
    leaseToken.set({ projection: projection.name }, 0);
  }
  const changes = openRedisChangeFeed({ url: redis.url, keyPrefix: redis.keyPrefix, connectionName: 'liandong-projector', log: { error: (message) => logger.error({ ns: '订阅' }, message) } });
  const shared = createSharedProjections({
    roster,
    leases,
    log,
    createOwnership: (name, lease, share) => {
      const projection = projections.find((p) => p.name === name)!;
      const named = namespaced(logger, `投影 ${name}`);
      return createProjectionOwnership({
        lease,
        share,
        // a store instance per term: its checkpoint fencing starts from what this term commits
        openReadModels: async () => {
          const readModels = await openRedisReadModelStore({
            url: redis.url,
            keyPrefix: redis.keyPrefix,
            connectionName: `liandong-projector:${name}`,
            maxWriters: 2,
            logger: { error: (message, fields) => named.child.error({ err: fields?.['error'] }, message) },
          });
          if (name !== caseSearchProjection.name) return readModels;
          // search (issue 17): the term's owner feeds the index as it commits, and rebuilds it if it was lost
          if (await rebuildIfIndexLost(readModels, caseSearch)) named.warn('案件搜索索引为空（表被清空？）：从第一个事件起重建');
          return feedCaseSearch(readModels, caseSearch);
        },
        createRunner: (readModels) =>
          createProjectionRunner({
            store,
            // live updates (issue 17): the gateways' subscriptions hear which clocks and cases each commit changed
            readModels: publishingReadModels(readModels, { feed: changes, collections: LIVE_COLLECTIONS, onPublishError: (e) => named.error(`无法发布读模型变更（实时订阅将错过这一次）：${(e as Error).message}`) }),
            projections: [projection],
            ctx: { deadlines },
            contextVersion, // deadlines.md rule 7: the owner rebuilds a projection built under another calendar
            onContextRebuild: ([rebuilt]) =>
              named.info(
                rebuilt?.because === 'revision'
                  ? '本版程序改变了此读模型的内容：从第一个事件起重建'
                  : '节假日日历或期限配置与此读模型构建时不同：从头重建，受影响的法定期限随之重算',
              ),
            logger: { info: () => undefined, error: (message) => named.error(message) },
          }),
        log: named,
        onChange: (state: OwnershipState) => {
          leaseOwner.set({ projection: name }, state.role === 'owner' ? 1 : 0);
          leaseToken.set({ projection: name }, state.role === 'owner' ? Number(state.token) : 0);
        },
      });
    },
  });

  const app = createHttpApp({
    metrics,
    health: {
      // ready when every projection this replica owns is caught up and healthy; owning none, it is ready to take some
      notReadyReason: async () => {
        const checkpoints: (bigint | null)[] = [];
        for (const [name, ownership] of shared.ownerships) {
          const state = ownership.state();
          if (state.role === 'stopped') return '正在停止';
          const runner = ownership.runner();
          if (state.role !== 'owner' || runner === null) continue;
          if (!state.caughtUp) return `刚取得投影 ${name} 的租约，正在从检查点追赶事件`;
          const trouble = projectionNotReadyReason(runner.status()); // stopped, or retrying after a store error
          if (trouble !== null) return trouble;
          checkpoints.push(...runner.status().map((p) => p.checkpoint));
        }
        const behind = checkpoints.length === 0 ? 0 : await eventsBehind(store, checkpoints, READY_LAG);
        metrics.projectionLag.set(behind);
        return behind > READY_LAG ? `读模型落后事件库超过 ${READY_LAG} 个事件` : null;
      },
    },
    routers: [],
    log: logger,
  });
  const server: Server = await new Promise<Server>((ok, fail) => {
    const s = app.listen(options.port, options.host, (error?: Error) => (error ? fail(error) : ok(s)));
  }).catch(async (e: NodeJS.ErrnoException) => {
    await closeAll();
    if (e.code === 'EADDRINUSE') throw new StartupError(`端口 ${options.port} 已被占用：请用 --port（或 LIANDONG_PORT）指定其他端口`);
    throw e;
  });
  const url = `http://${options.host}:${(server.address() as { port: number }).port}`;

  await shared.start();
  await notifications.start();
  await sealer?.start();
  processLog.banner(
    [
      '',
      '联动 liandong —— 投影进程 (project) 已就绪',
      `  事件存储:            ${where}`,
      `  读模型:              ${redis.where}`,
      `  投影:                ${projections.map((p) => p.name).join('、')}`,
      `  投影租约:            每个投影一个：${redis.keyPrefix}lease:${LEASE_GROUP}:<投影名>（TTL ${ttlMs} ms，每 ${Math.floor(ttlMs / 3)} ms 续约）`,
      `                       副本名 ${roster.self}；各副本分担投影（每个副本至多取其应得份额），`,
      '                       每个投影同一时刻只有一个副本写入；某副本停止续约后，其投影由其余副本各自接管',
      `  通知:                租约 ${redis.keyPrefix}lease:${NOTIFIER_LEASE} 的持有副本发送；${notifications.routes()}`,
      `  审计检查点:          ${sealer ? `租约 ${redis.keyPrefix}lease:${SEALER_LEASE} 的持有副本每 ${config.audit.checkpointIntervalSeconds} 秒封存一次（密钥 id ${signer.signer!.keyId}，来自 ${signer.source}）` : '未封存（没有签名密钥）'}`,
      `  健康检查:            ${url}/healthz  ${url}/readyz  ${url}/metrics`,
      `  配置文件:            ${configPath}`,
      ...nodeReleaseBannerLines(), // end-of-life warning (issue 19)
      '  按 Ctrl+C 停止。',
      '',
    ],
    '联动 liandong —— 投影进程 (project) 已就绪',
    { url, healthz: `${url}/healthz`, metrics: `${url}/metrics`, eventStore: where, readModels: redis.where, projections: projections.map((p) => p.name), replica: roster.self, leaseTtlMs: ttlMs, config: configPath,
      auditCheckpoints: sealer ? { lease: `${redis.keyPrefix}lease:${SEALER_LEASE}`, intervalSeconds: config.audit.checkpointIntervalSeconds, keyId: signer.signer!.keyId } : null,
      notifications: { lease: `${redis.keyPrefix}lease:${NOTIFIER_LEASE}`, routes: notifications.routes() } },
  );
  if (processLog.format === 'json') for (const line of nodeReleaseBannerLines()) logger.warn(line.trim());

  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `收到 ${signal}，正在停止：应用已读取的事件，释放本副本持有的投影租约（其余副本随即接管），关闭存储…`);
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    await notifications.stop(); // a webhook call in flight is finished; the lease is released for another replica
    await sealer?.stop(); // a last checkpoint seals what was stored up to the stop
    await shared.stop();
    await changes.close();
    await closed;
    await closeAll();
    logger.info('已停止。');
    resolveStopped(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return { stopped };
}

/** an error and its cause on one line, for start-up messages */
function describeError(error: unknown): string {
  const e = error as Error;
  return e.cause ? `${e.message}（${e.cause instanceof Error ? e.cause.message : String(e.cause)}）` : e.message;
}
