/**
 * The case search index's writer thread (infra/sqlite/writerThread.ts), seen from the thread that feeds it
 * (projections/caseSearch/feedCaseSearch.ts): each put waits until its transaction is in the file, so the feed still
 * writes the index before the documents it was made from.
 */
import type { CaseSearchEntry } from '../../ports/caseSearch.js';
import { startWriterThread } from '../sqlite/writerThread.js';
import { workerEntry } from '../workerEntry.js';

/** what the feeding thread asks of the writer thread (entries by structured clone: their positions are bigints) */
export type CaseSearchRequest = { kind: 'put'; entries: readonly CaseSearchEntry[] } | { kind: 'clear' };

export interface CaseSearchWriterThread {
  put(entries: readonly CaseSearchEntry[]): Promise<void>;
  clear(): Promise<void>;
  /** writes what was asked before, closes the connection and ends the thread */
  close(): Promise<void>;
}

/** the writer thread: under tsx a .mjs that registers tsx first (infra/workerEntry.ts) */
const WORKER_ENTRY = workerEntry(import.meta.url, 'caseSearchWorker');

export function startCaseSearchWriterThread(options: { path: string }): CaseSearchWriterThread {
  const thread = startWriterThread<CaseSearchRequest, null>({ entry: WORKER_ENTRY, workerData: { path: options.path }, what: '案件检索索引' });
  return {
    async put(entries) {
      await thread.ask({ kind: 'put', entries });
    },
    async clear() {
      await thread.ask({ kind: 'clear' });
    },
    close: () => thread.close(),
  };
}
