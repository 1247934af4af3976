/**
 * `liandong audit verify`, `liandong audit checkpoint` and `liandong replay` (operations.md CLI;
 * docs/audit.md). They open the same stores the platform uses — the SQLite files in the data directory, or
 * with EVENTSTORE_URL / DATABASE_URL (and REDIS_URL for replay) the distributed ones — and never change an
 * event. Exit codes: 0 all well, 1 a finding or a difference, 2 a usage or configuration problem, 130 / 143
 * stopped by SIGINT / SIGTERM before a conclusion (interrupt.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { allProjections } from '../../projections/index.js';
import { auditKeys } from '../audit/auditServices.js';
import { createCheckpointWriter } from '../audit/checkpoints.js';
import { replayProjections, type ProjectionReplay } from '../audit/replay.js';
import { SigningKeyError } from '../audit/signingKey.js';
import { verifyStore } from '../audit/verify.js';
import { exitCodeFor, Interrupted, onStopSignals } from './interrupt.js';
import { lockDataDir, StartupError, type DataDirLock } from '../main/dataDir.js';
import type { ChainedLog } from '../../ports/chainedLog.js';
import { openSqliteAccessLog } from '../accessLog/sqliteAccessLog.js';
import { openPostgresAccessLog } from '../accessLog/postgresAccessLog.js';
import { openSqliteRejectionStore } from '../rejections/sqliteRejectionStore.js';
import { openPostgresRejectionStore } from '../rejections/postgresRejectionStore.js';
import type { SqliteDatabase } from '../eventStore/sqliteDatabase.js';
import { chineseDaysCalendar } from '../calendar/chineseDays.js';
import { systemClock } from '../clock.js';
import { loadConfigFile } from '../config/loadConfig.js';
import type { PlatformConfig } from '../config/schema.js';
import type { EventStore } from '../../ports/eventStore.js';
import { openSqliteEventStore } from '../eventStore/sqliteEventStore.js';
import { openEmbeddedReadModelStore } from '../readModels/embeddedReadModelStore.js';
import type { ReadModelStore } from '../../ports/readModelStore.js';

const DEMO_CONFIG = join(dirname(fileURLToPath(import.meta.url)), '..', 'config', 'demo.config.json');
/** documents kept parsed by replay's stores, in JSON characters: each document is read about once */
const REPLAY_CACHE_CHARS = 4 * 1024 * 1024;

export interface AuditCommandOptions {
  configPath: string | undefined;
  dataDir: string;
  /** --data-dir or LIANDONG_DATA_DIR was given (with a server store, the directory only holds the generated key) */
  dataDirGiven: boolean;
  env: NodeJS.ProcessEnv;
}

/** a problem the operator can fix: printed without a stack trace, exit 2 */
export class AuditCommandError extends Error {
  override readonly name = 'AuditCommandError';
}

interface OpenedStore {
  store: EventStore;
  /** the SQLite store's open file (the rejections live in it) */
  database?: SqliteDatabase;
  where: string;
  /** SQL stores hand out positions 1, 2, 3, …; EventStoreDB's are log offsets */
  densePositions: boolean;
  /** the data directory, when the store lives there (its generated key is there too) */
  dataDir: string | null;
}

function loadConfig(options: AuditCommandOptions): { config: PlatformConfig; configPath: string } {
  const configPath = options.configPath ?? (existsSync('liandong.config.json') ? 'liandong.config.json' : DEMO_CONFIG);
  return { config: loadConfigFile(configPath), configPath };
}

async function openStore(options: AuditCommandOptions): Promise<OpenedStore> {
  if (options.env.EVENTSTORE_URL || options.env.DATABASE_URL) {
    const { openEventStoreFromEnv } = await import('../main/distributedStores.js');
    const { store, where } = await openEventStoreFromEnv(options.env, systemClock);
    return { store, where, densePositions: !options.env.EVENTSTORE_URL, dataDir: options.dataDirGiven ? resolve(options.dataDir) : null };
  }
  const dataDir = resolve(options.dataDir);
  const path = join(dataDir, 'liandong.db');
  // opening would create an empty store, which would then verify clean
  if (!existsSync(path)) throw new AuditCommandError(`数据目录 ${dataDir} 中没有事件库 liandong.db：请用 --data-dir 指定平台的数据目录`);
  const store = openSqliteEventStore({ path });
  return { store, database: store.database, where: `SQLite ${path}`, densePositions: true, dataDir };
}

type OpenedLog = ChainedLog & { close(): Promise<void> };

/**
 * The append-only logs verified with the store: the rejections (in the event store's SQLite file, the
 * PostgreSQL table of DATABASE_URL, or with EventStoreDB alone `<dataDir>/rejections.db`) and the access log
 * (`<dataDir>/access-log.db`, or PostgreSQL).
 */
async function openLogs(options: AuditCommandOptions, opened: OpenedStore): Promise<{ logs: OpenedLog[]; where: string[] }> {
  const logs: OpenedLog[] = [];
  const where: string[] = [];
  try {
    if (options.env.DATABASE_URL) {
      const schema = options.env.DATABASE_SCHEMA || undefined;
      const connection = { connectionString: options.env.DATABASE_URL, ...(schema ? { schema } : {}), maxConnections: 1 };
      logs.push(await openPostgresRejectionStore(connection));
      logs.push(await openPostgresAccessLog(connection));
      where.push('退回记录与访问日志（PostgreSQL）');
    } else if (opened.database === undefined && opened.dataDir !== null && existsSync(join(opened.dataDir, 'rejections.db'))) {
      // EventStoreDB without PostgreSQL: the ingest replica's own rejection file
      logs.push(openSqliteRejectionStore({ path: join(opened.dataDir, 'rejections.db') }));
      where.push(`退回记录（${join(opened.dataDir, 'rejections.db')}）`);
    } else if (opened.database !== undefined && opened.dataDir !== null) {
      logs.push(openSqliteRejectionStore({ database: opened.database }));
      const accessLogPath = join(opened.dataDir, 'access-log.db');
      if (existsSync(accessLogPath)) {
        logs.push(openSqliteAccessLog({ path: accessLogPath }));
        where.push(`退回记录（事件库文件中）与访问日志（${accessLogPath}）`);
      } else {
        where.push('退回记录（事件库文件中）；数据目录中没有访问日志 access-log.db');
      }
    }
  } catch (error) {
    for (const log of logs) await log.close();
    throw error;
  }
  return { logs, where };
}

function keysFor(options: AuditCommandOptions, config: PlatformConfig, configPath: string, dataDir: string | null, publicKeyFiles: readonly string[]) {
  try {
    return auditKeys({ config, configPath, dataDir, generate: false, extraPublicKeyFiles: publicKeyFiles, env: options.env });
  } catch (error) {
    if (error instanceof SigningKeyError) throw new AuditCommandError(error.message);
    throw error;
  }
}

const progressBar = (label: string) =>
  new cliProgress.SingleBar(
    { format: `  ${label} [{bar}] {percentage}% | {value}/{total}`, hideCursor: true, clearOnComplete: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );

/**
 * stops on Ctrl+C / SIGTERM (the walk lets the event loop turn between pages): one line, the stores
 * closed, exit 130 / 143 (interrupt.ts)
 */
function onInterrupt(what: string, cleanup: () => Promise<void>): () => void {
  return onStopSignals((signal) => {
    console.error(`\n${what}已中断（${signal}）：没有完成，没有结论。`);
    void cleanup().finally(() => process.exit(exitCodeFor(signal)));
  });
}

export async function auditVerifyCommand(options: AuditCommandOptions & { stream?: string; publicKeyFiles: string[] }): Promise<number> {
  const { config, configPath } = loadConfig(options);
  const opened = await openStore(options);
  let logs: OpenedLog[] = [];
  const closeAll = async (): Promise<void> => {
    for (const log of logs) await log.close().catch(() => undefined);
    await opened.store.close();
  };
  const release = onInterrupt('审计校验', closeAll);
  try {
    let logsWhere: string[] = [];
    if (!options.stream) ({ logs, where: logsWhere } = await openLogs(options, opened));
    const keys = keysFor(options, config, configPath, opened.dataDir, options.publicKeyFiles);
    console.log(`审计校验：${options.stream ? `流 ${options.stream}` : '整个事件库'}（${opened.where}）`);
    console.log(
      keys.trusted.size === 0
        ? '  注意：没有可信公钥（未配置 audit.signingKeyFile / audit.publicKeyFiles，也未用 --public-key 指定），检查点签名无法核对'
        : `  可信公钥：${[...keys.trusted.keys()].join('、')}`,
    );
    for (const line of logsWhere) console.log(`  一并校验：${line}`);
    const head = await opened.store.headPosition();
    const bar = process.stderr.isTTY && !options.stream && head !== null && head > 10_000n ? progressBar('校验中') : null;
    bar?.start(Number(head), 0);
    const started = performance.now();
    const report = await verifyStore({
      store: opened.store,
      trustedKeys: keys.trusted,
      densePositions: opened.densePositions,
      logs,
      ...(options.stream ? { stream: options.stream } : {}),
      onProgress: (position) => bar?.update(Number(position)),
    });
    bar?.stop();
    const seconds = (performance.now() - started) / 1000;
    console.log(`  已校验 ${report.checked} 个事件，用时 ${seconds.toFixed(1)} 秒（约 ${Math.round(report.checked / Math.max(seconds, 0.001))} 个/秒）`);
    if (report.ok) {
      console.log(`  ✔ 通过：${report.detail}`);
      return 0;
    }
    if (report.findingCount > 0) {
      console.log(`  ✘ 第一个出问题的位置：${report.firstBrokenPosition ?? '（无法确定）'}`);
      console.log(`    ${report.detail}`);
      console.log(`  全部问题（${report.findingCount} 处${report.findingCount > report.findings.length ? `，列出前 ${report.findings.length} 处` : ''}）：`);
      for (const finding of report.findings) console.log(`    位置 ${finding.position ?? '—'}${finding.streamId ? ` [${finding.streamId}]` : ''}：${finding.message}`);
    } else {
      console.log(`  ✘ ${report.detail}`);
    }
    for (const log of report.logs) {
      if (log.ok) continue;
      console.log(`  ✘ ${log.name}：第一个出问题的条目 ${log.firstBrokenId ?? '（无法确定）'}；全部问题（${log.findingCount} 处${log.findingCount > log.findings.length ? `，列出前 ${log.findings.length} 处` : ''}）：`);
      for (const finding of log.findings) console.log(`    条目 ${finding.id ?? '—'}：${finding.message}`);
    }
    return 1;
  } finally {
    release();
    await closeAll();
  }
}

export async function auditCheckpointCommand(options: AuditCommandOptions): Promise<number> {
  const { config, configPath } = loadConfig(options);
  const opened = await openStore(options);
  try {
    const keys = keysFor(options, config, configPath, opened.dataDir, []);
    if (!keys.signer) throw new AuditCommandError('没有检查点签名密钥：请配置 audit.signingKeyFile，或把密钥（PEM）放进环境变量 LIANDONG_AUDIT_SIGNING_KEY（嵌入式平台首次启动时会在数据目录生成一个）');
    const written = await createCheckpointWriter({ store: opened.store, signer: keys.signer, clock: systemClock }).write();
    console.log(
      written === null
        ? '上一个检查点之后没有新事件：不需要新的检查点。'
        : `检查点已写入位置 ${written.position}：封存至位置 ${written.covers}，共 ${written.eventCount} 个事件、${written.streamCount} 个流；Merkle 根 ${written.root}（密钥 id ${written.keyId}）`,
    );
    return 0;
  } finally {
    await opened.store.close();
  }
}

export async function replayCommand(options: AuditCommandOptions & { projection?: string }): Promise<number> {
  const { config } = loadConfig(options);
  const projections = allProjections().filter((projection) => options.projection === undefined || projection.name === options.projection);
  if (projections.length === 0) {
    throw new AuditCommandError(`没有名为 ${options.projection} 的投影；可选：${allProjections().map((projection) => projection.name).join('、')}`);
  }
  const opened = await openStore(options);
  let live: ReadModelStore | null = null;
  let liveWhere: string;
  const scratchDir = mkdtempSync(join(tmpdir(), 'liandong-replay-'));
  let scratch: ReadModelStore | null = null;
  let lock: DataDirLock | null = null;
  const cleanup = async (): Promise<void> => {
    await scratch?.close();
    await live?.close();
    lock?.release();
    await opened.store.close();
    rmSync(scratchDir, { recursive: true, force: true });
  };
  // Ctrl+C / SIGTERM: the rebuild stops at its next slice, the stores are closed, the scratch space removed
  const interrupt = new AbortController();
  const release = onStopSignals((signal) => interrupt.abort(new Interrupted(signal)));
  let bar: cliProgress.SingleBar | undefined;
  try {
    if (options.env.REDIS_URL) {
      const { redisSettingsFromEnv } = await import('../main/distributedStores.js');
      const { openRedisReadModelStore } = await import('../readModels/redisReadModelStore.js');
      const redis = redisSettingsFromEnv(options.env);
      live = await openRedisReadModelStore({ url: redis.url, keyPrefix: redis.keyPrefix, connectionName: 'liandong-replay' });
      liveWhere = redis.where;
    } else {
      const path = join(resolve(options.dataDir), 'readmodels.db');
      if (!existsSync(path)) throw new AuditCommandError(`没有读模型文件 ${path}：平台还没有在这个数据目录运行过`);
      // the read models need the directory to themselves: a running platform is named with its pid
      try {
        lock = lockDataDir(resolve(options.dataDir));
      } catch (error) {
        if (error instanceof StartupError) throw new AuditCommandError(error.message);
        throw error;
      }
      try {
        // a small document cache: replay reads each document once, so memory stays bounded whatever the store's size
        live = openEmbeddedReadModelStore({ path, cacheChars: REPLAY_CACHE_CHARS });
      } catch (error) {
        if (/in use by another process/.test((error as Error).message)) {
          throw new AuditCommandError(`读模型文件 ${path} 正被运行中的平台占用：请先停止 liandong start，再运行 replay`);
        }
        throw error;
      }
      liveWhere = `SQLite ${path}`;
    }
    // the rebuild's target: what it commits is read again once, when compared
    scratch = openEmbeddedReadModelStore({ path: join(scratchDir, 'scratch.db'), cacheChars: REPLAY_CACHE_CHARS, cacheCommitted: false });
    console.log(`重放：从 ${opened.where} 重建 ${projections.map((projection) => projection.name).join('、')} 到临时空间，与现行读模型（${liveWhere}）比对`);

    bar = progressBar('重建中');
    const rebuildBar = bar;
    let barFor: bigint | null | undefined;
    const ctx = { deadlines: { calendar: chineseDaysCalendar(config.calendar.years), policy: config.deadlines } };
    const results = await replayProjections({
      store: opened.store,
      live,
      scratch,
      projections,
      ctx,
      onProgress: ({ position, upTo }) => {
        if (barFor !== upTo) {
          if (barFor !== undefined) rebuildBar.stop();
          rebuildBar.start(Number(upTo ?? 0n), 0);
          barFor = upTo;
        }
        rebuildBar.update(Number(position));
      },
      signal: interrupt.signal,
    });
    if (barFor !== undefined) bar.stop();
    printReplay(results);
    return results.every((result) => result.equal) ? 0 : 1;
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
    bar?.stop();
    console.error(`\n重放已中断（${error.signal}）：比对没有完成，没有结论。`);
    return error.exitCode;
  } finally {
    release();
    await cleanup();
  }
}

function printReplay(results: readonly ProjectionReplay[]): void {
  for (const result of results) {
    const mark = result.equal ? '✔ 一致' : `✘ 有 ${result.differenceCount} 处不同`;
    console.log(
      `  ${result.name.padEnd(10)} ${mark}  现行检查点 ${result.liveCheckpoint ?? '（从未应用）'}，文档 现行 ${result.liveDocuments} / 重建 ${result.rebuiltDocuments}，` +
        `摘要 现行 ${result.liveDigest.slice(0, 16)}… / 重建 ${result.rebuiltDigest.slice(0, 16)}…`,
    );
    if (result.liveBehind > 0n) console.log(`             现行读模型尚有 ${result.liveBehind} 个事件未应用（比对截至其检查点）`);
    const labels = { only_live: '只在现行读模型中', only_rebuilt: '现行读模型中缺少', different: '内容不同' } as const;
    for (const difference of result.differences) {
      console.log(`             ${difference.collection}/${difference.id}：${labels[difference.kind]}${difference.paths.length > 0 ? `（${difference.paths.join('、')}）` : ''}`);
    }
    if (result.differenceCount > result.differences.length) console.log(`             …… 另有 ${result.differenceCount - result.differences.length} 处`);
  }
}
