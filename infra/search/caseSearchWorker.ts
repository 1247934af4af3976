/**
 * The case search index's writer thread (caseSearchWriterThread.ts): owns the connection that writes the index, so
 * the FTS5 rows of every put, its commit and SQLite's WAL checkpoints run here and not on the event loop. Requests are
 * taken one at a time, in the order they were asked; each is answered once its transaction is in the file, or with
 * the error that undid it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError, type WriterMessage, type WriterReply } from '../sqlite/writerThread.js';
import { caseSearchWrites, openCaseSearchDatabase } from './sqliteCaseSearch.js';
import type { CaseSearchRequest } from './caseSearchWriterThread.js';
import { runBehindEventLoop } from '../threadPriority.js';

const port = parentPort!;
const { path } = workerData as { path: string };
const db = openCaseSearchDatabase(path);
const writes = caseSearchWrites(db);
runBehindEventLoop();

port.on('message', (request: WriterMessage<CaseSearchRequest>) => {
  if (request.kind === 'close') {
    db.close();
    port.postMessage({ id: request.id, ok: true, result: null } satisfies WriterReply<null>);
    port.close();
    return;
  }
  let reply: WriterReply<null>;
  try {
    if (request.kind === 'put') writes.put(request.entries);
    else writes.clear();
    reply = { id: request.id, ok: true, result: null };
  } catch (error) {
    reply = { id: request.id, ok: false, error: serializeError(error) };
  }
  port.postMessage(reply);
});
