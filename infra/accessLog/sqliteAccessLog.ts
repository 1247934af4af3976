/**
 * The access log in SQLite: its own file in embedded mode (`<dataDir>/access-log.db`), so every GraphQL
 * read does not contend with ingest for the event store's write lock.
 *
 * Entries that arrive together are written in one transaction (group commit: one fsync for a burst of
 * concurrent operations), and record() resolves once theirs is on disk. Append-only is enforced by the
 * file itself: a trigger refuses every UPDATE, and every DELETE of an entry younger than a year.
 */
import { migrate, openDurableDatabase, type SqliteDatabase } from '../eventStore/sqliteDatabase.js';
import { MIN_RETENTION_DAYS, RetentionError, type AccessEntry, type AccessLog, type AccessLogPage, type AccessRecord } from './accessLog.js';
import { idCursors } from '../idCursor.js';

export type SqliteAccessLogOptions = { path: string } | { database: SqliteDatabase };

const MIGRATIONS = [
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
];

interface AccessRow {
  id: number;
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
    insert: db.prepare(
      `INSERT INTO access_log (at, principal, roles, agency_id, operation_type, operation_name, fields, variables, outcome, error_codes, client, duration_ms)
       VALUES (@at, @principal, @roles, @agencyId, @operationType, @operationName, @fields, @variables, @outcome, @errorCodes, @client, @durationMs)`,
    ),
    page: db.prepare<[number, number], AccessRow>(`SELECT ${COLUMNS} FROM access_log WHERE id < ? ORDER BY id DESC LIMIT ?`),
    pageForPrincipal: db.prepare<[string, number, number], AccessRow>(
      `SELECT ${COLUMNS} FROM access_log WHERE principal = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    ),
    count: db.prepare<[], number>('SELECT count(*) FROM access_log').pluck(),
    countForPrincipal: db.prepare<[string], number>('SELECT count(*) FROM access_log WHERE principal = ?').pluck(),
    prune: db.prepare<[string]>('DELETE FROM access_log WHERE at < ?'),
  };

  const insertAll = db.transaction((entries: readonly AccessEntry[]) => {
    for (const entry of entries) {
      statements.insert.run({
        at: entry.at,
        principal: entry.principal,
        roles: JSON.stringify(entry.roles),
        agencyId: entry.agencyId,
        operationType: entry.operationType,
        operationName: entry.operationName,
        fields: JSON.stringify(entry.fields),
        variables: entry.variables === null ? null : JSON.stringify(entry.variables),
        outcome: entry.outcome,
        errorCodes: JSON.stringify(entry.errorCodes),
        client: entry.client,
        durationMs: entry.durationMs,
      });
    }
  });

  // group commit: what arrives in one turn of the event loop is written together
  let pending: { entry: AccessEntry; resolve(): void; reject(error: unknown): void }[] = [];
  let flushing: NodeJS.Immediate | null = null;
  const flush = (): void => {
    flushing = null;
    const batch = pending;
    pending = [];
    try {
      insertAll.immediate(batch.map((item) => item.entry));
      for (const item of batch) item.resolve();
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  };

  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('access log is closed');
  };

  return {
    record(entry) {
      assertOpen();
      return new Promise<void>((resolve, reject) => {
        pending.push({ entry, resolve, reject });
        flushing ??= setImmediate(flush);
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
        return statements.prune.run(before.toISOString()).changes;
      } catch (error) {
        if (String((error as Error).message).includes('kept at least')) {
          throw new RetentionError(`访问日志至少保留 ${MIN_RETENTION_DAYS} 天：不能删除 ${before.toISOString()} 之前一年内的记录`);
        }
        throw error;
      }
    },

    async close() {
      if (closed) return;
      if (flushing !== null) {
        clearImmediate(flushing);
        flush();
      }
      closed = true;
      if (ownsDatabase) db.close();
    },
  };
}



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
