/**
 * Composition root of `liandong ingest` (distributed mode): Kafka agency topics → ingest pipeline →
 * event store. Wiring only; the consumer's rules live in infra/kafka/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { Agency } from '../../domain/shared/agencies.js';
import { systemClock } from '../clock.js';
import { loadConfigFile } from '../config/loadConfig.js';
import type { EventStore } from '../../ports/eventStore.js';
import { createHttpApp } from '../http/app.js';
import { countKafkaChunks, createMetrics } from '../http/metrics.js';
import { openSqliteEventStore } from '../eventStore/sqliteEventStore.js';
import { createIngestPipeline } from '../ingest/pipeline.js';
import { createValidator } from '../ingest/validator.js';
import { ingestReadiness } from '../kafka/ingestReadiness.js';
import { createProcessLogger, namespaced } from '../log/logger.js';
import { KafkaSettingsError, kafkaSettingsFromEnv, type KafkaSettings } from '../kafka/settings.js';
import { describeKafkaIngest, startKafkaIngest, type StartedKafkaIngest } from '../kafka/startIngest.js';
import type { RejectionStore } from '../../ports/rejectionStore.js';
import { openSqliteRejectionStore } from '../rejections/sqliteRejectionStore.js';
import { databaseWhere, openEventStoreFromEnv, openRejectionStoreFromEnv, smallPoolMax } from './distributedStores.js';
import { nodeReleaseBannerLines } from '../nodeRelease.js';
import type { ParkingLot } from '../../ports/parkingLot.js';
import { openPostgresParkingLot } from '../parking/postgresParkingLot.js';
import { openSqliteParkingLot } from '../parking/sqliteParkingLot.js';
import { registerParkingGauges } from '../parking/parkingGauges.js';
import { parkingOf } from '../parking/openParking.js';

export interface IngestOptions {
  configPath: string | undefined;
  /** --brokers; KAFKA_BROKERS otherwise */
  brokers: string | undefined;
  /** PostgreSQL event store */
  databaseUrl: string | undefined;
  /** SQLite event store in this directory (when there is no DATABASE_URL) */
  dataDir: string | undefined;
  /** /healthz /readyz /metrics (0: any free port) */
  port: number;
  host: string;
  env: NodeJS.ProcessEnv;
}

const PROGRESS_INTERVAL_MS = 10_000;

export async function startIngest(options: IngestOptions): Promise<{ stopped: Promise<number> }> {
  const configPath = options.configPath ?? (existsSync('liandong.config.json') ? 'liandong.config.json' : undefined);
  if (!configPath) return refuse('liandong ingest 需要配置文件：用 --config FILE 或环境变量 LIANDONG_CONFIG 指定（或在当前目录放置 liandong.config.json）');
  const config = loadConfigFile(configPath);
  let settings: KafkaSettings;
  try {
    settings = kafkaSettingsFromEnv(options.env, options.brokers === undefined ? {} : { brokers: options.brokers });
  } catch (e) {
    if (e instanceof KafkaSettingsError) return refuse(e.message);
    throw e;
  }
  const agencies = new Map<string, Agency>(config.agencies.map((a) => [a.id, a]));
  const clock = systemClock;
  const processLog = createProcessLogger({ env: options.env });
  const { logger } = processLog;
  const log = namespaced(logger, 'ingest');

  let stores: Awaited<ReturnType<typeof openStores>>;
  try {
    stores = await openStores(options);
  } catch (e) {
    return refuse(`无法打开事件存储：${(e as Error).message}`, 1);
  }
  let kafka: StartedKafkaIngest | undefined;
  const pipeline = createIngestPipeline({
    store: stores.store,
    rejections: stores.rejections,
    validator: createValidator(),
    agencies,
    copyNoticeRecipients: config.copyNoticeRecipients,
    clock,
    // events.md §5: events waiting for another agency's fact are held in the shared lot; those from Kafka that run
    // out of time are reported on the rejections topic like any rejection
    parking: { ...parkingOf(stores.parking, config), channels: ['kafka'] },
    onParkedOutcome: (outcomes) => kafka?.ingest.reportParked(outcomes) ?? Promise.reject(new Error('Kafka 尚未连接')),
    warn: (m) => log.warn(m),
  });

  const metrics = createMetrics();
  registerParkingGauges(metrics.registry, stores.parking, clock);
  const app = createHttpApp({
    metrics,
    health: ingestReadiness({ consumerState: () => kafka?.ingest.state() ?? null, store: stores.store }),
    routers: [],
    log: logger,
  });
  // listening before Kafka is joined: liveness holds while topics are created, /readyz says why not yet
  let server: Server;
  try {
    server = await new Promise<Server>((ok, fail) => {
      const s = app.listen(options.port, options.host, (error?: Error) => (error ? fail(error) : ok(s)));
    });
  } catch (e) {
    await stores.close();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return refuse(`端口 ${options.port} 已被占用：请用 --port（或 LIANDONG_PORT）指定其他端口`);
    return refuse(`无法监听 ${options.host}:${options.port}：${(e as Error).message}`, 1);
  }
  const url = `http://${options.host}:${(server.address() as { port: number }).port}`;
  const closeServer = (): Promise<void> => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    // only probes are ever in flight here: cut them rather than hold up the stop
    server.closeAllConnections();
    return closed;
  };

  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  let stopping = false;
  // eslint-disable-next-line prefer-const -- assigned after stop() is defined, which clears it
  let progress: NodeJS.Timeout | undefined;
  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(progress);
    logger.info(`${reason}，正在停止：不再拉取新消息，完成进行中的批次并提交位移，然后关闭存储…`);
    await kafka?.ingest.stop().catch((e: Error) => log.error(`断开 Kafka 时出错：${e.message}`));
    await closeServer();
    await pipeline.stop();
    await stores.close();
    const c = kafka?.ingest.counts();
    logger.info(c ? { ...c } : {}, c ? `已停止。本次运行共处理：暂存 ${c.parked}，接收 ${c.accepted}，重复 ${c.duplicate}，退回 ${c.rejected}` : '已停止。');
    resolveStopped(code);
  };

  logger.info({ brokers: settings.brokers, url }, `联动 liandong —— 事件接入进程 (ingest) 正在启动：连接 Kafka ${settings.brokers.join(',')} …（健康检查 ${url}/healthz）`);
  try {
    kafka = await startKafkaIngest({
      settings,
      pipeline,
      agencies,
      clock,
      log,
      onChunk: countKafkaChunks(metrics),
      onFatal: () => void stop('Kafka 消费者无法恢复', 1),
    });
  } catch (e) {
    await closeServer();
    await pipeline.stop();
    await stores.close();
    return refuse(`无法连接 Kafka ${settings.brokers.join(',')} 或创建主题：${(e as Error).message}`, 1);
  }

  let reported = '';
  progress = setInterval(() => {
    const c = kafka!.ingest.counts();
    const line = `累计：暂存 ${c.parked}，接收 ${c.accepted}，重复 ${c.duplicate}，退回 ${c.rejected}`;
    if (line !== reported) log.info(line);
    reported = line;
  }, PROGRESS_INTERVAL_MS);
  progress.unref();

  processLog.banner(
    [
      '',
      '联动 liandong —— 事件接入进程 (ingest) 已就绪',
      ...describeKafkaIngest(kafka),
      `  事件存储:            ${stores.where}`,
      `  健康检查:            ${url}/healthz  ${url}/readyz  ${url}/metrics`,
      `  配置文件:            ${configPath}`,
      '  提交策略:            事件入库或退回留存之后才提交位移（至少一次投递 + 幂等追加：不丢失、不重复）',
      ...nodeReleaseBannerLines(), // end-of-life warning (issue 19)
      '  按 Ctrl+C 停止。',
      '',
    ],
    `联动 liandong —— 事件接入进程 (ingest) 已就绪：${describeKafkaIngest(kafka).map((l) => l.trim()).join('；')}`,
    { url, healthz: `${url}/healthz`, metrics: `${url}/metrics`, eventStore: stores.where, config: configPath },
  );
  if (processLog.format === 'json') for (const line of nodeReleaseBannerLines()) logger.warn(line.trim());

  process.once('SIGINT', () => void stop('收到 SIGINT', 0));
  process.once('SIGTERM', () => void stop('收到 SIGTERM', 0));
  return { stopped };
}

function refuse(message: string, code = 2): { stopped: Promise<number> } {
  console.error(message);
  return { stopped: Promise.resolve(code) };
}

async function openStores(options: IngestOptions): Promise<{ store: EventStore; rejections: RejectionStore; parking: ParkingLot; where: string; close(): Promise<void> }> {
  const dataDir = resolve(options.dataDir ?? './data');
  mkdirSync(dataDir, { recursive: true });
  // --- distributed mode (issue 6): the event store as `project` and `gateway` open it (EVENTSTORE_URL, else
  // DATABASE_URL); rejections in PostgreSQL whenever DATABASE_URL is set, so every replica files them in one table
  if (options.env.EVENTSTORE_URL || options.databaseUrl) {
    const env = { ...options.env, DATABASE_URL: options.databaseUrl };
    const events = await openEventStoreFromEnv(env, systemClock);
    let rejections: RejectionStore | undefined;
    let parking: ParkingLot;
    let rejectionsWhere: string;
    try {
      if (options.databaseUrl) {
        rejections = (await openRejectionStoreFromEnv(env)).rejections;
        const schema = options.env.DATABASE_SCHEMA || undefined;
        parking = await openPostgresParkingLot({ connectionString: options.databaseUrl, ...(schema ? { schema } : {}), maxConnections: Math.min(2, smallPoolMax(env)) });
        rejectionsWhere = `退回记录与暂存事件在 PostgreSQL ${databaseWhere(env)}`;
      } else {
        // EventStoreDB without PostgreSQL: a single ingest replica's local file (gateways cannot list these)
        const rejectionsPath = join(dataDir, 'rejections.db');
        rejections = openSqliteRejectionStore({ path: rejectionsPath });
        parking = openSqliteParkingLot({ path: join(dataDir, 'parked.db') });
        rejectionsWhere = `退回记录与暂存事件在本机 SQLite ${dataDir}（设置 DATABASE_URL 以便网关和其他副本共享）`;
      }
    } catch (e) {
      await rejections?.close();
      await events.store.close();
      throw e;
    }
    const opened = rejections;
    return {
      store: events.store,
      rejections: opened,
      parking,
      where: `${events.where}；${rejectionsWhere}`,
      close: async () => {
        await events.store.close();
        await opened.close();
        await parking.close();
      },
    };
  }
  // --- end distributed mode ---
  const path = join(dataDir, 'liandong.db');
  const store = openSqliteEventStore({ path, clock: systemClock });
  const rejections = openSqliteRejectionStore({ database: store.database });
  const parking = openSqliteParkingLot({ database: store.database });
  return { store, rejections, parking, where: `SQLite ${path}`, close: () => store.close() };
}
