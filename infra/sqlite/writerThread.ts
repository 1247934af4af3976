/**
 * A worker thread that owns the one connection writing a SQLite file (the event store's, the access log's), seen from
 * the thread that asks for the writes. Those files are written with synchronous = FULL: each commit waits for an
 * fsync, and better-sqlite3 runs statements synchronously, so a commit on the event loop holds `/healthz`, GraphQL
 * and every other request for as long as the inserts and the fsync take (docs/decisions.md, issue 14). Here each
 * request is posted to the worker and its promise settles when the worker answers — after the commit is durable, or
 * with the error that undid it.
 *
 * The worker is started by the first request and kept referenced only while requests are outstanding, so an idle
 * writer keeps no process alive. If the thread dies (it should not: a write's error is that write's answer), the
 * requests it held are rejected and the next request starts another.
 */
import { Worker } from 'node:worker_threads';

/** the last message a worker receives: it answers what came before, closes its connection and ends */
export type CloseRequest = { kind: 'close' };

/** what a worker receives: a request of its own kind, or the close, numbered for its answer */
export type WriterMessage<Request> = (Request | CloseRequest) & { id: number };

/** what a worker answers to a request numbered `id` */
export type WriterReply<Result> = { id: number; ok: true; result: Result } | { id: number; ok: false; error: SerializedError };

/** an error as it crosses threads: a class's identity does not survive structured clone, its fields do */
export interface SerializedError {
  name: string;
  message: string;
  /** SQLite's code (SQLITE_BUSY, SQLITE_FULL…): what decides whether a store error is transient */
  code?: string;
  /** the fields of the port's own errors (ExpectedRevisionConflict, DuplicateEventError) */
  fields?: Record<string, unknown>;
}

export interface WriterThread<Request, Result> {
  ask(request: Request): Promise<Result>;
  /** answers what was asked before, then ends the thread (the worker closes its connection on a CloseRequest) */
  close(): Promise<void>;
}

export interface WriterThreadOptions {
  /** the worker's entry module */
  entry: URL;
  /** what the worker is told at start (the file's path) */
  workerData: unknown;
  /** in the messages of failures: what writes (访问日志, 事件库) */
  what: string;
  /** rebuilds an error the worker reported (default: an Error with its message, name and code) */
  revive?: (error: SerializedError) => Error;
}

export function startWriterThread<Request extends object, Result>(options: WriterThreadOptions): WriterThread<Request, Result> {
  const revive = options.revive ?? reviveError;
  let worker: Worker | null = null;
  let nextId = 1;
  let closing = false;
  // a request is answered with its Result, the close with null (send's overloads keep the two apart)
  const waiting = new Map<number, { resolve(result: Result | null): void; reject(error: Error): void }>();

  const failAll = (error: Error): void => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };

  const spawn = (): Worker => {
    const started = new Worker(options.entry, { workerData: options.workerData });
    started.on('message', (reply: WriterReply<Result | null>) => {
      const request = waiting.get(reply.id);
      waiting.delete(reply.id);
      // idle: keep no process alive — unless it is closing, whose end close() still waits for
      if (waiting.size === 0 && !closing) started.unref();
      if (request === undefined) return;
      if (reply.ok) request.resolve(reply.result);
      else request.reject(revive(reply.error));
    });
    started.on('error', (error) => failAll(new Error(`${options.what}写入线程出错：${error.message}`, { cause: error })));
    started.on('exit', (code) => {
      if (worker === started) worker = null;
      failAll(new Error(`${options.what}写入线程已退出（代码 ${code}），本次写入未完成`));
    });
    return started;
  };

  function send(request: Request): Promise<Result>;
  function send(request: CloseRequest): Promise<null>;
  function send(request: Request | CloseRequest): Promise<Result | null> {
    return new Promise<Result | null>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      const thread = (worker ??= spawn());
      thread.ref();
      const message: WriterMessage<Request> = { ...request, id };
      thread.postMessage(message);
    });
  }

  return {
    ask: (request: Request) => send(request),
    async close() {
      const thread = worker;
      if (thread === null) return;
      closing = true;
      const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
      await send({ kind: 'close' }).catch(() => undefined);
      await exited;
    },
  };
}

/** the worker's side: an error as it crosses back */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { code } = error as { code?: unknown };
  const own = Object.fromEntries(
    Object.entries(error).filter(([key, value]) => key !== 'code' && key !== 'name' && (value === null || (typeof value !== 'function' && typeof value !== 'object'))),
  );
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(Object.keys(own).length > 0 ? { fields: own } : {}),
  };
}

export function reviveError(serialized: SerializedError): Error {
  const error = new Error(serialized.message) as Error & { code?: string };
  error.name = serialized.name;
  if (serialized.code !== undefined) error.code = serialized.code;
  return error;
}
