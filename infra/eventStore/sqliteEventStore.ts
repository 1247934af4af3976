/**
 * The embedded EventStore: one SQLite file (WAL, synchronous FULL) whose events are written by one connection per
 * store — in a worker thread of its own (eventStoreWorker.ts), so an append's inserts, hashes and fsync never hold the
 * event loop; reads stay on the store's own connection (WAL lets them read while the worker writes).
 *
 * SQLite has a single writer, and positions are AUTOINCREMENT rowids assigned inside the write
 * transaction, so commits happen in position order and no reader can ever see a position "behind"
 * one it has already read — the port's no-late-commits rule holds without extra bookkeeping.
 */
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../clock.js';
import {
  DuplicateEventError,
  ExpectedRevisionConflict,
  type AppendRequest,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../ports/eventStore.js';
import { canonicalJson } from '../../ports/canonicalJson.js';
import { eventHash, eventHashFromCanonical } from './eventHash.js';
import type { ChainRow, ChainRowSource } from './chainRows.js';
import { startPollingSubscription, type RunningSubscription } from './pollingSubscription.js';
import { migrate, openDurableDatabase, type Migration, type SqliteDatabase } from './sqliteDatabase.js';
import { reviveError, startWriterThread, type SerializedError, type WriterThread } from '../sqlite/writerThread.js';
import { workerEntry } from '../workerEntry.js';

/** what the store asks of its writer thread (eventStoreWorker.ts) */
export type EventWriteRequest = { kind: 'append'; requests: readonly PreparedAppend[]; recordedAt: string };

/** the writer thread's entry: under tsx a .mjs that registers tsx first (a worker does not inherit the loader) */
const WORKER_ENTRY = workerEntry(import.meta.url, 'eventStoreWorker');

/** the port's own errors keep their class across the thread: the pipeline and the command handler test for them */
function reviveStoreError(error: SerializedError): Error {
  const fields = error.fields ?? {};
  if (error.name === 'ExpectedRevisionConflict') {
    return new ExpectedRevisionConflict(String(fields['streamId']), fields['expected'] as AppendRequest['expectedRevision'], (fields['actual'] as number | null | undefined) ?? null);
  }
  if (error.name === 'DuplicateEventError') return new DuplicateEventError(String(fields['idempotencyKey']));
  return reviveError(error);
}

export interface SqliteEventStoreOptions {
  /** a file path, or ':memory:' for a throwaway store */
  path: string;
  clock?: Clock;
  /**
   * how often a live subscription looks for events written by another connection (another process on
   * the same file); commits through this store wake subscribers at once
   */
  pollIntervalMs?: number;
  /**
   * Where appends run: 'thread' (default for a file) — a worker thread of their own, so the inserts, the hash chain
   * and the fsync of a 500-event batch (17–40 ms measured) never hold the event loop; 'caller' — in the calling
   * thread (':memory:' always: a worker cannot share an in-memory database).
   */
  writer?: 'thread' | 'caller';
}

export interface SqliteEventStore extends EventStore, ChainRowSource {
  /**
   * The open connection, so other embedded components (the rejection store) can keep their tables in
   * the same file. Owned by the event store: close() closes it.
   */
  readonly database: SqliteDatabase;
}

const MIGRATIONS: Migration[] = [
  `CREATE TABLE events (
     position        INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: a position is never reused
     stream_id       TEXT    NOT NULL,
     revision        INTEGER NOT NULL,
     type            TEXT    NOT NULL,
     data            TEXT    NOT NULL,
     metadata        TEXT    NOT NULL,
     recorded_at     TEXT    NOT NULL,
     idempotency_key TEXT    UNIQUE,
     hash            TEXT,  -- the stream's hash chain (eventHash.ts), written at append
     prev_hash       TEXT,
     UNIQUE (stream_id, revision)
   );
   -- one row per stream so an expected-revision check is a primary-key lookup
   CREATE TABLE streams (
     stream_id TEXT PRIMARY KEY,
     revision  INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // version 2: the hash chain. Files written before it get their chains computed once, here; from then on
  // every hash is written by append, and a missing one is a finding for the auditor, never filled in again.
  (db) => backfillHashes(db),
];

/** events per read of a subscription: read and parsed on the event loop, ~4 ms at 250 (1,000 took ~17 ms) */
const SUBSCRIPTION_PAGE_SIZE = 250;
const DEFAULT_POLL_INTERVAL_MS = 1000;

interface EventRow {
  position: bigint;
  stream_id: string;
  revision: bigint;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
  idempotency_key: string | null;
  hash: string | null;
  prev_hash: string | null;
}

const EVENT_COLUMNS = 'position, stream_id, revision, type, data, metadata, recorded_at, idempotency_key, hash, prev_hash';

export function openSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  const clock = options.clock ?? systemClock;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const db = openDurableDatabase(options.path);
  try {
    migrate(db, 'events', MIGRATIONS);
  } catch (error) {
    db.close();
    throw error;
  }

  // safeIntegers: positions are bigint in the port, and must not pass through a lossy number
  const statements = {
    readStream: db
      .prepare<[string, number, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
      )
      .safeIntegers(),
    readAll: db
      .prepare<[bigint, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`)
      .safeIntegers(),
    // the auditor's rows (chainRows.ts): arrays, plain numbers (chainRowsOf checks the head fits), no parsing
    chainRows: db
      .prepare<[number, number], ChainRow>(
        'SELECT position, stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash FROM events WHERE position > ? ORDER BY position LIMIT ?',
      )
      .raw(),
    // a batch's keys as one JSON array: one query (index lookups per key) instead of one statement per key
    positionsByKeys: db
      .prepare<[string], { idempotency_key: string; position: bigint }>(
        'SELECT idempotency_key, position FROM events WHERE idempotency_key IN (SELECT value FROM json_each(?))',
      )
      .safeIntegers(),
    head: db.prepare<[], bigint | null>('SELECT max(position) FROM events').pluck().safeIntegers(),
  };

  // appends run in a thread of their own (eventStoreWorker.ts) for a file; a ':memory:' store has no file to share
  const inCaller = options.path === ':memory:' || options.writer === 'caller' ? sqliteEventWrites(db) : null;
  let thread: WriterThread<EventWriteRequest, AppendResult[]> | null = null;
  const appendDurably = async (appends: readonly AppendRequest[], recordedAt: string): Promise<AppendResult[]> => {
    const requests = prepareAppend(appends);
    if (inCaller !== null) return inCaller.append(requests, recordedAt);
    thread ??= startWriterThread<EventWriteRequest, AppendResult[]>({ entry: WORKER_ENTRY, workerData: { path: options.path }, what: '事件库', revive: reviveStoreError });
    return thread.ask({ kind: 'append', requests, recordedAt });
  };

  function readAllSync(after: bigint | null, maxCount: number): RecordedEvent[] {
    return statements.readAll.all(after ?? 0n, maxCount).map(toRecordedEvent);
  }

  const commitListeners = new Set<() => void>();
  const subscriptions = new Set<RunningSubscription>();
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new Error('event store is closed');
  };

  return {
    database: db,

    async append(requests) {
      assertOpen();
      if (requests.length === 0) return [];
      const results = await appendDurably(requests, clock.now().toISOString());
      for (const listener of commitListeners) listener();
      return results;
    },

    async readStream(streamId, options: ReadStreamOptions = {}) {
      assertOpen();
      const fromRevision = options.fromRevision ?? 0;
      return statements.readStream.all(streamId, fromRevision, limitOf(options.maxCount)).map(toRecordedEvent);
    },

    async readAll(options: ReadAllOptions = {}) {
      assertOpen();
      return readAllSync(options.after ?? null, limitOf(options.maxCount));
    },

    readChainRows(after, maxCount) {
      assertOpen();
      return statements.chainRows.all(after, limitOf(maxCount));
    },

    subscribe(options: SubscribeOptions): Subscription {
      assertOpen();
      const subscription = startPollingSubscription(options, {
        readPage: readAllSync,
        // read now, not when delivery starts: "everything stored when it started"
        headAtStart: statements.head.get() ?? null,
        commitListeners,
        pageSize: SUBSCRIPTION_PAGE_SIZE,
        pollIntervalMs,
      });
      subscriptions.add(subscription);
      void subscription.ended.then(() => subscriptions.delete(subscription));
      return { stop: () => subscription.stop() };
    },

    async findByIdempotencyKeys(keys) {
      assertOpen();
      const found = new Map<string, bigint>();
      if (keys.length === 0) return found;
      for (const row of statements.positionsByKeys.all(JSON.stringify(keys))) found.set(row.idempotency_key, row.position);
      return found;
    },

    async headPosition() {
      assertOpen();
      return statements.head.get() ?? null;
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      await thread?.close();
      db.close();
    },
  };
}

/** an append with its events as the texts to store, made in the thread that asks (prepareAppend) */
export interface PreparedAppend {
  streamId: string;
  expectedRevision: AppendRequest['expectedRevision'];
  events: readonly PreparedEvent[];
}

interface PreparedEvent {
  type: string;
  /**
   * stored as the canonical texts the hash is computed over (the same JSON values as JSON.stringify would store,
   * members sorted), so the auditor can hash the stored text without re-serialising it
   */
  data: string;
  metadata: string;
  /** metadata.time, which the hash covers besides */
  time: string;
  key: string | null;
}

/**
 * The texts of an append, made before it is handed to the writer: an event that cannot be stored (a bigint, a cycle)
 * fails here with its own error, and what crosses to the writer thread is strings, which copy faster than objects.
 */
export function prepareAppend(requests: readonly AppendRequest[]): PreparedAppend[] {
  return requests.map(({ streamId, expectedRevision, events }) => ({
    streamId,
    expectedRevision,
    events: events.map((event) => ({
      type: event.type,
      data: canonicalJson(event.data),
      metadata: canonicalJson(event.metadata),
      time: event.metadata.time,
      key: event.idempotencyKey ?? null,
    })),
  }));
}

/**
 * The store's writes on one connection, run in the calling thread: the writer thread's (eventStoreWorker.ts), or the
 * store's own for ':memory:'. One IMMEDIATE transaction per append: it takes the write lock up front, where a
 * deferred transaction that reads and then writes can fail with SQLITE_BUSY (not wait) when another connection
 * committed in between.
 */
export function sqliteEventWrites(db: SqliteDatabase): { append(requests: readonly PreparedAppend[], recordedAt: string): AppendResult[] } {
  // safeIntegers: positions are bigint in the port, and must not pass through a lossy number
  const statements = {
    streamRevision: db.prepare<[string], bigint>('SELECT revision FROM streams WHERE stream_id = ?').pluck().safeIntegers(),
    setStreamRevision: db.prepare<[string, number]>(
      'INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision',
    ),
    streamHash: db.prepare<[string, number], string | null>('SELECT hash FROM events WHERE stream_id = ? AND revision = ?').pluck(),
    insertEvent: db
      .prepare<[string, number, string, string, string, string, string | null, string, string | null]>(
        'INSERT INTO events (stream_id, revision, type, data, metadata, recorded_at, idempotency_key, hash, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .safeIntegers(),
  };

  const appendInTransaction = db.transaction((requests: readonly PreparedAppend[], recordedAt: string): AppendResult[] =>
    requests.map((request) => appendToStream(request, recordedAt)),
  );

  function appendToStream({ streamId, expectedRevision, events }: PreparedAppend, recordedAt: string): AppendResult {
    const stored = statements.streamRevision.get(streamId);
    const actual = stored === undefined ? null : Number(stored);
    const matches =
      expectedRevision === 'any' || (expectedRevision === 'no_stream' ? actual === null : actual === expectedRevision);
    if (!matches) throw new ExpectedRevisionConflict(streamId, expectedRevision, actual);

    let revision = actual ?? -1;
    // under the write lock: nobody else can chain onto this hash meanwhile
    let prevHash = actual === null ? null : (statements.streamHash.get(streamId, actual) ?? null);
    const positions: bigint[] = [];
    for (const event of events) {
      revision += 1;
      const { key, data, metadata } = event;
      const hash = eventHashFromCanonical(data, metadata, {
        streamId,
        revision,
        type: event.type,
        time: event.time,
        recordedAt,
        prevHash,
      });
      try {
        const { lastInsertRowid } = statements.insertEvent.run(
          streamId,
          revision,
          event.type,
          data,
          metadata,
          recordedAt,
          key,
          hash,
          prevHash,
        );
        prevHash = hash;
        positions.push(BigInt(lastInsertRowid));
      } catch (error) {
        // the write lock is held, so (stream_id, revision) cannot collide: a UNIQUE failure is the key
        if (key !== null && isUniqueViolation(error)) throw new DuplicateEventError(key);
        throw error;
      }
    }
    if (events.length > 0) statements.setStreamRevision.run(streamId, revision);
    return { streamId, nextExpectedRevision: revision, positions };
  }

  return { append: (requests, recordedAt) => appendInTransaction.immediate(requests, recordedAt) };
}

/** SQLite's LIMIT -1 means "no limit"; a negative maxCount from a caller is a bug, not a wish for everything */
function limitOf(maxCount: number | undefined): number {
  if (maxCount === undefined) return -1;
  if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  return maxCount;
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: row.position,
    type: row.type,
    data: JSON.parse(row.data) as Record<string, unknown>,
    metadata: JSON.parse(row.metadata) as EventMetadata,
    recordedAt: row.recorded_at,
    idempotencyKey: row.idempotency_key,
    hash: row.hash ?? '',
    prevHash: row.prev_hash,
  };
}

/** computes the chains of events stored before version 2, in position order (so in revision order per stream) */
function backfillHashes(db: SqliteDatabase): void {
  const page = db
    .prepare<[bigint], Omit<EventRow, 'idempotency_key' | 'hash' | 'prev_hash'>>(
      'SELECT position, stream_id, revision, type, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT 10000',
    )
    .safeIntegers();
  const update = db.prepare<[string, string | null, bigint]>('UPDATE events SET hash = ?, prev_hash = ? WHERE position = ?');
  const heads = new Map<string, string>();
  let after = 0n;
  for (;;) {
    const rows = page.all(after);
    for (const row of rows) {
      const prevHash = heads.get(row.stream_id) ?? null;
      const hash = eventHash({
        streamId: row.stream_id,
        revision: Number(row.revision),
        type: row.type,
        data: JSON.parse(row.data) as Record<string, unknown>,
        metadata: JSON.parse(row.metadata) as EventMetadata,
        recordedAt: row.recorded_at,
        prevHash,
      });
      update.run(hash, prevHash, row.position);
      heads.set(row.stream_id, hash);
      after = row.position;
    }
    if (rows.length < 10000) return;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
