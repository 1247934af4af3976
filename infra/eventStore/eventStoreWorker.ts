/**
 * The embedded event store's writer thread (sqliteEventStore.ts): owns the connection that appends, so the inserts,
 * the hash chain and the fsync of every append run here and not on the event loop that answers ingest, GraphQL and
 * `/healthz`. Appends are taken one at a time, in the order they were asked, each in its own transaction, and each is
 * answered with its positions once durable, or with the error that undid it (a conflict, a duplicate key, a full disk).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError, type WriterMessage, type WriterReply } from '../sqlite/writerThread.js';
import { openDurableDatabase } from './sqliteDatabase.js';
import { sqliteEventWrites, type EventWriteRequest } from './sqliteEventStore.js';
import type { AppendResult } from '../../ports/eventStore.js';
import { runBehindEventLoop } from '../threadPriority.js';

const port = parentPort!;
const { path } = workerData as { path: string };
const db = openDurableDatabase(path);
const writes = sqliteEventWrites(db);
runBehindEventLoop();

port.on('message', (request: WriterMessage<EventWriteRequest>) => {
  let reply: WriterReply<AppendResult[] | null>;
  if (request.kind === 'close') {
    db.close();
    port.postMessage({ id: request.id, ok: true, result: null } satisfies WriterReply<null>);
    port.close();
    return;
  }
  try {
    reply = { id: request.id, ok: true, result: writes.append(request.requests, request.recordedAt) };
  } catch (error) {
    reply = { id: request.id, ok: false, error: serializeError(error) };
  }
  port.postMessage(reply);
});
