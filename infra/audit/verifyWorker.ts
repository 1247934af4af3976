/**
 * The auditVerify worker thread (backgroundVerifier.ts): opens its own connections to the stores named in
 * `workerData`, verifies (verify.ts), posts progress and the report to the thread that started it, closes
 * the connections and ends. Its SQLite connections are switched to `query_only` once the adapters have
 * opened (their schema check is a no-op on a file the platform already migrated), so nothing it does can
 * write; it never writes to PostgreSQL or EventStoreDB either (verify only reads).
 */
import { createPublicKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { EventStore } from '../../ports/eventStore.js';
import { openDurableDatabase, type SqliteDatabase } from '../eventStore/sqliteDatabase.js';
import { openSqliteEventStore } from '../eventStore/sqliteEventStore.js';
import { openSqliteRejectionStore } from '../rejections/sqliteRejectionStore.js';
import { openSqliteAccessLog } from '../accessLog/sqliteAccessLog.js';
import type { ChainedLog } from '../../ports/chainedLog.js';
import type { LogLocation, StoreLocation, VerifyJob, VerifyMessage } from './backgroundVerifier.js';
import { verifyStore } from './verify.js';
import { runBehindEventLoop } from '../threadPriority.js';

/** progress messages at most this often: the report is what matters */
const PROGRESS_EVERY_MS = 250;

interface Opened {
  store: EventStore;
  logs: ChainedLog[];
  close(): Promise<void>;
}

async function openStores(job: VerifyJob): Promise<Opened> {
  const closers: (() => Promise<void> | void)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await Promise.resolve(closer()).catch(() => undefined);
  };
  try {
    const { store, database } = await openEvents(job.target.events);
    closers.push(() => store.close());
    const logs: ChainedLog[] = [];
    const databases = database === undefined ? [] : [database];
    // only with the whole store: a stream's verification reads no log
    for (const location of job.stream === undefined ? job.target.logs : []) {
      const opened = await openLog(location, job.target.events, database);
      closers.push(opened.close);
      logs.push(opened.log);
      if (opened.database !== undefined) databases.push(opened.database);
    }
    // the adapters' schema checks are done: from here on these connections cannot write
    for (const db of databases) db.pragma('query_only = ON');
    return { store, logs, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function openEvents(location: StoreLocation): Promise<{ store: EventStore; database?: SqliteDatabase }> {
  switch (location.engine) {
    case 'sqlite': {
      const store = openSqliteEventStore({ path: location.path });
      return { store, database: store.database };
    }
    case 'postgres': {
      const { openPostgresEventStore } = await import('../eventStore/postgresEventStore.js');
      return { store: await openPostgresEventStore({ connectionString: location.connectionString, ...(location.schema ? { schema: location.schema } : {}) }) };
    }
    case 'esdb': {
      const { openEsdbEventStore } = await import('../eventStore/esdbEventStore.js');
      return { store: await openEsdbEventStore({ connectionString: location.connectionString }) };
    }
  }
}

async function openLog(location: LogLocation, events: StoreLocation, eventsDatabase: SqliteDatabase | undefined): Promise<{ log: ChainedLog; close(): Promise<void>; database?: SqliteDatabase }> {
  if (location.engine === 'postgres') {
    const connection = { connectionString: location.connectionString, ...(location.schema ? { schema: location.schema } : {}), maxConnections: 1 };
    const log =
      location.log === 'rejections'
        ? await (await import('../rejections/postgresRejectionStore.js')).openPostgresRejectionStore(connection)
        : await (await import('../accessLog/postgresAccessLog.js')).openPostgresAccessLog(connection);
    return { log, close: () => log.close() };
  }
  // the rejections kept in the event store's own file share its connection
  const shared = events.engine === 'sqlite' && events.path === location.path ? eventsDatabase : undefined;
  const database = shared ?? openDurableDatabase(location.path);
  const log = location.log === 'rejections' ? openSqliteRejectionStore({ database }) : openSqliteAccessLog({ database });
  if (shared !== undefined) return { log, close: () => log.close() };
  return {
    log,
    database,
    close: async () => {
      await log.close();
      database.close();
    },
  };
}

const post = (message: VerifyMessage): void => parentPort!.postMessage(message);

const job = workerData as VerifyJob;
runBehindEventLoop();
try {
  const opened = await openStores(job);
  try {
    let lastProgress = 0;
    const report = await verifyStore({
      store: opened.store,
      trustedKeys: new Map(job.trustedKeys.map(([keyId, pem]) => [keyId, createPublicKey(pem)])),
      densePositions: job.target.densePositions,
      logs: opened.logs,
      ...(job.stream === undefined ? {} : { stream: job.stream }),
      onProgress: (position, head) => {
        const now = performance.now();
        if (now - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = now;
        post({ kind: 'progress', position, head });
      },
    });
    post({ kind: 'report', report });
  } finally {
    await opened.close();
  }
} catch (error) {
  post({ kind: 'failed', message: (error as Error).message ?? String(error) });
}
