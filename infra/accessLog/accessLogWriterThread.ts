/**
 * The access log's writer thread, seen from the thread that records (sqliteAccessLog.ts): entries and prunes are
 * posted to a worker that owns the log's only writing connection (accessLogWorker.ts), and each promise settles when
 * the worker reports the commit — on disk, since the file is written with synchronous = FULL. The event loop that
 * serves GraphQL and `/healthz` never waits for an fsync or runs an insert.
 *
 * The worker is started by the first request and kept referenced only while requests are outstanding, so an idle
 * log keeps no process alive. If it dies (it should not: every error of a write is reported as that write's
 * failure), the requests it held are rejected — their answers are withheld, as with any failed entry — and the
 * next request starts another.
 */
import { Worker } from 'node:worker_threads';
import type { AccessEntry } from '../../ports/accessLog.js';

/** what the recording thread asks of the writer thread */
export type WriterRequest =
  /** the entries as JSON: one string crosses to the worker several times faster than the objects' structured clone */
  | { kind: 'append'; id: number; entries: string }
  | { kind: 'prune'; id: number; before: string }
  | { kind: 'close'; id: number };

/** a request before it is numbered (Omit of each member of the union) */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

/** the writer thread's answer to one request */
export type WriterReply = { id: number; ok: true; changes?: number } | { id: number; ok: false; message: string };

export interface AccessLogWriterThread {
  append(entries: readonly AccessEntry[]): Promise<void>;
  prune(before: string): Promise<number>;
  /** writes what was asked before, closes the connection and ends the thread */
  close(): Promise<void>;
}

/**
 * A worker does not inherit the tsx loader of the thread that starts it (see audit/backgroundVerifier.ts), so under
 * tsx it starts at a small .mjs that registers tsx first; compiled (dist/) it starts at its own JavaScript.
 */
const WORKER_ENTRY = import.meta.url.endsWith('.js') ? new URL('./accessLogWorker.js', import.meta.url) : new URL('./accessLogWorker.mjs', import.meta.url);

export function startAccessLogWriterThread(options: { path: string }): AccessLogWriterThread {
  let worker: Worker | null = null;
  let nextId = 1;
  const waiting = new Map<number, { resolve(reply: WriterReply & { ok: true }): void; reject(error: Error): void }>();

  const failAll = (error: Error): void => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };

  const spawn = (): Worker => {
    const started = new Worker(WORKER_ENTRY, { workerData: { path: options.path } });
    started.on('message', (reply: WriterReply) => {
      const request = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (waiting.size === 0) started.unref();
      if (request === undefined) return;
      if (reply.ok) request.resolve(reply);
      else request.reject(new Error(reply.message));
    });
    started.on('error', (error) => failAll(new Error(`访问日志写入线程出错：${error.message}`, { cause: error })));
    started.on('exit', (code) => {
      if (worker === started) worker = null;
      failAll(new Error(`访问日志写入线程已退出（代码 ${code}），本次记录未写入`));
    });
    return started;
  };

  const ask = (request: Unnumbered<WriterRequest>): Promise<WriterReply & { ok: true }> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      const thread = (worker ??= spawn());
      thread.ref();
      thread.postMessage({ ...request, id });
    });

  return {
    async append(entries) {
      await ask({ kind: 'append', entries: JSON.stringify(entries) });
    },
    async prune(before) {
      return (await ask({ kind: 'prune', before })).changes ?? 0;
    },
    async close() {
      const thread = worker;
      if (thread === null) return;
      const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
      await ask({ kind: 'close' }).catch(() => undefined);
      await exited;
    },
  };
}
