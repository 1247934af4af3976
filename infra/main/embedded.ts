import { CLOCKS } from '../../projections/clocks/clocks.projection.js';
import { checkPortFree, discardInterruptedDemo, lockDataDir, markDemoFinished, markDemoStarted, portError, readDemoMarker, securePrivateDirectory, StartupError } from './dataDir.js'; // issue 13
import { Interrupted, onStopSignals } from '../cli/interrupt.js'; // issue 13
import { resolve, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import express from 'express';
import type { Agency } from '../../domain/shared/agencies.js';
import { createAuthenticator } from '../../gateway/auth.js';
import { createGraphqlRouter } from '../../gateway/server.js';
import { consoleRouter } from '../../gateway/console.js'; // web console (issue 9)
import { systemClock } from '../clock.js';
import { configWarnings, loadConfigFile } from '../config/loadConfig.js';
import type { PlatformConfig } from '../config/schema.js';
import { openSqliteEventStore } from '../eventStore/sqliteEventStore.js';
import { createHttpApp, httpLimitsFrom } from '../http/app.js';
import { projectionHealthProbe } from '../http/projectionHealth.js'; // self-healing projections (issue 13)
import { ingestRoute } from '../http/ingestRoute.js';
import { countKafkaChunks, createMetrics } from '../http/metrics.js';
import { createIngestPipeline } from '../ingest/pipeline.js';
import { createValidator } from '../ingest/validator.js';
import { openSqliteRejectionStore } from '../rejections/sqliteRejectionStore.js';
import { createProcessLogger, namespaced, type ProcessLogger } from '../log/logger.js';
import { KafkaSettingsError, kafkaSettingsFromEnv, type KafkaSettings } from '../kafka/settings.js';
import { describeKafkaIngest, startKafkaIngest, type StartedKafkaIngest } from '../kafka/startIngest.js';
import { openSqliteParkingLot } from '../parking/sqliteParkingLot.js';
import { registerParkingGauges } from '../parking/parkingGauges.js';
import { parkingOf } from '../parking/openParking.js';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import cliProgress from 'cli-progress';
import { chineseDaysCalendar } from '../calendar/chineseDays.js';
import { deadlineContextVersion } from '../calendar/fingerprint.js';
import { openEmbeddedReadModelStore } from '../readModels/embeddedReadModelStore.js';
import { createProjectionRunner } from '../../projections/runner.js';
import { createInProcessChangeFeed } from '../../ports/changeFeed.js';
import { LIVE_COLLECTIONS } from '../../gateway/resolvers/subscriptions.js';
import { publishingReadModels } from '../readModels/publishingReadModels.js';
import { allProjections } from '../../projections/index.js';
import { createCommandHandler } from '../../application/commandHandler.js';
import { loadDemoCity } from '../demo/wire.js';
import type { GatewayServices } from '../../gateway/context.js';
import { embeddedVerifyTarget, openEmbeddedAudit } from '../audit/auditServices.js'; // audit (issue 7); verify in a worker (issue 14)
import { nodeReleaseBannerLines } from '../nodeRelease.js'; // end-of-life warning (issue 19)
import { openEmbeddedNotifications } from '../notifications/embeddedNotifications.js'; // notifications (issue 17)
import { WebhookConfigError } from '../notifications/webhookSender.js';
import { openSqliteCaseSearch } from '../search/sqliteCaseSearch.js'; // search (issue 17)
import { feedCaseSearch, rebuildIfIndexLost } from '../../projections/caseSearch/feedCaseSearch.js';

export interface EmbeddedOptions {
  configPath: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  demo: boolean;
}

const DEMO_CONFIG = join(dirname(fileURLToPath(import.meta.url)), '..', 'config', 'demo.config.json');

/** Composition root of embedded mode: one process, SQLite store, GraphQL + HTTP ingest on one port. */
export async function startEmbedded(options: EmbeddedOptions): Promise<{ url: string; stopped: Promise<number> }> {
  const configPath = options.configPath ?? (existsSync('liandong.config.json') ? 'liandong.config.json' : DEMO_CONFIG);
  const config: PlatformConfig = loadConfigFile(configPath);
  const log = createProcessLogger();
  const { logger } = log;
  // retired settings still accepted from released configs: said once, here, so the operator can remove them
  for (const warning of configWarnings(config)) logger.warn({ ns: '配置' }, warning);
  const agencies = new Map<string, Agency>(config.agencies.map((a) => [a.id, a]));
  const dataDir = resolve(options.dataDir);
  const isDemoConfig = configPath === DEMO_CONFIG;
  // Kafka settings (issue 18 item 4: TLS and SASL) are checked before anything is opened: a bad one is one line
  const kafkaSettings = process.env.KAFKA_BROKERS ? kafkaSettingsOrRefuse(process.env) : undefined;
  // --- clean process behaviour (issue 13): before any store is opened, the data directory is made private
  // (0700, files 0600) and locked for this process, and the port checked — each a one-line StartupError ---
  securePrivateDirectory(dataDir);
  const lock = lockDataDir(dataDir);
  try {
    await checkPortFree(options.port, options.host);
    if (readDemoMarker(dataDir)?.state === 'started') {
      if (!options.demo || !isDemoConfig) {
        throw new StartupError(
          `数据目录 ${dataDir} 中的演示数据上次载入时被中断，内容不完整：请不带 --config 和 --no-demo 启动（npm start），会删除不完整的演示数据并重新载入；或用 --data-dir 指定其他目录`,
        );
      }
      const removed = discardInterruptedDemo(dataDir);
      logger.warn(`演示数据上次载入时被中断（载入途中进程结束）：已删除不完整的演示数据（${removed.join('、') || '无文件'}），现在重新载入。`);
    }
  } catch (error) {
    lock.release();
    throw error;
  }
  // --- end clean process behaviour ---
  const clock = systemClock;

  const store = openSqliteEventStore({ path: join(dataDir, 'liandong.db'), clock });
  const rejections = openSqliteRejectionStore({ database: store.database });
  const metrics = createMetrics();
  const authenticate = createAuthenticator(config.principals, agencies);
  // --- parking (events.md §5): events waiting for another agency's fact, in the event store's file ---
  const parking = openSqliteParkingLot({ database: store.database });
  registerParkingGauges(metrics.registry, parking, clock);
  const pipeline = createIngestPipeline({
    store,
    rejections,
    validator: createValidator(),
    agencies,
    copyNoticeRecipients: config.copyNoticeRecipients,
    clock,
    parking: parkingOf(parking, config),
    onParkedOutcome: (outcomes) => kafka?.ingest.reportParked(outcomes) ?? Promise.resolve(),
    warn: (m) => logger.warn({ ns: '暂存' }, m),
  });
  // eslint-disable-next-line prefer-const -- started after the HTTP server; parked Kafka events report through it
  let kafka: StartedKafkaIngest | undefined;
  // --- end parking ---
  // --- audit (issue 7): checkpoint signing key (generated into the data dir unless configured), access log ---
  const audit = (() => {
    try {
      return openEmbeddedAudit({ config, configPath, dataDir, store, rejections, verifyTarget: embeddedVerifyTarget(dataDir), clock, log: namespaced(logger, '审计') });
    } catch (e) {
      void store.close();
      throw (e as Error).name === 'SigningKeyError' ? new StartupError((e as Error).message) : e;
    }
  })();
  // --- end audit ---

  const deadlines = { calendar: chineseDaysCalendar(config.calendar.years), policy: config.deadlines };
  const readModels = openEmbeddedReadModelStore({ path: join(dataDir, 'readmodels.db') });
  // --- search (issue 17): the index in a file of its own, fed as the caseSearch projection commits ---
  const caseSearch = openSqliteCaseSearch({ path: join(dataDir, 'search.db') });
  if (await rebuildIfIndexLost(readModels, caseSearch)) logger.warn({ ns: '读模型' }, '案件搜索索引为空（search.db 被删除？）：从第一个事件起重建');
  // --- end search ---
  // live updates (issue 17): the runner's commits tell the subscriptions which clocks and cases changed
  const changes = createInProcessChangeFeed((e) => logger.error({ ns: '订阅', err: e }, `实时订阅处理变更时出错：${(e as Error).message}`));
  const runner = createProjectionRunner({
    store,
    readModels: publishingReadModels(feedCaseSearch(readModels, caseSearch), { feed: changes, collections: LIVE_COLLECTIONS }),
    projections: allProjections(),
    ctx: { deadlines },
    contextVersion: deadlineContextVersion(deadlines), // deadlines.md rule 7: a changed calendar rebuilds at start
    onContextRebuild: (rebuilt) => {
      const byContext = rebuilt.filter((p) => p.because === 'context').map((p) => p.name);
      const byRevision = rebuilt.filter((p) => p.because === 'revision').map((p) => p.name);
      if (byContext.length > 0) {
        logger.warn({ ns: '读模型', readModels: byContext }, `节假日日历或期限配置与上次启动时不同：${byContext.length} 个读模型将按新配置从头重建，受影响的法定期限随之重算（${byContext.join('、')}）`);
      }
      if (byRevision.length > 0) {
        logger.warn({ ns: '读模型', readModels: byRevision }, `本版程序改变了 ${byRevision.length} 个读模型的内容：从第一个事件起重建（${byRevision.join('、')}）`);
      }
    },
    onProgress: catchUpProgress(await store.headPosition()),
    // routine catch-up notes stay quiet (the progress bar shows it); a failing projection is loud
    logger: { info: () => undefined, error: (message, fields) => logger.error({ ns: '读模型', err: fields?.['error'] }, message) },
  });
  await runner.start(); // catch up from the checkpoints before serving anything
  const waitForProjections = (position: bigint) => runner.waitFor(position, 10_000);
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
    audit: audit.verifier, // audit (issue 7)
    accessLog: audit.accessLog, // audit (issue 7)
    caseSearch, // search (issue 17)
    changes, // live updates (issue 17)
    parking, // publishStatus PARKED (events.md §5)
  };
  if (options.demo && isDemoConfig && (await store.headPosition()) === null) {
    // issue 13: marked started/finished in the data dir (a killed load is loaded again at the next start);
    // Ctrl+C / SIGTERM stops it between steps and closes the stores
    const marker = markDemoStarted(dataDir, clock.now());
    const interrupt = new AbortController();
    const release = onStopSignals((signal) => interrupt.abort(new Interrupted(signal, `演示数据载入已中断（${signal}）：下次启动时会删除不完整的演示数据并重新载入。`)));
    const result = await loadDemoCity({ config, agencies, pipeline, commands: services.commands, newMeetingId: services.newMeetingId, now: clock.now(), waitForProjections, signal: interrupt.signal })
      .catch(async (error: unknown) => {
        if (error instanceof Interrupted) {
          await runner.stop();
          await readModels.close();
          await caseSearch.close(); // search (issue 17)
          await audit.stop();
          await store.close();
          lock.release();
        }
        throw error;
      })
      .finally(release);
    markDemoFinished(dataDir, marker, clock.now(), result);
    logger.info({ ns: '演示数据', accepted: result.accepted, rejected: result.rejected, mutations: result.mutations }, `演示数据：${result.accepted} 个事件已接收，${result.rejected} 个示例错误事件已按预期退回${result.parked ? `（其中 ${result.parked} 个所指案件不存在，先暂存，${config.ingest.parkingMinutes} 分钟后退回）` : ''}，${result.mutations} 项推进会操作。`);
    if (result.unexpected.length > 0) logger.warn({ ns: '演示数据', unexpected: result.unexpected.slice(0, 10) }, `注意：演示数据有 ${result.unexpected.length} 处与预期不符`);
  }
  // --- audit (issue 7): seal what is stored now (the demo city included), then every interval ---
  await audit.start();
  // --- end audit ---
  // --- notifications (issue 17): the outbox follows the event log from here on; webhooks with backoff ---
  const notifications = (() => {
    try {
      return openEmbeddedNotifications({ config, dataDir, events: store, readModels, clock, calendar: deadlines.calendar, agencyName: (id) => agencies.get(id)?.name ?? id, registry: metrics.registry, env: process.env, log: { info: (m) => logger.info({ ns: '通知' }, m), error: (m) => logger.error({ ns: '通知' }, m) }, onBecameOverdue: (ids) => void changes.publish({ collection: CLOCKS, ids }).catch(() => undefined) });
    } catch (e) {
      if (e instanceof WebhookConfigError) throw new StartupError(e.message);
      throw e;
    }
  })();
  services.notifications = notifications.outbox;
  // not awaited: the first clock scan reads every running clock due soon, which must not hold up serving; a pass
  // that fails is logged and tried again by the notifier itself
  void notifications.start();
  // --- end notifications ---

  const graphql = await createGraphqlRouter({
    services,
    authenticate,
    introspection: config.graphql.introspection,
    graphiql: config.graphql.graphiql,
    onOperation: (outcome) => metrics.graphqlOperations.inc({ outcome }),
    accessLog: audit.accessLog, // audit (issue 7): every operation, by anyone
    log: logger,
  });
  const ingest = express.Router().post('/v1/events', ingestRoute({ authenticate, pipeline, rejections, clock, metrics, waitForProjections }));
  const app = createHttpApp({
    metrics,
    limits: httpLimitsFrom(config, process.env), // limits before work (issue 13)
    // a stopped projection, one retrying after a store error (a full disk), or a lag over READY_LAG: not ready
    health: projectionHealthProbe({ runner, metrics, readyLag: READY_LAG }),
    // --- web console (issue 9): the built web/dist at / ---
    routers: [ingest, graphql.router, consoleRouter()],
    // --- end web console ---
    log: logger,
  });

  const server: Server = await new Promise((ok, fail) => {
    // express 5 hands a listen error to the callback
    const s = app.listen(options.port, options.host, (error?: Error) => (error ? fail(error) : ok(s)));
  }).catch(async (e: NodeJS.ErrnoException) => {
    await notifications.stop();
    await runner.stop();
    await readModels.close();
    await caseSearch.close(); // search (issue 17)
    await audit.stop(); // audit (issue 7)
    await store.close();
    lock.release(); // issue 13
    throw portError(e, options.port, options.host);
  }) as Server;
  graphql.serveSubscriptions(server); // live updates (issue 17): graphql-ws at /graphql
  const url = `http://${options.host}:${(server.address() as { port: number }).port}`;
  // --- Kafka (issue 5): embedded mode also consumes the agency topics when KAFKA_BROKERS is set ---
  kafka = kafkaSettings
    ? await startKafkaIngest({ settings: kafkaSettings, pipeline, agencies, clock, log: namespaced(logger, 'kafka'), onChunk: countKafkaChunks(metrics) }).catch(async (e: unknown) => {
        await new Promise((r) => server.close(r));
        await graphql.stop();
        await store.close();
        throw e;
      })
    : undefined;
  // --- end Kafka ---
  printBanner(log, { url, dataDir, configPath, config, isDemoConfig });
  if (kafka) log.banner([...describeKafkaIngest(kafka), ''], describeKafkaIngest(kafka).map((l) => l.trim()).join('；'), { ns: 'kafka' });

  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `收到 ${signal}，正在停止：不再接收新请求，完成进行中的请求后关闭存储…`);
    // close() waits for in-flight requests; idle keep-alive sockets are closed so it does not hang
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    await graphql.closeSubscriptions(); // issue 17: an open subscription socket would keep the server from closing
    void audit.verifier.stop(); // issue 14: a running auditVerify (minutes on a large store) is not waited for: it answers 审计校验已中止
    await closed;
    await notifications.stop(); // a webhook call in flight is finished (or times out); its notice stays pending otherwise
    await kafka?.ingest.stop(); // Kafka (issue 5): finish the in-flight chunk, commit, leave the group
    await pipeline.stop(); // parking: no more passes over the lot; what is parked stays parked
    await graphql.stop();
    await audit.stop(); // audit (issue 7): a last checkpoint, then close the access log
    await runner.stop();
    await readModels.close();
    await caseSearch.close(); // search (issue 17)
    await store.close();
    lock.release(); // issue 13
    logger.info('已停止。');
    resolveStopped(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return { url, stopped };
}

/** A start-up problem the operator can fix; the CLI prints the message without a stack trace. */
export { StartupError };

function kafkaSettingsOrRefuse(env: NodeJS.ProcessEnv): KafkaSettings {
  try {
    return kafkaSettingsFromEnv(env);
  } catch (e) {
    throw e instanceof KafkaSettingsError ? new StartupError(e.message) : e;
  }
}

/** /readyz answers "not ready" while the read models trail the store by more than this many events */
const READY_LAG = 1000n;

/** A progress bar while catching up a large store at start-up; silent for small ones. */
function catchUpProgress(head: bigint | null) {
  if (head === null || head < 20_000n) return undefined;
  const bar = new cliProgress.SingleBar({ format: '  读模型追赶中 [{bar}] {percentage}% | {value}/{total} 事件', hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(Number(head), 0);
  return (p: { position: bigint }) => {
    bar.update(Number(p.position));
    if (p.position >= head) bar.stop();
  };
}

function printBanner(log: ProcessLogger, p: { url: string; dataDir: string; configPath: string; config: PlatformConfig; isDemoConfig: boolean }) {
  const lines = [
    '',
    '联动 liandong —— 嵌入式平台已就绪',
    `  工作台 (浏览器):     ${p.url}/   （待办、推进会、季通报、案件、审计）`, // web console (issue 9)
    `  GraphQL / GraphiQL:  ${p.url}/graphql   （浏览器打开即可查询）`,
    `  事件接入 (HTTP):     POST ${p.url}/v1/events`,
    `  健康检查:            ${p.url}/healthz  ${p.url}/readyz  ${p.url}/metrics`,
    `  数据目录:            ${p.dataDir}`,
    `  配置文件:            ${p.isDemoConfig ? '内置演示配置（云岭市）' : p.configPath}`,
  ];
  const plain = p.config.principals.filter((x) => x.token);
  if (p.isDemoConfig && plain.length > 0) {
    lines.push('  演示令牌 (Authorization: Bearer <令牌>)：');
    // the city's agencies, the organizer and the auditor; the districts' and townships' in one line (27 agencies)
    const cityLevel = plain.filter((x) => (p.config.agencies.find((a) => a.id === x.agencyId)?.level ?? 'city') === 'city');
    for (const x of cityLevel) lines.push(`    ${x.token!.padEnd(16)} ${x.roles.join('+').padEnd(18)} ${x.name}（${p.config.agencies.find((a) => a.id === x.agencyId)?.name}）`);
    const others = plain.length - cityLevel.length;
    if (others > 0) lines.push(`    另有区、镇（街道）${others} 个机构的令牌，如 ${plain.filter((x) => !cityLevel.includes(x)).slice(0, 2).map((x) => x.token).join('、')}（见 infra/config/demo.config.json）`);
  }
  lines.push(...nodeReleaseBannerLines(), '  按 Ctrl+C 停止。', ''); // end-of-life warning (issue 19)
  // in JSON: one record a log shipper can read (the addresses, no token), and the Node.js warning as its own
  log.banner(lines, '联动 liandong —— 嵌入式平台已就绪（按 Ctrl+C 停止）', {
    url: p.url,
    graphql: `${p.url}/graphql`,
    ingest: `${p.url}/v1/events`,
    healthz: `${p.url}/healthz`,
    metrics: `${p.url}/metrics`,
    dataDir: p.dataDir,
    config: p.isDemoConfig ? 'demo' : p.configPath,
  });
  if (log.format === 'json') for (const line of nodeReleaseBannerLines()) log.logger.warn(line.trim());
}
