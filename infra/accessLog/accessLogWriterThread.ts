/**
 * The access log's writer thread (infra/sqlite/writerThread.ts), seen from the thread that records: every GraphQL
 * answer waits for its entry, so the inserts and the fsync of each commit run in accessLogWorker.ts, never on the
 * event loop. Appends carry the entries as one JSON string: a single string is copied, not each object cloned.
 */
import type { AccessEntry } from '../../ports/accessLog.js';
import { startWriterThread } from '../sqlite/writerThread.js';
import { workerEntry } from '../workerEntry.js';

/** what the recording thread asks of the writer thread */
export type AccessLogRequest = { kind: 'append'; entries: string } | { kind: 'prune'; before: string };

export interface AccessLogWriterThread {
  append(entries: readonly AccessEntry[]): Promise<void>;
  /** how many entries were removed */
  prune(before: string): Promise<number>;
  /** writes what was asked before, closes the connection and ends the thread */
  close(): Promise<void>;
}

/** the writer thread: under tsx a .mjs that registers tsx first (infra/workerEntry.ts) */
const WORKER_ENTRY = workerEntry(import.meta.url, 'accessLogWorker');

export function startAccessLogWriterThread(options: { path: string }): AccessLogWriterThread {
  const thread = startWriterThread<AccessLogRequest, number | null>({ entry: WORKER_ENTRY, workerData: { path: options.path }, what: '访问日志' });
  return {
    async append(entries) {
      await thread.ask({ kind: 'append', entries: JSON.stringify(entries) });
    },
    async prune(before) {
      return (await thread.ask({ kind: 'prune', before })) ?? 0;
    },
    close: () => thread.close(),
  };
}
