/**
 * The audit pieces a process needs, assembled from the config: the checkpoint signing key (configured, or
 * generated into the data directory in embedded mode), the public keys to verify with, the checkpoint
 * schedule, the access log and its retention. Composition roots call these; the rules live in
 * checkpoints.ts, verify.ts and infra/accessLog/.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../ports/clock.js';
import type { PlatformConfig } from '../config/schema.js';
import type { EventStore } from '../../ports/eventStore.js';
import type { AccessLog } from '../../ports/accessLog.js';
import { openSqliteAccessLog } from '../accessLog/sqliteAccessLog.js';
import { createCheckpointWriter, scheduleCheckpoints, type CheckpointSchedule, type CheckpointWriter, type WrittenCheckpoint } from './checkpoints.js';
import { GENERATED_KEY_FILE, loadOrCreateDataDirKey, loadPublicKey, loadSigningKey, SIGNING_KEY_ENV, SigningKeyError, signerFromPem, trustedKeys, type CheckpointSigner, type TrustedKeys } from './signingKey.js';
import type { ChainedLog } from '../../ports/chainedLog.js';
import { createBackgroundVerifier, type AuditVerifier, type VerifyTarget } from './backgroundVerifier.js'; // issue 14: off the event loop

export interface AuditKeys {
  /** null where no private key is available (a verifier with public keys only) */
  signer: CheckpointSigner | null;
  trusted: TrustedKeys;
  /** where the signing key came from, for banners */
  source: string | null;
  /** set when this call generated the key */
  generated: { path: string; publicKeyPath: string } | null;
}

/**
 * `audit.signingKeyFile` (relative to the config file) if configured; otherwise the data directory's own
 * key — generated there on first use when `generate` is set (embedded start), only read otherwise (CLI).
 * Trusted for verification: the signing key's public half, `audit.publicKeyFiles`, and `extraPublicKeyFiles`.
 */
export function auditKeys(options: {
  config: PlatformConfig;
  configPath: string;
  dataDir: string | null;
  generate: boolean;
  extraPublicKeyFiles?: readonly string[];
  /** LIANDONG_AUDIT_SIGNING_KEY (the key itself, from a secret) is looked for here */
  env?: NodeJS.ProcessEnv;
}): AuditKeys {
  const { audit } = options.config;
  const relative = (file: string): string => resolve(dirname(options.configPath), file);
  let signer: CheckpointSigner | null = null;
  let source: string | null = null;
  let generated: AuditKeys['generated'] = null;
  const fromEnv = options.env?.[SIGNING_KEY_ENV];
  if (fromEnv) {
    if (audit.signingKeyFile !== undefined) {
      throw new SigningKeyError(`检查点签名密钥只能有一处：环境变量 ${SIGNING_KEY_ENV} 与配置 audit.signingKeyFile 都已设置，请删去其一`);
    }
    source = `环境变量 ${SIGNING_KEY_ENV}`;
    signer = signerFromPem(fromEnv, source);
  } else if (audit.signingKeyFile !== undefined) {
    source = relative(audit.signingKeyFile);
    signer = loadSigningKey(source);
  } else if (options.dataDir !== null && (options.generate || existsSync(join(options.dataDir, GENERATED_KEY_FILE)))) {
    const key = loadOrCreateDataDirKey(options.dataDir);
    signer = key.signer;
    source = key.path;
    if (key.created) generated = { path: key.path, publicKeyPath: key.publicKeyPath };
  }
  const keys: KeyObject[] = [
    ...(signer ? [signer.publicKey] : []),
    ...audit.publicKeyFiles.map((file) => loadPublicKey(relative(file))),
    ...(options.extraPublicKeyFiles ?? []).map((file) => loadPublicKey(resolve(file))),
  ];
  return { signer, trusted: trustedKeys(keys), source, generated };
}

/**
 * what auditVerify calls; `logs` (the access log, the rejections) are verified with the whole store. With
 * `target` (where those stores are) the verification runs in a worker thread; without it (a `:memory:` store)
 * on this thread in bounded slices (backgroundVerifier.ts). One at a time either way.
 */
export const auditVerifier = (store: EventStore, trusted: TrustedKeys, densePositions = true, logs: readonly ChainedLog[] = [], target?: VerifyTarget): AuditVerifier =>
  createBackgroundVerifier({ trusted, inThread: { store, densePositions, logs }, ...(target ? { target } : {}) });

/** the embedded platform's access log, beside the event store in the data directory */
const ACCESS_LOG_FILE = 'access-log.db';

/** the embedded platform's stores for the verification worker: the event store (rejections in its file) and the access log */
export function embeddedVerifyTarget(dataDir: string): VerifyTarget {
  const events = join(dataDir, 'liandong.db');
  return {
    events: { engine: 'sqlite', path: events },
    densePositions: true,
    // the order auditVerify reports them in (openEmbeddedAudit's logs)
    logs: [
      { log: 'accessLog', engine: 'sqlite', path: join(dataDir, ACCESS_LOG_FILE) },
      { log: 'rejections', engine: 'sqlite', path: events },
    ],
  };
}

const DAY_MS = 86_400_000;

/** prunes entries older than `days` now and then daily; stop() ends the timer */
export function keepAccessLog(deps: { accessLog: AccessLog; days: number; clock: Clock; log: { info(message: string): void; error(message: string): void } }): { stop(): void } {
  const prune = (): void => {
    const before = new Date(deps.clock.now().getTime() - deps.days * DAY_MS);
    deps.accessLog.prune(before).then(
      (deleted) => deleted > 0 && deps.log.info(`访问日志：已删除 ${before.toISOString()} 之前的 ${deleted} 条记录（保留 ${deps.days} 天）`),
      (error: Error) => deps.log.error(`访问日志清理失败：${error.message}`),
    );
  };
  prune();
  const timer = setInterval(prune, DAY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

export interface EmbeddedAudit {
  keys: AuditKeys;
  accessLog: AccessLog;
  verifier: AuditVerifier;
  writer: CheckpointWriter;
  /** seals what is stored now, then every interval; prunes the access log now and daily */
  start(): Promise<WrittenCheckpoint | null>;
  /** a last checkpoint, then the access log is closed */
  stop(): Promise<void>;
}

/** the embedded platform's audit: key in the data dir unless configured, access log in `<dataDir>/access-log.db` */
export function openEmbeddedAudit(deps: {
  config: PlatformConfig;
  configPath: string;
  dataDir: string;
  store: EventStore;
  /** the rejection store, verified with the event store by auditVerify */
  rejections?: ChainedLog;
  /** where the event store and rejections are, for the verification worker (embeddedVerifyTarget); without it, in-thread slices */
  verifyTarget?: VerifyTarget;
  clock: Clock;
  log: { info(message: string): void; error(message: string): void };
}): EmbeddedAudit {
  const keys = auditKeys({ config: deps.config, configPath: deps.configPath, dataDir: deps.dataDir, generate: true });
  const accessLog = openSqliteAccessLog({ path: join(deps.dataDir, ACCESS_LOG_FILE) });
  const writer = createCheckpointWriter({ store: deps.store, signer: keys.signer!, clock: deps.clock });
  const { checkpointIntervalSeconds, accessLogRetentionDays } = deps.config.audit;
  const verifier = auditVerifier(deps.store, keys.trusted, true, [accessLog, ...(deps.rejections ? [deps.rejections] : [])], deps.verifyTarget);
  let schedule: CheckpointSchedule | null = null;
  let retention: { stop(): void } | null = null;

  return {
    keys,
    accessLog,
    verifier,
    writer,
    async start() {
      if (keys.generated) {
        deps.log.info(
          `未配置 audit.signingKeyFile：已在数据目录生成检查点签名密钥 ${keys.generated.path}（密钥 id ${keys.signer!.keyId}）；` +
            `公钥 ${keys.generated.publicKeyPath} 请交审计方另行保存。生产环境请配置 audit.signingKeyFile，并把私钥放在数据目录之外。`,
        );
      }
      // a store whose checkpoint stream cannot be read still starts: verify names the problem, the schedule keeps trying
      const written = await writer.write().catch((error: Error) => {
        deps.log.error(`写检查点失败（下个周期重试）：${error.message}`);
        return null;
      });
      if (written) deps.log.info(`检查点已写入位置 ${written.position}：封存至位置 ${written.covers}，${written.streamCount} 个流（密钥 id ${written.keyId}）`);
      schedule = scheduleCheckpoints({
        writer,
        intervalMs: checkpointIntervalSeconds * 1000,
        onError: (error) => deps.log.error(`写检查点失败（下个周期重试）：${(error as Error).message}`),
      });
      retention = keepAccessLog({ accessLog, days: accessLogRetentionDays, clock: deps.clock, log: deps.log });
      return written;
    },
    async stop() {
      await verifier.stop(); // issue 14: a running verification ends with the process
      retention?.stop();
      await schedule?.stop().catch((error: Error) => deps.log.error(`停止前写检查点失败：${error.message}`));
      await accessLog.close();
    },
  };
}
