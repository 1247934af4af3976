/**
 * The embedded read models' writer thread (embeddedReadModelStore.ts): owns the connection that commits, so the
 * upserts, the index entries, the commits and SQLite's WAL checkpoints run here and not on the event loop that answers
 * ingest, GraphQL and `/healthz` (a CPU profile of an HTTP ingest put 45 % of that loop in these writes, issue 14).
 * Requests are taken one at a time, in the order they were asked; each commit is answered once it is in the file, or
 * with the error that undid it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError, type WriterMessage, type WriterReply } from '../sqlite/writerThread.js';
import { openWriterDatabase } from './readModelFile.js';
import { readModelWrites, type CommitAnswer, type StoredWrite } from './readModelWrites.js';
import { runBehindEventLoop } from '../threadPriority.js';

export type ReadModelWriteRequest =
  | { kind: 'commit'; projection: string; position: bigint; writes: StoredWrite[] }
  | { kind: 'reset'; projections: string[]; collections: string[] };

const port = parentPort!;
const { path } = workerData as { path: string };
const db = openWriterDatabase(path);
const writes = readModelWrites(db);
runBehindEventLoop();

port.on('message', (request: WriterMessage<ReadModelWriteRequest>) => {
  if (request.kind === 'close') {
    db.close();
    port.postMessage({ id: request.id, ok: true, result: null } satisfies WriterReply<null>);
    port.close();
    return;
  }
  let reply: WriterReply<CommitAnswer | null>;
  try {
    if (request.kind === 'commit') {
      reply = { id: request.id, ok: true, result: writes.commit(request.projection, request.position, request.writes) };
    } else {
      writes.reset(request.projections, request.collections);
      reply = { id: request.id, ok: true, result: null };
    }
  } catch (error) {
    reply = { id: request.id, ok: false, error: serializeError(error) };
  }
  port.postMessage(reply);
});
