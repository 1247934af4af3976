/**
 * The access log's writer thread (accessLogWriterThread.ts): owns the one connection that writes the log, so the
 * fsync of every commit happens here and not on the event loop that serves GraphQL.
 *
 * Group commit: the requests that arrive while a commit waits for its fsync are queued by the message port, and are
 * taken together at the next turn — their entries appended in one transaction. A prune runs on its own, after the
 * appends asked before it. Each request is answered once its commit is durable, or with the error that undid it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AccessEntry } from '../../ports/accessLog.js';
import { openDurableDatabase } from '../eventStore/sqliteDatabase.js';
import { serializeError, type WriterMessage, type WriterReply } from '../sqlite/writerThread.js';
import { accessLogWrites } from './sqliteAccessLog.js';
import type { AccessLogRequest } from './accessLogWriterThread.js';
import { runBehindEventLoop } from '../threadPriority.js';

type Numbered = WriterMessage<AccessLogRequest>;

const port = parentPort!;
const { path } = workerData as { path: string };
const db = openDurableDatabase(path);
const writes = accessLogWrites(db);
runBehindEventLoop();

let queue: Numbered[] = [];
let scheduled = false;

const answer = (reply: WriterReply<number | null>): void => port.postMessage(reply);

/** the queued appends as one transaction; each of their requests is answered with its outcome */
const appendTogether = (appends: readonly { id: number; entries: string }[]): void => {
  if (appends.length === 0) return;
  try {
    writes.append(appends.flatMap((request) => JSON.parse(request.entries) as AccessEntry[]));
    for (const { id } of appends) answer({ id, ok: true, result: null });
  } catch (error) {
    for (const { id } of appends) answer({ id, ok: false, error: serializeError(error) });
  }
};

const work = (): void => {
  scheduled = false;
  const requests = queue;
  queue = [];
  let appends: { id: number; entries: string }[] = [];
  for (const request of requests) {
    if (request.kind === 'append') {
      appends.push(request);
      continue;
    }
    appendTogether(appends);
    appends = [];
    if (request.kind === 'prune') {
      try {
        answer({ id: request.id, ok: true, result: writes.prune(request.before) });
      } catch (error) {
        answer({ id: request.id, ok: false, error: serializeError(error) });
      }
    } else {
      db.close();
      answer({ id: request.id, ok: true, result: null });
      port.close();
      return;
    }
  }
  appendTogether(appends);
};

port.on('message', (request: Numbered) => {
  queue.push(request);
  if (!scheduled) {
    scheduled = true;
    setImmediate(work);
  }
});
