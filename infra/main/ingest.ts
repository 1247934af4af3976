/**
 * Composition root of `liandong ingest` (distributed mode): Kafka agency topics → ingest pipeline →
 * event store. Wiring only; the consumer's rules live in infra/kafka/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Agency } from '../../domain/shared/agencies.js';
import { systemClock } from '../clock.js';
import { loadConfigFile } from '../config/loadConfig.js';
import type { EventStore } from '../eventStore/eventStore.js';
import { openPostgresEventStore } from '../eventStore/postgresEventStore.js';
import { openSqliteEventStore } from '../eventStore/sqliteEventStore.js';
import { createIngestPipeline } from '../ingest/pipeline.js';
import { createValidator } from '../ingest/validator.js';
import { consoleLog } from '../kafka/kafkaClient.js';
import { KafkaSettingsError, kafkaSettingsFromEnv, type KafkaSettings } from '../kafka/settings.js';
import { describeKafkaIngest, startKafkaIngest, type StartedKafkaIngest } from '../kafka/startIngest.js';
import type { RejectionStore } from '../rejections/rejectionStore.js';
import { openSqliteRejectionStore } from '../rejections/sqliteRejectionStore.js';

export interface IngestOptions {
  configPath: string | undefined;
  /** --brokers; KAFKA_BROKERS otherwise */
  brokers: string | undefined;
  /** PostgreSQL event store */
  databaseUrl: string | undefined;
  /** SQLite event store in this directory (when there is no DATABASE_URL) */
  dataDir: string | undefined;
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
  const log = consoleLog('ingest');

  let stores: Awaited<ReturnType<typeof openStores>>;
  try {
    stores = await openStores(options);
  } catch (e) {
    return refuse(`无法打开事件存储：${(e as Error).message}`, 1);
  }
  const pipeline = createIngestPipeline({
    store: stores.store,
    rejections: stores.rejections,
    validator: createValidator(),
    agencies,
    copyNoticeRecipients: config.copyNoticeRecipients,
    clock,
  });

  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  let stopping = false;
  // eslint-disable-next-line prefer-const -- assigned after stop() is defined, which clears it
  let progress: NodeJS.Timeout | undefined;
  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(progress);
    console.log(`\n${reason}，正在停止：不再拉取新消息，完成进行中的批次并提交位移，然后关闭存储…`);
    await kafka?.ingest.stop().catch((e: Error) => log.error(`断开 Kafka 时出错：${e.message}`));
    await stores.close();
    const c = kafka?.ingest.counts();
    console.log(c ? `已停止。本次运行共处理：接收 ${c.accepted}，重复 ${c.duplicate}，退回 ${c.rejected}` : '已停止。');
    resolveStopped(code);
  };

  console.log(`联动 liandong —— 事件接入进程 (ingest) 正在启动：连接 Kafka ${settings.brokers.join(',')} …`);
  let kafka: StartedKafkaIngest | undefined;
  try {
    kafka = await startKafkaIngest({
      settings,
      pipeline,
      agencies,
      clock,
      log,
      onFatal: () => void stop('Kafka 消费者无法恢复', 1),
    });
  } catch (e) {
    await stores.close();
    return refuse(`无法连接 Kafka ${settings.brokers.join(',')} 或创建主题：${(e as Error).message}`, 1);
  }

  let reported = '';
  progress = setInterval(() => {
    const c = kafka!.ingest.counts();
    const line = `累计：接收 ${c.accepted}，重复 ${c.duplicate}，退回 ${c.rejected}`;
    if (line !== reported) log.info(line);
    reported = line;
  }, PROGRESS_INTERVAL_MS);
  progress.unref();

  console.log(
    [
      '',
      '联动 liandong —— 事件接入进程 (ingest) 已就绪',
      ...describeKafkaIngest(kafka),
      `  事件存储:            ${stores.where}`,
      `  配置文件:            ${configPath}`,
      '  提交策略:            事件入库或退回留存之后才提交位移（至少一次投递 + 幂等追加：不丢失、不重复）',
      '  按 Ctrl+C 停止。',
      '',
    ].join('\n'),
  );

  process.once('SIGINT', () => void stop('收到 SIGINT', 0));
  process.once('SIGTERM', () => void stop('收到 SIGTERM', 0));
  return { stopped };
}

function refuse(message: string, code = 2): { stopped: Promise<number> } {
  console.error(message);
  return { stopped: Promise.resolve(code) };
}

async function openStores(options: IngestOptions): Promise<{ store: EventStore; rejections: RejectionStore; where: string; close(): Promise<void> }> {
  const dataDir = resolve(options.dataDir ?? './data');
  mkdirSync(dataDir, { recursive: true });
  if (options.databaseUrl) {
    const schema = options.env.DATABASE_SCHEMA || undefined;
    const store = await openPostgresEventStore({ connectionString: options.databaseUrl, ...(schema ? { schema } : {}), clock: systemClock });
    // TODO(issue 5): a PostgreSQL RejectionStore; until it exists rejections are kept in a local SQLite file
    const rejectionsPath = join(dataDir, 'rejections.db');
    const rejections = openSqliteRejectionStore({ path: rejectionsPath });
    return {
      store,
      rejections,
      where: `PostgreSQL ${describeDatabaseUrl(options.databaseUrl)}${schema ? `（schema ${schema}）` : ''}；退回记录暂存 SQLite ${rejectionsPath}`,
      close: async () => {
        await store.close();
        await rejections.close();
      },
    };
  }
  const path = join(dataDir, 'liandong.db');
  const store = openSqliteEventStore({ path, clock: systemClock });
  const rejections = openSqliteRejectionStore({ database: store.database });
  return { store, rejections, where: `SQLite ${path}`, close: () => store.close() };
}

/** host:port/database, without credentials */
function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(DATABASE_URL)';
  }
}
