/**
 * The access log in SQLite: its own file in embedded mode (`<dataDir>/access-log.db`), so every GraphQL
 * read does not contend with ingest for the event store's write lock.
 *
 * Entries that arrive together are written in one transaction (group commit: one fsync for a burst of
 * concurrent operations), and record() resolves once theirs is on disk. Opened on a path, the log writes in a
 * thread of its own (accessLogWriterThread.ts): every GraphQL answer waits for its entry, and on the event loop the
 * fsyncs alone (0.3 ms each, 3.7 ms at p99) plus the inserts took 17 % of the process under a 50-client flood
 * (docs/benchmarks.md). Opened on a database (the audit worker's read-only use), it writes in the calling thread.
 *
 * Append-only is enforced by the file itself (migration 2): triggers refuse every UPDATE, every DELETE of an
 * entry younger than a year, and every INSERT that is not the next id chained onto the head — which is what
 * stops INSERT OR REPLACE / REPLACE INTO / upserts: REPLACE deletes the old row without firing DELETE
 * triggers, but the BEFORE INSERT trigger runs first and its RAISE(ABORT) overrides the statement's conflict
 * resolution. Entries are hash-chained (infra/audit/logChain.ts); `access_log_head` holds the newest id and
 * hash and the newest pruned one, and moves only with the log.
 */
import { migrate, openDurableDatabase, type Migration, type SqliteDatabase } from '../eventStore/sqliteDatabase.js';
import type { ChainReader } from '../../ports/chainedLog.js';
import { backfillChain, chainedTableTriggers, chainReaders } from '../sqlite/chainedTable.js';
import { chainHash } from '../audit/logChain.js';
import { MIN_RETENTION_DAYS, RetentionError, type AccessEntry, type AccessLog, type AccessLogPage, type AccessRecord } from '../../ports/accessLog.js';
import { idCursors } from '../idCursor.js';
import { startAccessLogWriterThread, type AccessLogWriterThread } from './accessLogWriterThread.js';

export type SqliteAccessLogOptions = { path: string } | { database: SqliteDatabase };

const MIGRATIONS: readonly Migration[] = [
  `CREATE TABLE access_log (
     id             INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, even after pruning
     at             TEXT NOT NULL,                     -- RFC 3339 UTC (toISOString), so text order is time order
     principal      TEXT,
     roles          TEXT NOT NULL,                     -- JSON array
     agency_id      TEXT,
     operation_type TEXT,
     operation_name TEXT,
     fields         TEXT NOT NULL,                     -- JSON array
     variables      TEXT,                              -- JSON object, secrets removed
     outcome        TEXT NOT NULL,
     error_codes    TEXT NOT NULL,                     -- JSON array
     client         TEXT,
     duration_ms    REAL
   );
   CREATE INDEX access_log_by_principal ON access_log (principal, id);
   CREATE INDEX access_log_by_time ON access_log (at);
   CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
   BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
   CREATE TRIGGER access_log_retention BEFORE DELETE ON access_log
   WHEN old.at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-${MIN_RETENTION_DAYS} days')
   BEGIN SELECT RAISE(ABORT, 'access_log entries are kept at least ${MIN_RETENTION_DAYS} days'); END;`,
  // 2: the hash chain. Entries written before it get their hashes here, once, in id order (the oldest
  // stored entry starts the chain, prevHash null); from then on a missing hash is reported, never filled in.
  (db) => {
    db.exec(`DROP TRIGGER access_log_no_update;
      ALTER TABLE access_log ADD COLUMN hash TEXT;
      ALTER TABLE access_log ADD COLUMN prev_hash TEXT;
      CREATE TABLE access_log_head (
        singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
        last_id     INTEGER NOT NULL,   -- the newest entry ever written (0: none)
        last_hash   TEXT,
        pruned_id   INTEGER NOT NULL,   -- the newest entry removed by retention (0: none)
        pruned_hash TEXT
      );`);
    const { firstId, lastId, lastHash } = backfillChain(db, { table: 'access_log', columns: COLUMNS, toRecord });
    // ids continue after the newest ever handed out, even when retention emptied the table
    const sequence = db.prepare<[], number>("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'access_log'").pluck().get() ?? 0;
    const last = Math.max(lastId, sequence);
    db.prepare('INSERT INTO access_log_head (singleton, last_id, last_hash, pruned_id, pruned_hash) VALUES (1, ?, ?, ?, NULL)').run(
      last,
      lastHash,
      firstId === null ? last : firstId - 1,
    );
    db.exec(APPEND_ONLY);
  },
];

/** the triggers of migration 2 (the retention trigger of migration 1 stays) */
const APPEND_ONLY = chainedTableTriggers({
  table: 'access_log',
  head: 'access_log_head',
  subject: 'access_log is',
  replaced: 'an entry is never replaced',
  chained: "a new entry takes the next id and the newest entry''s hash as prev_hash",
  pruned: true,
});

interface AccessRow {
  id: number;
  hash?: string | null;
  prev_hash?: string | null;
  at: string;
  principal: string | null;
  roles: string;
  agency_id: string | null;
  operation_type: AccessEntry['operationType'];
  operation_name: string | null;
  fields: string;
  variables: string | null;
  outcome: AccessEntry['outcome'];
  error_codes: string;
  client: string | null;
  duration_ms: number | null;
}

const COLUMNS = 'id, at, principal, roles, agency_id, operation_type, operation_name, fields, variables, outcome, error_codes, client, duration_ms';
const CURSOR_PREFIX = 'access:';
const cursors = idCursors(CURSOR_PREFIX, /^\d{1,15}$/);
const encodeCursor = cursors.encode;
const decodeCursor = (cursor: string): number => Number(cursors.decode(cursor));
const NO_ID = Number.MAX_SAFE_INTEGER;

export function openSqliteAccessLog(options: SqliteAccessLogOptions): AccessLog {
  const ownsDatabase = !('database' in options);
  const db = 'database' in options ? options.database : openDurableDatabase(options.path);
  try {
    migrate(db, 'accessLog', MIGRATIONS);
  } catch (error) {
    if (ownsDatabase) db.close();
    throw error;
  }

  const statements = {
    head: db.prepare<[], { last_id: number; last_hash: string | null; pruned_id: number; pruned_hash: string | null }>(
      'SELECT last_id, last_hash, pruned_id, pruned_hash FROM access_log_head',
    ),
    page: db.prepare<[number, number], AccessRow>(`SELECT ${COLUMNS} FROM access_log WHERE id < ? ORDER BY id DESC LIMIT ?`),
    pageForPrincipal: db.prepare<[string, number, number], AccessRow>(
      `SELECT ${COLUMNS} FROM access_log WHERE principal = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    ),
    count: db.prepare<[], number>('SELECT count(*) FROM access_log').pluck(),
    countForPrincipal: db.prepare<[string], number>('SELECT count(*) FROM access_log WHERE principal = ?').pluck(),
  };

  const openChain = chainReaders(db, { table: 'access_log', columns: COLUMNS, head: () => statements.head.get()!, toRecord });
  // the writer thread is started by the first write: a log opened only to be read (the audit commands) starts none
  let writer: AccessLogWriterThread | null = null;
  const inThread = ownsDatabase ? null : accessLogWrites(db);
  const writerOf = (): AccessLogWrites | AccessLogWriterThread => inThread ?? (writer ??= startAccessLogWriterThread(options as { path: string }));

  // group commit: what arrives in one turn of the event loop is written together, and while a commit is on its way
  // (in the writer thread: until its fsync is done) what arrives meanwhile waits to go as the next one — one message
  // and one transaction per fsync, not per request
  let pending: { entry: AccessEntry; resolve(): void; reject(error: unknown): void }[] = [];
  let flushing: NodeJS.Immediate | null = null;
  let writing: Promise<void> | null = null;
  const schedule = (): void => {
    if (writing === null && pending.length > 0) flushing ??= setImmediate(() => void flush());
  };
  const flush = (): Promise<void> => {
    flushing = null;
    const batch = pending;
    pending = [];
    writing = (async () => {
      try {
        await writerOf().append(batch.map((item) => item.entry));
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
      } finally {
        writing = null;
        schedule();
      }
    })();
    return writing;
  };

  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('access log is closed');
  };

  return {
    chainName: '访问日志',

    async openChain(): Promise<ChainReader> {
      assertOpen();
      return openChain();
    },

    record(entry) {
      assertOpen();
      return new Promise<void>((resolve, reject) => {
        pending.push({ entry, resolve, reject });
        schedule();
      });
    },

    async list({ first, after, principal }): Promise<AccessLogPage> {
      assertOpen();
      if (!Number.isInteger(first) || first < 0) throw new RangeError(`first must be a non-negative integer, got ${first}`);
      const before = after === undefined ? NO_ID : decodeCursor(after);
      const rows =
        principal === undefined ? statements.page.all(before, first + 1) : statements.pageForPrincipal.all(principal, before, first + 1);
      const nodes = rows.slice(0, first).map(toRecord);
      const last = nodes.at(-1);
      return {
        totalCount: principal === undefined ? statements.count.get()! : statements.countForPrincipal.get(principal)!,
        nodes,
        endCursor: last === undefined ? null : encodeCursor(last.id),
        hasNextPage: rows.length > first,
      };
    },

    async prune(before) {
      assertOpen();
      try {
        return await writerOf().prune(before.toISOString());
      } catch (error) {
        if (String((error as Error).message).includes('kept at least')) {
          throw new RetentionError(`访问日志至少保留 ${MIN_RETENTION_DAYS} 天：不能删除 ${before.toISOString()} 之前一年内的记录`);
        }
        throw error;
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      // what was recorded before close() is written: the commit on its way, then the rest
      while (writing !== null || pending.length > 0) {
        if (flushing !== null) clearImmediate(flushing);
        await (writing ?? flush());
      }
      await writer?.close();
      if (ownsDatabase) db.close();
    },
  };
}

/** the log's writes on one connection, run in the calling thread (the writer thread's, or the caller's own) */
export interface AccessLogWrites {
  /** appends the entries in one IMMEDIATE transaction, each chained onto the head */
  append(entries: readonly AccessEntry[]): void;
  /** deletes the entries recorded before `before` (RFC 3339), from the oldest end only; how many */
  prune(before: string): number;
}

export function accessLogWrites(db: SqliteDatabase): AccessLogWrites {
  const insert = db.prepare(
    `INSERT INTO access_log (id, at, principal, roles, agency_id, operation_type, operation_name, fields, variables, outcome, error_codes, client, duration_ms, hash, prev_hash)
     VALUES (@id, @at, @principal, @roles, @agencyId, @operationType, @operationName, @fields, @variables, @outcome, @errorCodes, @client, @durationMs, @hash, @prevHash)`,
  );
  const head = db.prepare<[], { last_id: number; last_hash: string | null }>('SELECT last_id, last_hash FROM access_log_head');
  const firstKept = db.prepare<[string], number | null>('SELECT min(id) FROM access_log WHERE at >= ?').pluck();
  // only from the oldest end, so what remains is one unbroken stretch of the chain
  const deleteBelow = db.prepare<[number]>('DELETE FROM access_log WHERE id < ?');

  const appendAll = db.transaction((entries: readonly AccessEntry[]) => {
    const { last_id, last_hash } = head.get()!;
    let id = last_id;
    let prevHash = last_hash;
    for (const entry of entries) {
      id += 1;
      const row: AccessRow = {
        id,
        at: entry.at,
        principal: entry.principal ?? null,
        roles: JSON.stringify(entry.roles),
        agency_id: entry.agencyId ?? null,
        operation_type: entry.operationType ?? null,
        operation_name: entry.operationName ?? null,
        fields: JSON.stringify(entry.fields),
        variables: entry.variables === null || entry.variables === undefined ? null : JSON.stringify(entry.variables),
        outcome: entry.outcome,
        error_codes: JSON.stringify(entry.errorCodes),
        client: entry.client ?? null,
        duration_ms: entry.durationMs ?? null,
      };
      // hashed as it will be read back
      const hash = chainHash(toRecord(row), prevHash);
      insert.run({
        id,
        at: row.at,
        principal: row.principal,
        roles: row.roles,
        agencyId: row.agency_id,
        operationType: row.operation_type,
        operationName: row.operation_name,
        fields: row.fields,
        variables: row.variables,
        outcome: row.outcome,
        errorCodes: row.error_codes,
        client: row.client,
        durationMs: row.duration_ms,
        hash,
        prevHash,
      });
      prevHash = hash;
    }
  });
  const pruneOldest = db.transaction((before: string) => deleteBelow.run(firstKept.get(before) ?? head.get()!.last_id + 1).changes);

  return {
    append: (entries) => appendAll.immediate(entries),
    prune: (before) => pruneOldest.immediate(before),
  };
}

/** the record as list() returns it, and as its hash covers it */
function toRecord(row: AccessRow): AccessRecord {
  return {
    id: String(row.id),
    at: row.at,
    principal: row.principal,
    roles: JSON.parse(row.roles) as string[],
    agencyId: row.agency_id,
    operationType: row.operation_type,
    operationName: row.operation_name,
    fields: JSON.parse(row.fields) as string[],
    variables: row.variables === null ? null : (JSON.parse(row.variables) as Record<string, unknown>),
    outcome: row.outcome,
    errorCodes: JSON.parse(row.error_codes) as string[],
    client: row.client,
    durationMs: row.duration_ms,
  };
}
