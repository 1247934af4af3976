/**
 * `auditVerify` beside the server, not in it (style.md 12 "The event loop is for I/O"; issue 14 item 5).
 *
 * Verifying a whole store is CPU work — every event's hash recomputed, every checkpoint's Merkle root — and
 * done on the server's thread it held `/healthz` for 9.3 s at 215k events. Here it runs in a worker thread
 * (verifyWorker.ts) that opens its own connections to the stores from their location (the SQLite files, the
 * PostgreSQL URL and schema, the EventStoreDB URL), verifies, posts its progress and the report back, and
 * ends. A store with no location another thread can open (SQLite `:memory:`, a store built in a test) is
 * verified on this thread in bounded slices instead (verify.ts yields to the event loop between them).
 *
 * One verification at a time per process: a request for what is being verified already (the whole store, or
 * the same stream) shares the running one's report; any other waits its turn. Waiting costs nothing (the
 * request's socket and a promise); running two at once would only halve each one's speed.
 */
import { Worker } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import type { AuditReport } from '../../ports/audit.js';
import type { VerifyOptions } from './verify.js';
import { verifyStore } from './verify.js';
import type { TrustedKeys } from './signingKey.js';
import { workerEntry } from '../workerEntry.js';

/** where a store is, in terms another thread can open it from (no objects, no connections) */
export type StoreLocation =
  | { engine: 'sqlite'; path: string }
  | { engine: 'postgres'; connectionString: string; schema?: string }
  | { engine: 'esdb'; connectionString: string };

/** an append-only log verified with the whole store, by where it is */
export type LogLocation =
  /** `path` the event store's own file: the rejections kept beside the events */
  | { log: 'rejections' | 'accessLog'; engine: 'sqlite'; path: string }
  | { log: 'rejections' | 'accessLog'; engine: 'postgres'; connectionString: string; schema?: string };

export interface VerifyTarget {
  events: StoreLocation;
  /** SQL stores hand out positions 1, 2, 3, …; EventStoreDB's are log offsets */
  densePositions: boolean;
  /** in the order their reports appear */
  logs: LogLocation[];
}

/** what the worker is given (workerData): plain data only */
export interface VerifyJob {
  target: VerifyTarget;
  /** key id → SPKI PEM of a trusted public key */
  trustedKeys: [string, string][];
  stream?: string;
}

/** what the worker posts back */
export type VerifyMessage =
  | { kind: 'progress'; position: bigint; head: bigint | null }
  | { kind: 'report'; report: AuditReport }
  | { kind: 'failed'; message: string };

export interface AuditVerifier {
  verify(options: { stream?: string }): Promise<AuditReport>;
  /** ends a running verification (its requests fail with "进程正在停止"); later calls fail the same way */
  stop(): Promise<void>;
}

export interface BackgroundVerifierDeps {
  trusted: TrustedKeys;
  /** where the stores are; undefined: verified on this thread, in slices, with `inThread` */
  target?: VerifyTarget;
  /** the in-thread verification: the store and logs as objects (used without `target`) */
  inThread?: Pick<VerifyOptions, 'store' | 'densePositions' | 'logs'>;
  onProgress?(position: bigint, head: bigint | null): void;
  /** the worker's entry (a test hook); default the tsx bootstrap next to this file */
  workerUrl?: URL;
}

export class VerifierStoppedError extends Error {
  override readonly name = 'VerifierStoppedError';
  constructor() {
    super('审计校验已中止：进程正在停止');
  }
}

/** the verifier's thread: under tsx a .mjs that registers tsx first (infra/workerEntry.ts) */
const WORKER_BOOTSTRAP = workerEntry(import.meta.url, 'verifyWorker');

export function createBackgroundVerifier(deps: BackgroundVerifierDeps): AuditVerifier {
  if (deps.target === undefined && deps.inThread === undefined) throw new Error('createBackgroundVerifier needs a target or an in-thread store');
  const trustedPem: [string, string][] = [...deps.trusted].map(([keyId, key]: [string, KeyObject]) => [keyId, key.export({ type: 'spki', format: 'pem' }).toString()]);
  /** scope ('' the whole store, else the stream) → its verification, waiting its turn or running */
  const inFlight = new Map<string, Promise<AuditReport>>();
  /** settles when the last verification asked for has ended, however it ended */
  let queue: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const workers = new Set<Worker>();
  const aborts = new Set<AbortController>();

  const inWorker = (target: VerifyTarget, stream: string | undefined): Promise<AuditReport> =>
    new Promise<AuditReport>((resolve, reject) => {
      const job: VerifyJob = { target, trustedKeys: trustedPem, ...(stream === undefined ? {} : { stream }) };
      const worker = new Worker(deps.workerUrl ?? WORKER_BOOTSTRAP, { workerData: job });
      workers.add(worker);
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        outcome();
      };
      worker.on('message', (message: VerifyMessage) => {
        if (message.kind === 'progress') deps.onProgress?.(message.position, message.head);
        else if (message.kind === 'report') settle(() => resolve(message.report));
        else settle(() => reject(new Error(`审计校验失败：${message.message}`)));
      });
      worker.on('error', (error) => settle(() => reject(new Error(`审计校验失败：${error.message}`, { cause: error }))));
      worker.on('exit', (code) => {
        workers.delete(worker);
        settle(() => reject(stopped ? new VerifierStoppedError() : new Error(`审计校验失败：校验线程意外退出（代码 ${code}）`)));
      });
    });

  const inThread = async (stream: string | undefined): Promise<AuditReport> => {
    const abort = new AbortController();
    aborts.add(abort);
    try {
      return await verifyStore({
        ...deps.inThread!,
        trustedKeys: deps.trusted,
        ...(stream === undefined ? {} : { stream }),
        signal: abort.signal,
        ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
      });
    } finally {
      aborts.delete(abort);
    }
  };

  return {
    verify({ stream }) {
      if (stopped) return Promise.reject(new VerifierStoppedError());
      const scope = stream ?? '';
      const shared = inFlight.get(scope);
      if (shared !== undefined) return shared;
      const report = queue.then(() => {
        if (stopped) throw new VerifierStoppedError();
        return deps.target !== undefined ? inWorker(deps.target, stream) : inThread(stream);
      });
      queue = report.catch(() => undefined);
      inFlight.set(scope, report);
      const forget = (): void => {
        if (inFlight.get(scope) === report) inFlight.delete(scope);
      };
      report.then(forget, forget);
      return report;
    },
    async stop() {
      stopped = true;
      for (const abort of aborts) abort.abort(new VerifierStoppedError());
      await Promise.all([...workers].map((worker) => worker.terminate()));
    },
  };
}
