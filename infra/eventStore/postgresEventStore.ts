/**
 * The server EventStore: PostgreSQL (or a PostgreSQL-compatible engine) through a pg Pool, plain SQL
 * only. Engine features used beyond SQL-92-ish tables: `bigint`/`json`/`timestamptz` columns, arrays
 * with `unnest` of several arrays, `INSERT … ON CONFLICT`, row locks, LISTEN/NOTIFY (`pg_notify`), and
 * `pg_advisory_xact_lock` around the schema migration only.
 *
 * Global order without visible gaps: every append transaction first updates the one row of
 * `event_head` (`UPDATE … SET position = position + n RETURNING position`) and takes its positions from
 * it. The row lock is held until COMMIT, so appends are serialized on it and commit in position order;
 * PostgreSQL makes a commit visible before it releases the transaction's locks, so by the time the next
 * appender holds the row, every earlier position is already visible to new snapshots. A reader's
 * snapshot therefore always sees a prefix of the positions: it can never see position 11 while 10 is
 * still to come. Positions are also dense: a rolled-back append rolls the counter back with it.
 * (docs/decisions.md, "Event store (PostgreSQL)", explains the alternatives and why not.)
 */
import pg from 'pg';
import { migrationLockKey } from '../postgres/migrateComponent.js';
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
import { startPollingSubscription, type RunningSubscription } from './pollingSubscription.js';

export interface PostgresEventStoreOptions {
  connectionString: string;
  /** the schema holding the tables, created if missing (default `liandong`); lets tests isolate */
  schema?: string;
  clock?: Clock;
  /**
   * how often a live subscription reads even without a notification (a lost NOTIFY, a LISTEN
   * connection being re-established); commits through this store and NOTIFYs from others wake it at once
   */
  pollIntervalMs?: number;
  /**
   * Test hook: runs inside every append transaction after the events are written and the positions
   * taken, just before COMMIT. Holding it open shows what readers see of an uncommitted append; throwing
   * rolls the append back.
   */
  beforeCommit?: () => Promise<void>;
}

const DEFAULT_SCHEMA = 'liandong';
const DEFAULT_POLL_INTERVAL_MS = 1000;
const SUBSCRIPTION_PAGE_SIZE = 1000;
const APPLICATION_NAME = 'liandong-event-store';
/** the NOTIFY channel is `liandong_events_<schema>` and must fit PostgreSQL's 63-byte identifiers */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,46}$/;
const LISTEN_RETRY_MIN_MS = 100;
const LISTEN_RETRY_MAX_MS = 5000;

/**
 * migrations[i] takes the schema from version i to i + 1: SQL for `schema` (which arrives quoted), or code
 * run on the migrating transaction's connection for what SQL cannot do
 */
type Migration = ((schema: string) => string) | { run(client: pg.PoolClient, schema: string): Promise<void> };

const MIGRATIONS: readonly Migration[] = [
  (schema) => `
   CREATE TABLE ${schema}.events (
     position        bigint      PRIMARY KEY,  -- taken from event_head, in commit order
     stream_id       text        NOT NULL,
     revision        integer     NOT NULL,
     type            text        NOT NULL,
     data            json        NOT NULL,     -- json, not jsonb: kept as written (key order, \\u0000)
     metadata        json        NOT NULL,
     recorded_at     timestamptz NOT NULL,
     idempotency_key text,
     hash            text,                     -- the stream's hash chain (eventHash.ts), written at append
     prev_hash       text,
     CONSTRAINT events_stream_revision_unique UNIQUE (stream_id, revision),
     CONSTRAINT events_idempotency_key_unique UNIQUE (idempotency_key)
   );
   -- one row per stream so an expected-revision check is a primary-key lookup
   CREATE TABLE ${schema}.streams (
     stream_id text    PRIMARY KEY,
     revision  integer NOT NULL
   );
   -- the single row every append locks: the serialization point of the global order
   CREATE TABLE ${schema}.event_head (
     singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
     position  bigint  NOT NULL
   );
   INSERT INTO ${schema}.event_head (singleton, position) VALUES (true, 0);`,
  // version 2: the hash chain. Events stored before it get their chains computed once, here; from then on
  // every hash is written by append, and a missing one is a finding for the auditor, never filled in again.
  { run: backfillHashes },
];

interface EventRow {
  position: string; // int8 arrives as a decimal string
  stream_id: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recorded_at: Date;
  idempotency_key: string | null;
  hash: string | null;
  prev_hash: string | null;
}

const EVENT_COLUMNS = 'position, stream_id, revision, type, data, metadata, recorded_at, idempotency_key, hash, prev_hash';

export async function openPostgresEventStore(options: PostgresEventStoreOptions): Promise<EventStore> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`schema must match ${SCHEMA_NAME.source} (lower-case, at most 47 characters), got ${JSON.stringify(schema)}`);
  }
  const clock = options.clock ?? systemClock;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const connection = { connectionString: options.connectionString, application_name: APPLICATION_NAME };
  const channel = `liandong_events_${schema}`;
  const table = (name: string): string => `"${schema}".${name}`;

  const pool = new pg.Pool(connection);
  // an idle pooled connection that dies (server restart) is discarded by the pool; without a listener
  // its 'error' event would crash the process
  pool.on('error', () => undefined);
  try {
    await migrate(pool, schema);
  } catch (error) {
    await pool.end();
    throw error;
  }

  const sql = {
    lockHead: `UPDATE ${table('event_head')} SET position = position + $1 RETURNING position`,
    streamRevisions: `SELECT stream_id, revision FROM ${table('streams')} WHERE stream_id = ANY($1::text[])`,
    // the revision and the hash a new event chains onto, read under the event_head lock
    streamHeads: `SELECT s.stream_id, s.revision, e.hash FROM ${table('streams')} s
      LEFT JOIN ${table('events')} e ON e.stream_id = s.stream_id AND e.revision = s.revision
      WHERE s.stream_id = ANY($1::text[])`,
    insertEvents: `INSERT INTO ${table('events')} (position, stream_id, revision, type, data, metadata, recorded_at, idempotency_key, hash, prev_hash)
      SELECT position, stream_id, revision, type, data::json, metadata::json, $7::timestamptz, idempotency_key, hash, prev_hash
      FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::text[], $8::text[], $9::text[], $10::text[])
        AS appended (position, stream_id, revision, type, data, metadata, idempotency_key, hash, prev_hash)`,
    setStreamRevisions: `INSERT INTO ${table('streams')} (stream_id, revision)
      SELECT stream_id, revision FROM unnest($1::text[], $2::integer[]) AS moved (stream_id, revision)
      ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision`,
    readStream: `SELECT ${EVENT_COLUMNS} FROM ${table('events')} WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
    readAll: `SELECT ${EVENT_COLUMNS} FROM ${table('events')} WHERE position > $1 ORDER BY position LIMIT $2`,
    positionsByKey: `SELECT idempotency_key, position FROM ${table('events')} WHERE idempotency_key = ANY($1::text[])`,
    head: `SELECT position FROM ${table('event_head')}`,
  };

  async function appendInTransaction(requests: readonly AppendRequest[], recordedAt: string): Promise<AppendResult[]> {
    const eventCount = requests.reduce((sum, request) => sum + request.events.length, 0);
    // serialized (and canonicalized for the hash chain) before the transaction: the less work under the
    // event_head lock, the more appends per second
    const serialized = requests.map((request) =>
      request.events.map(
        (event): SerializedEvent => ({
          data: JSON.stringify(event.data),
          metadata: JSON.stringify(event.metadata),
          canonicalData: canonicalJson(event.data),
          canonicalMetadata: canonicalJson(event.metadata),
        }),
      ),
    );
    try {
      // READ COMMITTED whatever the server default: each statement must see the commit of the appender
      // that held event_head before us
      return await inTransaction(pool, 'BEGIN ISOLATION LEVEL READ COMMITTED', async (client) => {
        // first statement: from here to COMMIT this transaction owns the global order
        const head = await client.query<{ position: string }>(sql.lockHead, [eventCount]);
        const lastPosition = BigInt(head.rows[0]!.position);
        const streamIds = [...new Set(requests.map((request) => request.streamId))];
        const stored = await client.query<{ stream_id: string; revision: number; hash: string | null }>(sql.streamHeads, [streamIds]);
        const heads = new Map(stored.rows.map((row) => [row.stream_id, { revision: row.revision, hash: row.hash }]));

        const plan = planAppend(requests, serialized, heads, lastPosition - BigInt(eventCount), recordedAt);
        if (eventCount > 0) {
          await client.query(sql.insertEvents, [...plan.columns, recordedAt, plan.idempotencyKeys, plan.hashes, plan.prevHashes]);
          const moved = [...plan.movedStreams];
          await client.query(sql.setStreamRevisions, [moved.map(([streamId]) => streamId), moved.map(([, revision]) => revision)]);
          // delivered to listeners on COMMIT, never for a rolled-back append
          await client.query('SELECT pg_notify($1, $2)', [channel, lastPosition.toString()]);
        }
        await options.beforeCommit?.();
        return plan.results;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw await explainUniqueViolation(requests, error);
      throw error;
    }
  }

  /**
   * Appends are serialized on event_head, so a unique violation is almost always an idempotency key
   * stored by an earlier call; a (stream_id, revision) one can only come from a writer that bypasses this
   * adapter. The transaction is rolled back by now: ask the store which it was.
   */
  async function explainUniqueViolation(requests: readonly AppendRequest[], error: unknown): Promise<Error> {
    const keys = requests.flatMap((request) =>
      request.events.flatMap((event) => (event.idempotencyKey === undefined ? [] : [event.idempotencyKey])),
    );
    const existing = await findPositions(keys);
    const duplicate = keys.find((key) => existing.has(key));
    if (duplicate !== undefined) return new DuplicateEventError(duplicate);
    const streamIds = requests.map((request) => request.streamId);
    const { rows } = await pool.query<{ stream_id: string; revision: number }>(sql.streamRevisions, [streamIds]);
    const actual = new Map(rows.map((row) => [row.stream_id, row.revision]));
    for (const request of requests) {
      const revision = actual.get(request.streamId) ?? null;
      if (!revisionMatches(request.expectedRevision, revision)) {
        return new ExpectedRevisionConflict(request.streamId, request.expectedRevision, revision);
      }
    }
    return toError(error);
  }

  async function findPositions(keys: readonly string[]): Promise<Map<string, bigint>> {
    const found = new Map<string, bigint>();
    if (keys.length === 0) return found;
    const { rows } = await pool.query<{ idempotency_key: string; position: string }>(sql.positionsByKey, [[...new Set(keys)]]);
    for (const row of rows) found.set(row.idempotency_key, BigInt(row.position));
    return found;
  }

  async function readAllAsync(after: bigint | null, maxCount: number | null): Promise<RecordedEvent[]> {
    const { rows } = await pool.query<EventRow>(sql.readAll, [(after ?? 0n).toString(), maxCount]);
    return rows.map(toRecordedEvent);
  }

  async function headPosition(): Promise<bigint | null> {
    const { rows } = await pool.query<{ position: string }>(sql.head);
    const position = BigInt(rows[0]!.position);
    return position === 0n ? null : position;
  }

  const commitListeners = new Set<() => void>();
  const subscriptions = new Set<RunningSubscription>();
  const listener = createListener(connection, channel, () => {
    for (const wake of commitListeners) wake();
  });
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new Error('event store is closed');
  };

  return {
    async append(requests) {
      assertOpen();
      if (requests.length === 0) return [];
      const results = await appendInTransaction(requests, clock.now().toISOString());
      // this store's own subscribers need not wait for the NOTIFY round trip
      for (const wake of commitListeners) wake();
      return results;
    },

    async readStream(streamId, options: ReadStreamOptions = {}) {
      assertOpen();
      const { rows } = await pool.query<EventRow>(sql.readStream, [streamId, options.fromRevision ?? 0, limitOf(options.maxCount)]);
      return rows.map(toRecordedEvent);
    },

    async readAll(options: ReadAllOptions = {}) {
      assertOpen();
      return readAllAsync(options.after ?? null, limitOf(options.maxCount));
    },

    subscribe(options: SubscribeOptions): Subscription {
      assertOpen();
      // LISTEN starts with the first subscription: an append-only process never holds the extra connection
      listener.start();
      const subscription = startPollingSubscription(options, {
        readPage: readAllAsync,
        // asked now, not when delivery starts: "everything stored when it started"
        headAtStart: headPosition(),
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
      return findPositions(keys);
    },

    async headPosition() {
      assertOpen();
      return headPosition();
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      await listener.stop();
      await pool.end();
    },
  };
}

interface SerializedEvent {
  /** as stored (the caller's key order) */
  data: string;
  metadata: string;
  /** as hashed (canonicalJson.ts) */
  canonicalData: string;
  canonicalMetadata: string;
}

interface AppendPlan {
  results: AppendResult[];
  /** the INSERT's column arrays: position, stream_id, revision, type, data, metadata */
  columns: [string[], string[], number[], string[], string[], string[]];
  idempotencyKeys: (string | null)[];
  hashes: string[];
  prevHashes: (string | null)[];
  /** each appended-to stream's revision after the call */
  movedStreams: Map<string, number>;
}

/**
 * Checks every request against the stored revisions (and the ones earlier requests of the same call
 * moved to) and lays out the rows, in request order. The first problem in request order is thrown.
 */
function planAppend(
  requests: readonly AppendRequest[],
  serialized: readonly (readonly SerializedEvent[])[],
  stored: ReadonlyMap<string, { revision: number; hash: string | null }>,
  positionBefore: bigint,
  recordedAt: string,
): AppendPlan {
  const current = new Map([...stored].map(([streamId, head]) => [streamId, head.revision]));
  const chainHeads = new Map([...stored].map(([streamId, head]) => [streamId, head.hash]));
  const columns: AppendPlan['columns'] = [[], [], [], [], [], []];
  const idempotencyKeys: (string | null)[] = [];
  const hashes: string[] = [];
  const prevHashes: (string | null)[] = [];
  const keysInCall = new Set<string>();
  const movedStreams = new Map<string, number>();
  let position = positionBefore;
  const results = requests.map(({ streamId, expectedRevision, events }, requestIndex): AppendResult => {
    const actual = current.get(streamId) ?? null;
    if (!revisionMatches(expectedRevision, actual)) throw new ExpectedRevisionConflict(streamId, expectedRevision, actual);
    let revision = actual ?? -1;
    const positions: bigint[] = [];
    for (const [eventIndex, event] of events.entries()) {
      const { data, metadata, canonicalData, canonicalMetadata } = serialized[requestIndex]![eventIndex]!;
      const key = event.idempotencyKey ?? null;
      if (key !== null) {
        if (keysInCall.has(key)) throw new DuplicateEventError(key);
        keysInCall.add(key);
      }
      revision += 1;
      position += 1n;
      positions.push(position);
      const prevHash = chainHeads.get(streamId) ?? null;
      const hash = eventHashFromCanonical(canonicalData, canonicalMetadata, {
        streamId,
        revision,
        type: event.type,
        time: event.metadata.time,
        recordedAt,
        prevHash,
      });
      chainHeads.set(streamId, hash);
      hashes.push(hash);
      prevHashes.push(prevHash);
      columns[0].push(position.toString());
      columns[1].push(streamId);
      columns[2].push(revision);
      columns[3].push(event.type);
      columns[4].push(data);
      columns[5].push(metadata);
      idempotencyKeys.push(key);
    }
    if (events.length > 0) {
      current.set(streamId, revision);
      movedStreams.set(streamId, revision);
    }
    return { streamId, nextExpectedRevision: revision, positions };
  });
  return { results, columns, idempotencyKeys, hashes, prevHashes, movedStreams };
}

function revisionMatches(expected: AppendRequest['expectedRevision'], actual: number | null): boolean {
  if (expected === 'any') return true;
  return expected === 'no_stream' ? actual === null : actual === expected;
}

/**
 * Brings the schema up to date. The advisory lock (transaction-scoped, keyed by the schema name)
 * makes two processes opening a fresh database at once take turns. DDL runs only when something is
 * missing, so a runtime role without CREATE rights can open a schema a DBA has already migrated.
 */
async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  await inTransaction(pool, 'BEGIN', async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [migrationLockKey(schema)]);
    const found = await client.query<{ namespace: boolean; versions: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS namespace,
              EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = $1 AND c.relname = 'schema_versions') AS versions`,
      [schema],
    );
    const { namespace, versions } = found.rows[0]!;
    const quoted = `"${schema}"`;
    let current = 0;
    if (versions) {
      const stored = await client.query<{ version: number }>(`SELECT version FROM ${quoted}.schema_versions WHERE component = 'events'`);
      current = stored.rows[0]?.version ?? 0;
    }
    if (current > MIGRATIONS.length) {
      throw new Error(`events schema is version ${current}; this program knows up to ${MIGRATIONS.length}`);
    }
    if (current === MIGRATIONS.length) return;
    if (!namespace) await client.query(`CREATE SCHEMA ${quoted}`);
    if (!versions) {
      // per component, like the SQLite store: other components may keep their tables in this schema
      await client.query(`CREATE TABLE ${quoted}.schema_versions (component text PRIMARY KEY, version integer NOT NULL)`);
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      const migration = MIGRATIONS[version]!;
      if (typeof migration === 'function') await client.query(migration(quoted));
      else await migration.run(client, quoted);
    }
    await client.query(
      `INSERT INTO ${quoted}.schema_versions (component, version) VALUES ('events', $1)
       ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version`,
      [MIGRATIONS.length],
    );
  });
}

/**
 * Runs `work` in a transaction on a pooled connection: COMMIT when it resolves, ROLLBACK when it
 * throws. A connection whose BEGIN or ROLLBACK fails (it died) is destroyed, not returned to the pool.
 */
async function inTransaction<T>(pool: pg.Pool, begin: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // a checked-out connection that dies emits 'error'; unheard, that would crash the process (the failing
  // query rejects anyway)
  const ignore = (): void => undefined;
  client.on('error', ignore);
  let dead: Error | undefined;
  try {
    try {
      await client.query(begin);
    } catch (error) {
      dead = toError(error);
      throw error;
    }
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        dead = toError(rollbackError);
      });
      throw error;
    }
  } finally {
    client.removeListener('error', ignore);
    client.release(dead);
  }
}


interface Listener {
  /** connects and LISTENs, if not already; reconnects by itself until stop() */
  start(): void;
  stop(): Promise<void>;
}

/**
 * The dedicated LISTEN connection (a pooled one would lose its LISTEN when returned). Every
 * notification wakes the subscriptions; so does every (re)connect, because NOTIFYs sent while it was
 * down are lost and the wake makes each subscription read what it missed.
 */
function createListener(connection: pg.ClientConfig, channel: string, wake: () => void): Listener {
  let started = false;
  let stopped = false;
  let client: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let retryDelay = LISTEN_RETRY_MIN_MS;
  let connecting: Promise<void> = Promise.resolve();

  const scheduleReconnect = (): void => {
    if (stopped || retryTimer !== null) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connecting = connect();
    }, retryDelay);
    // subscriptions keep polling meanwhile; a retry alone must not keep the process alive
    retryTimer.unref();
    retryDelay = Math.min(retryDelay * 2, LISTEN_RETRY_MAX_MS);
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client(connection);
    let failed = false;
    const fail = (): void => {
      if (failed) return;
      failed = true;
      if (client === next) client = null;
      void next.end().catch(() => undefined);
      scheduleReconnect();
    };
    next.on('error', fail);
    next.on('end', fail);
    next.on('notification', (message) => {
      if (message.channel === channel) wake();
    });
    try {
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
    } catch {
      fail();
      return;
    }
    if (stopped || failed) {
      failed = true;
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    retryDelay = LISTEN_RETRY_MIN_MS;
    wake();
  };

  return {
    start() {
      if (started || stopped) return;
      started = true;
      connecting = connect();
    },
    async stop() {
      stopped = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      await connecting;
      const current = client;
      client = null;
      if (current !== null) {
        current.removeAllListeners('end');
        await current.end().catch(() => undefined);
      }
    },
  };
}

/** `LIMIT NULL` means no limit; a negative maxCount from a caller is a bug, not a wish for everything */
function limitOf(maxCount: number | undefined): number | null {
  if (maxCount === undefined) return null;
  if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  return maxCount;
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    revision: row.revision,
    position: BigInt(row.position),
    type: row.type,
    // pg parses json columns with JSON.parse, which keeps the stored key order
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at.toISOString(),
    idempotencyKey: row.idempotency_key,
    hash: row.hash ?? '',
    prevHash: row.prev_hash,
  };
}

/** computes the chains of events stored before version 2, in position order (so in revision order per stream) */
async function backfillHashes(client: pg.PoolClient, schema: string): Promise<void> {
  const heads = new Map<string, string>();
  let after = '0';
  for (;;) {
    const { rows } = await client.query<Omit<EventRow, 'idempotency_key' | 'hash' | 'prev_hash'>>(
      `SELECT position, stream_id, revision, type, data, metadata, recorded_at FROM ${schema}.events WHERE position > $1 ORDER BY position LIMIT 10000`,
      [after],
    );
    if (rows.length === 0) return;
    const positions: string[] = [];
    const hashes: string[] = [];
    const prevHashes: (string | null)[] = [];
    for (const row of rows) {
      const prevHash = heads.get(row.stream_id) ?? null;
      const hash = eventHash({
        streamId: row.stream_id,
        revision: row.revision,
        type: row.type,
        data: row.data,
        metadata: row.metadata,
        recordedAt: row.recorded_at.toISOString(),
        prevHash,
      });
      heads.set(row.stream_id, hash);
      positions.push(row.position);
      hashes.push(hash);
      prevHashes.push(prevHash);
    }
    await client.query(
      `UPDATE ${schema}.events AS e SET hash = u.hash, prev_hash = u.prev_hash
       FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u (position, hash, prev_hash) WHERE e.position = u.position`,
      [positions, hashes, prevHashes],
    );
    after = rows.at(-1)!.position;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
