/**
 * The server EventStore: PostgreSQL (or a PostgreSQL-compatible engine) through a pg Pool, plain SQL
 * only. Engine features used beyond SQL-92-ish tables: `bigint`/`json`/`timestamptz` columns, arrays
 * with `unnest` of several arrays, `json_to_recordset`, `INSERT … ON CONFLICT`, data-modifying and `MATERIALIZED`
 * CTEs (PostgreSQL 12+), row locks, LISTEN/NOTIFY (`pg_notify`), and `pg_advisory_xact_lock` around the schema
 * migration only.
 *
 * Global order without visible gaps: every append updates the one row of `event_head`
 * (`UPDATE … SET position = position + n RETURNING position`) and takes its positions from it. The row lock is held
 * until COMMIT, so appends are serialized on it and commit in position order; PostgreSQL makes a commit visible before
 * it releases the transaction's locks, so by the time the next appender holds the row, every earlier position is
 * already visible to new snapshots. A reader's snapshot therefore always sees a prefix of the positions: it can never
 * see position 11 while 10 is still to come. Positions are also dense: a rolled-back append rolls the counter back.
 *
 * Nothing slow happens while the row is held (issue 18): the stream heads are read, the revisions checked and the
 * hash chain computed before, with no lock; then ONE statement, sent as a simple query (one protocol message, no
 * parameters) and run in its own implicit transaction, locks the call's stream rows, checks that they have not moved
 * since they were read, takes event_head, inserts the rows it has already parsed, and commits. The lock is never held
 * across a client round trip, so a stopped, slow or dead client cannot hold it; the session timeouts bound everything
 * else. (docs/decisions.md, "Event store (PostgreSQL)", explains the alternatives and why not.)
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
   * rolls the append back. With it, the append statement runs inside an explicit BEGIN … COMMIT (the one path
   * where a client holds event_head between round trips: tests of the session timeouts use it).
   */
  beforeCommit?: () => Promise<void>;
  /**
   * Session settings of the store's connections (ms, 0 = none): how long a statement waits for a row lock
   * (`lock_timeout`, default 5 s), runs (`statement_timeout`, default 60 s), and how long a session may sit idle in
   * a transaction before the server ends it (`idle_in_transaction_session_timeout`, default 10 s).
   * DATABASE_LOCK_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS.
   */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
  /** connections of the pool (DATABASE_POOL_MAX, default 10) */
  maxConnections?: number;
  /**
   * how long an append or a read keeps retrying what is not its fault — a lost connection (on a fresh one), a lock
   * timeout, a deadlock, a race on a stream created at the same moment — before the last error goes to the caller
   * (default 30 s)
   */
  retryMs?: number;
}

/** the session timeouts and pool size the environment sets (operations.md, docs/deployment), for openPostgresEventStore */
export function postgresSessionSettingsFromEnv(env: NodeJS.ProcessEnv): Pick<PostgresEventStoreOptions, 'lockTimeoutMs' | 'statementTimeoutMs' | 'idleInTransactionTimeoutMs' | 'maxConnections'> {
  const read = (name: string, min: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} 必须是不小于 ${min} 的整数，现为 ${JSON.stringify(raw)}`);
    return value;
  };
  const settings: ReturnType<typeof postgresSessionSettingsFromEnv> = {};
  const lock = read('DATABASE_LOCK_TIMEOUT_MS', 0);
  const statement = read('DATABASE_STATEMENT_TIMEOUT_MS', 0);
  const idle = read('DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', 0);
  const max = read('DATABASE_POOL_MAX', 1);
  if (lock !== undefined) settings.lockTimeoutMs = lock;
  if (statement !== undefined) settings.statementTimeoutMs = statement;
  if (idle !== undefined) settings.idleInTransactionTimeoutMs = idle;
  if (max !== undefined) settings.maxConnections = max;
  return settings;
}

const DEFAULT_SCHEMA = 'liandong';
const DEFAULT_POLL_INTERVAL_MS = 1000;
const SUBSCRIPTION_PAGE_SIZE = 1000;
const APPLICATION_NAME = 'liandong-event-store';
/** the NOTIFY channel is `liandong_events_<schema>` and must fit PostgreSQL's 63-byte identifiers */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,46}$/;
const LISTEN_RETRY_MIN_MS = 100;
const LISTEN_RETRY_MAX_MS = 5000;
export const DEFAULT_LOCK_TIMEOUT_MS = 5000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;
export const DEFAULT_POOL_MAX = 10;
const DEFAULT_RETRY_MS = 30_000;
const RETRY_MIN_MS = 20;
const RETRY_MAX_MS = 1000;

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
  const retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const connection: pg.ClientConfig = {
    connectionString: options.connectionString,
    application_name: APPLICATION_NAME,
    // set at connect, so every session has them, whatever the role's or the server's defaults; READ COMMITTED
    // because each append's statement must see the commit of the appender that held event_head before it
    options: [
      `-c lock_timeout=${options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS}`,
      `-c statement_timeout=${statementTimeoutMs}`,
      `-c idle_in_transaction_session_timeout=${options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS}`,
      '-c default_transaction_isolation=read\\ committed',
      // the append statement's string constants are standard strings: a backslash is just a backslash
      '-c standard_conforming_strings=on',
    ].join(' '),
  };
  const channel = `liandong_events_${schema}`;
  const table = (name: string): string => `"${schema}".${name}`;

  const pool = new pg.Pool({ ...connection, max: options.maxConnections ?? DEFAULT_POOL_MAX });
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
    streamRevisions: `SELECT stream_id, revision FROM ${table('streams')} WHERE stream_id = ANY($1::text[])`,
    // the revision and the hash a new event chains onto, read before the append statement, which checks them
    streamHeads: `SELECT s.stream_id, s.revision, e.hash FROM ${table('streams')} s
      LEFT JOIN ${table('events')} e ON e.stream_id = s.stream_id AND e.revision = s.revision
      WHERE s.stream_id = ANY($1::text[])`,
    // did an append whose connection was lost commit? its first event, by the hash only it can have
    appendedEvent: `SELECT position FROM ${table('events')} WHERE stream_id = $1 AND revision = $2 AND hash = $3`,
    backendAlive: `SELECT 1 FROM pg_stat_activity WHERE pid = $1`,
    readStream: `SELECT ${EVENT_COLUMNS} FROM ${table('events')} WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
    readAll: `SELECT ${EVENT_COLUMNS} FROM ${table('events')} WHERE position > $1 ORDER BY position LIMIT $2`,
    positionsByKey: `SELECT idempotency_key, position FROM ${table('events')} WHERE idempotency_key = ANY($1::text[])`,
    head: `SELECT position FROM ${table('event_head')}`,
  };

  /**
   * The one statement that writes an append, as literal SQL (a simple query: the server has all of it before it
   * starts, and commits before it needs anything more from the client). In execution order:
   * `rows` parses the planned events (and checks their JSON) into a tuplestore; `locked` locks the call's stream rows
   * in stream id order (two calls on the same streams queue here, not on event_head) and reads their revisions as
   * committed now; `head` takes event_head only if no stream moved since it was read — else it updates nothing, the
   * statement writes nothing and answers no row, and the call is planned again; then the inserts, which only copy the
   * parsed rows, and the NOTIFY (delivered on COMMIT).
   */
  function appendStatement(plan: AppendPlan, read: ReadonlyMap<string, StreamHead>, streamIds: readonly string[], recordedAt: string): string {
    const count = plan.rows.length;
    // data and metadata go in as JSON strings, cast to json by the server: as nested values json_to_recordset would
    // decode their escapes and refuse \u0000 (the column keeps the text as written)
    const rows = JSON.stringify(plan.rows);
    const expected = JSON.stringify(streamIds.map((streamId) => ({ stream_id: streamId, revision: read.get(streamId)?.revision ?? null })));
    const moved = JSON.stringify([...plan.movedStreams].map(([streamId, revision]) => ({ stream_id: streamId, revision })));
    // the comment first: pg_stat_activity keeps only the first 1 kB of a query, and it names what is waiting
    return `/* liandong append ${schema} */ WITH rows AS MATERIALIZED (
        SELECT r.n, r.stream_id, r.revision, r.type, r.data::json AS data, r.metadata::json AS metadata, r.idempotency_key, r.hash, r.prev_hash
        FROM json_to_recordset(${sqlString(rows)}::json)
          AS r (n bigint, stream_id text, revision integer, type text, data text, metadata text, idempotency_key text, hash text, prev_hash text)
      ), expected AS MATERIALIZED (
        SELECT e.stream_id, e.revision FROM json_to_recordset(${sqlString(expected)}::json) AS e (stream_id text, revision integer)
      ), locked AS MATERIALIZED (
        SELECT s.stream_id, s.revision FROM ${table('streams')} s
        WHERE s.stream_id = ANY (ARRAY(SELECT stream_id FROM expected)) ORDER BY s.stream_id FOR UPDATE
      ), head AS (
        UPDATE ${table('event_head')} SET position = position + ${count}
        WHERE (SELECT count(*) FROM rows) = ${count}
          AND NOT EXISTS (SELECT 1 FROM expected e LEFT JOIN locked l ON l.stream_id = e.stream_id WHERE l.revision IS DISTINCT FROM e.revision)
        RETURNING position
      ), appended AS (
        INSERT INTO ${table('events')} (position, stream_id, revision, type, data, metadata, recorded_at, idempotency_key, hash, prev_hash)
        SELECT head.position - ${count} + r.n, r.stream_id, r.revision, r.type, r.data, r.metadata, ${sqlString(recordedAt)}::timestamptz,
               r.idempotency_key, r.hash, r.prev_hash
        FROM head, rows r
      ), moved AS (
        INSERT INTO ${table('streams')} (stream_id, revision)
        SELECT m.stream_id, m.revision FROM head, json_to_recordset(${sqlString(moved)}::json) AS m (stream_id text, revision integer)
        ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision
      )
      SELECT head.position, pg_notify(${sqlString(channel)}, head.position::text) FROM head`;
  }

  /** one attempt: `raced` when a stream moved between the read and the write (nothing was written) */
  async function appendOnce(requests: readonly AppendRequest[], serialized: readonly (readonly SerializedEvent[])[], recordedAt: string): Promise<AppendResult[] | 'raced'> {
    const streamIds = [...new Set(requests.map((request) => request.streamId))].sort();
    const stored = await pool.query<{ stream_id: string; revision: number; hash: string | null }>(sql.streamHeads, [streamIds]);
    const heads = new Map(stored.rows.map((row): [string, StreamHead] => [row.stream_id, { revision: row.revision, hash: row.hash }]));
    // revisions checked, keys within the call checked and the hash chain computed here, with no lock held
    const plan = planAppend(requests, serialized, heads, recordedAt);
    if (plan.rows.length === 0) return plan.results;
    const statement = appendStatement(plan, heads, streamIds, recordedAt);

    const client = await pool.connect();
    const ignore = (): void => undefined;
    client.on('error', ignore);
    let dead: Error | undefined;
    let lastPosition: bigint | null;
    try {
      lastPosition = options.beforeCommit === undefined ? await runAppend(client, statement) : await runHeldAppend(client, statement, options.beforeCommit);
    } catch (error) {
      if (isConnectionLost(error)) {
        dead = toError(error);
        // the outcome is unknown: wait until the old session is gone (it can no longer commit), then look
        const committed = await appendedPosition((client as unknown as { processID?: number }).processID ?? null, plan);
        if (committed === null) throw error;
        lastPosition = committed + BigInt(plan.rows.length - 1);
      } else {
        if (isUniqueViolation(error) && !isKeyViolation(error)) return 'raced';
        throw error;
      }
    } finally {
      client.removeListener('error', ignore);
      client.release(dead);
    }
    if (lastPosition === null) return 'raced';
    const first = lastPosition - BigInt(plan.rows.length) + 1n;
    return plan.results.map((result) => ({ ...result, positions: result.positions.map((offset) => first + offset) }));
  }

  async function runAppend(client: pg.PoolClient, statement: string): Promise<bigint | null> {
    const { rows } = await client.query<{ position: string }>(statement);
    return rows.length === 0 ? null : BigInt(rows[0]!.position);
  }

  /** the test hook's path: the same statement in an explicit transaction, held open before COMMIT */
  async function runHeldAppend(client: pg.PoolClient, statement: string, beforeCommit: () => Promise<void>): Promise<bigint | null> {
    await client.query('BEGIN');
    try {
      const position = await runAppend(client, statement);
      if (position !== null) await beforeCommit();
      await client.query('COMMIT');
      return position;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** after a lost connection: the position of the append's first event if it committed, else null */
  async function appendedPosition(pid: number | null, plan: AppendPlan): Promise<bigint | null> {
    const first = plan.rows[0]!;
    const deadline = Date.now() + statementTimeoutMs + retryMs;
    for (let delay = RETRY_MIN_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        const alive = pid === null ? false : (await pool.query(sql.backendAlive, [pid])).rows.length > 0;
        if (!alive) {
          const { rows } = await pool.query<{ position: string }>(sql.appendedEvent, [first.stream_id, first.revision, first.hash]);
          return rows.length === 0 ? null : BigInt(rows[0]!.position);
        }
      } catch (error) {
        if (!isTransient(error) || Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error('lost the connection during an append and could not learn whether it committed');
      await sleep(delay);
    }
  }

  async function append(requests: readonly AppendRequest[], recordedAt: string): Promise<AppendResult[]> {
    const eventCount = requests.reduce((sum, request) => sum + request.events.length, 0);
    // serialized (and canonicalized for the hash chain) once, before any attempt
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
    const deadline = Date.now() + retryMs;
    for (let delay = RETRY_MIN_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        const outcome = await appendOnce(requests, serialized, recordedAt);
        if (outcome !== 'raced') return outcome;
        // another call moved one of ours (or created it at the same moment): plan again at once, it usually goes
        // through; the planning throws ExpectedRevisionConflict if the caller's expectation no longer holds
        if (Date.now() > deadline) throw new Error(`append of ${eventCount} events kept racing other appends for ${retryMs} ms`);
        continue;
      } catch (error) {
        if (isUniqueViolation(error)) throw await explainUniqueViolation(requests, error);
        if (!isTransient(error) || Date.now() > deadline) throw error;
      }
      await sleep(delay);
    }
  }

  /** a read, retried on a fresh connection when the server or the network dropped the one it had */
  async function withRetry<T>(read: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + retryMs;
    for (let delay = RETRY_MIN_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        return await read();
      } catch (error) {
        if (!isTransient(error) || Date.now() > deadline) throw error;
      }
      await sleep(delay);
    }
  }

  /**
   * A unique violation on the idempotency key: a key stored by an earlier call. The statement is rolled back by now:
   * ask the store which key it was.
   */
  async function explainUniqueViolation(requests: readonly AppendRequest[], error: unknown): Promise<Error> {
    const keys = requests.flatMap((request) =>
      request.events.flatMap((event) => (event.idempotencyKey === undefined ? [] : [event.idempotencyKey])),
    );
    const existing = await findPositions(keys);
    const duplicate = keys.find((key) => existing.has(key));
    if (duplicate !== undefined) return new DuplicateEventError(duplicate);
    const streamIds = requests.map((request) => request.streamId);
    const { rows } = await withRetry(() => pool.query<{ stream_id: string; revision: number }>(sql.streamRevisions, [streamIds]));
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
    const { rows } = await withRetry(() => pool.query<{ idempotency_key: string; position: string }>(sql.positionsByKey, [[...new Set(keys)]]));
    for (const row of rows) found.set(row.idempotency_key, BigInt(row.position));
    return found;
  }

  async function readAllAsync(after: bigint | null, maxCount: number | null): Promise<RecordedEvent[]> {
    const { rows } = await withRetry(() => pool.query<EventRow>(sql.readAll, [(after ?? 0n).toString(), maxCount]));
    return rows.map(toRecordedEvent);
  }

  async function headPosition(): Promise<bigint | null> {
    const { rows } = await withRetry(() => pool.query<{ position: string }>(sql.head));
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
      const results = await append(requests, clock.now().toISOString());
      // this store's own subscribers need not wait for the NOTIFY round trip
      for (const wake of commitListeners) wake();
      return results;
    },

    async readStream(streamId, options: ReadStreamOptions = {}) {
      assertOpen();
      const limit = limitOf(options.maxCount);
      const { rows } = await withRetry(() => pool.query<EventRow>(sql.readStream, [streamId, options.fromRevision ?? 0, limit]));
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

interface StreamHead {
  revision: number;
  /** the hash of the event at `revision`, which the next event chains onto */
  hash: string | null;
}

/** one row of the append statement's `json_to_recordset`; `n` is the 1-based offset of its position in the call */
interface PlannedRow {
  n: number;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  idempotency_key: string | null;
  hash: string;
  prev_hash: string | null;
}

interface AppendPlan {
  /** positions are 0-based offsets from the call's first position, known only once the statement took them */
  results: AppendResult[];
  rows: PlannedRow[];
  /** each appended-to stream's revision after the call */
  movedStreams: Map<string, number>;
}

/**
 * Checks every request against the stored revisions (and the ones earlier requests of the same call
 * moved to) and lays out the rows with their hash chain, in request order. The first problem in request order is
 * thrown.
 */
function planAppend(
  requests: readonly AppendRequest[],
  serialized: readonly (readonly SerializedEvent[])[],
  stored: ReadonlyMap<string, StreamHead>,
  recordedAt: string,
): AppendPlan {
  const current = new Map([...stored].map(([streamId, head]) => [streamId, head.revision]));
  const chainHeads = new Map([...stored].map(([streamId, head]) => [streamId, head.hash]));
  const rows: PlannedRow[] = [];
  const keysInCall = new Set<string>();
  const movedStreams = new Map<string, number>();
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
      positions.push(BigInt(rows.length));
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
      rows.push({ n: rows.length + 1, stream_id: streamId, revision, type: event.type, data, metadata, idempotency_key: key, hash, prev_hash: prevHash });
    }
    if (events.length > 0) {
      current.set(streamId, revision);
      movedStreams.set(streamId, revision);
    }
    return { streamId, nextExpectedRevision: revision, positions };
  });
  return { results, rows, movedStreams };
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

/** the key constraint, as opposed to (stream_id, revision) or the streams key: a race with another append */
function isKeyViolation(error: unknown): boolean {
  return (error as { constraint?: unknown } | null)?.constraint === 'events_idempotency_key_unique';
}

/** SQLSTATE class 08 and the server going away, or the socket dropping under the client */
function isConnectionLost(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
    if (['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN'].includes(code)) return true;
  }
  return typeof message === 'string' && /Connection terminated|connection error|Client was closed|not queryable/i.test(message);
}

/**
 * worth another attempt on a fresh connection: a lost one, and a statement the server gave up on through no
 * fault of its own — lock_timeout (55P03), a deadlock victim (40P01), a serialization failure (40001), a session
 * ended by idle_in_transaction_session_timeout (25P03)
 */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return isConnectionLost(error) || code === '55P03' || code === '40P01' || code === '40001' || code === '25P03';
}

/**
 * a string constant for literal SQL, for sessions with standard_conforming_strings on (set at connect): quotes
 * doubled, nothing else — no backslash doubling over the megabyte of a 1,000-event append. Text holds no NUL
 * (PostgreSQL refuses it in text anyway).
 */
function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
