/**
 * The access log in PostgreSQL (distributed mode): every gateway replica records into one table.
 *
 * Ids come from an identity column: entries are independent, so there is no order to serialize on, and an
 * auditor reading newest first who misses an entry committed a moment late sees it on the next read from
 * the top. Append-only is enforced by the table itself: triggers refuse every UPDATE and every DELETE of an
 * entry younger than MIN_RETENTION_DAYS (against the server's clock). Values the caller controls (variables,
 * fields) are in `json` columns, which can hold U+0000 where `text` cannot.
 */
import pg from 'pg';
import { migrateComponent } from '../postgres/migrateComponent.js';
import { MIN_RETENTION_DAYS, RetentionError, type AccessEntry, type AccessLog, type AccessLogPage, type AccessRecord } from './accessLog.js';
import { idCursors } from '../idCursor.js';

export interface PostgresAccessLogOptions {
  connectionString: string;
  /** the schema holding the table, created if missing (default `liandong`, the event store's) */
  schema?: string;
  maxConnections?: number;
}

const DEFAULT_SCHEMA = 'liandong';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,46}$/;
const COMPONENT = 'accessLog';
const CURSOR_PREFIX = 'access:';
const cursors = idCursors(CURSOR_PREFIX, /^[1-9]\d{0,17}$/);
const encodeCursor = cursors.encode;
const decodeCursor = cursors.decode;
const KEPT = 'access_log entries are kept at least';

const MIGRATIONS: readonly ((schema: string) => string)[] = [
  (schema) => `
   CREATE TABLE ${schema}.access_log (
     id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at             timestamptz NOT NULL,
     principal      text,
     roles          json NOT NULL,
     agency_id      text,
     operation_type text,
     operation_name text,
     fields         json NOT NULL,
     variables      json,
     outcome        text NOT NULL,
     error_codes    json NOT NULL,
     client         text,
     duration_ms    double precision
   );
   CREATE INDEX access_log_by_principal ON ${schema}.access_log (principal, id);
   CREATE INDEX access_log_by_time ON ${schema}.access_log (at);
   CREATE FUNCTION ${schema}.access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'access_log is append-only'; END IF;
     IF OLD.at >= now() - interval '${MIN_RETENTION_DAYS} days' THEN RAISE EXCEPTION '${KEPT} ${MIN_RETENTION_DAYS} days'; END IF;
     RETURN OLD;
   END $$;
   CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON ${schema}.access_log
     FOR EACH ROW EXECUTE FUNCTION ${schema}.access_log_append_only();`,
];

interface AccessRow {
  id: string;
  at: Date;
  principal: string | null;
  roles: string[];
  agency_id: string | null;
  operation_type: AccessEntry['operationType'];
  operation_name: string | null;
  fields: string[];
  variables: Record<string, unknown> | null;
  outcome: AccessEntry['outcome'];
  error_codes: string[];
  client: string | null;
  duration_ms: number | null;
}

const COLUMNS = 'id, at, principal, roles, agency_id, operation_type, operation_name, fields, variables, outcome, error_codes, client, duration_ms';

export async function openPostgresAccessLog(options: PostgresAccessLogOptions): Promise<AccessLog> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) throw new Error(`schema must match ${SCHEMA_NAME.source}, got ${JSON.stringify(schema)}`);
  const table = `"${schema}".access_log`;
  const pool = new pg.Pool({ connectionString: options.connectionString, application_name: 'liandong-access-log', max: options.maxConnections ?? 4 });
  pool.on('error', () => undefined);
  try {
    await migrateComponent(pool, schema, COMPONENT, MIGRATIONS);
  } catch (error) {
    await pool.end();
    throw error;
  }

  const sql = {
    insert: `INSERT INTO ${table} (at, principal, roles, agency_id, operation_type, operation_name, fields, variables, outcome, error_codes, client, duration_ms)
      VALUES ($1, $2, $3::json, $4, $5, $6, $7::json, $8::json, $9, $10::json, $11, $12)`,
    page: `SELECT ${COLUMNS} FROM ${table} WHERE id < $1 ORDER BY id DESC LIMIT $2`,
    pageForPrincipal: `SELECT ${COLUMNS} FROM ${table} WHERE principal = $3 AND id < $1 ORDER BY id DESC LIMIT $2`,
    count: `SELECT count(*)::bigint AS n FROM ${table}`,
    countForPrincipal: `SELECT count(*)::bigint AS n FROM ${table} WHERE principal = $1`,
    prune: `DELETE FROM ${table} WHERE at < $1`,
  };

  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('access log is closed');
  };

  return {
    async record(entry) {
      assertOpen();
      await pool.query(sql.insert, [
        entry.at,
        entry.principal,
        JSON.stringify(entry.roles),
        entry.agencyId,
        entry.operationType,
        entry.operationName,
        JSON.stringify(entry.fields),
        entry.variables === null ? null : JSON.stringify(entry.variables),
        entry.outcome,
        JSON.stringify(entry.errorCodes),
        entry.client,
        entry.durationMs,
      ]);
    },

    async list({ first, after, principal }): Promise<AccessLogPage> {
      assertOpen();
      if (!Number.isInteger(first) || first < 0) throw new RangeError(`first must be a non-negative integer, got ${first}`);
      const before = after === undefined ? '9223372036854775807' : decodeCursor(after);
      const client = await pool.connect();
      try {
        // one snapshot for the page and the count
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const page =
          principal === undefined
            ? await client.query<AccessRow>(sql.page, [before, first + 1])
            : await client.query<AccessRow>(sql.pageForPrincipal, [before, first + 1, principal]);
        const count = principal === undefined ? await client.query<{ n: string }>(sql.count) : await client.query<{ n: string }>(sql.countForPrincipal, [principal]);
        await client.query('COMMIT');
        const nodes = page.rows.slice(0, first).map(toRecord);
        const last = nodes.at(-1);
        return { totalCount: Number(count.rows[0]!.n), nodes, endCursor: last === undefined ? null : encodeCursor(last.id), hasNextPage: page.rows.length > first };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },

    async prune(before) {
      assertOpen();
      try {
        return (await pool.query(sql.prune, [before.toISOString()])).rowCount ?? 0;
      } catch (error) {
        if (String((error as Error).message).includes(KEPT)) {
          throw new RetentionError(`访问日志至少保留 ${MIN_RETENTION_DAYS} 天：不能删除 ${before.toISOString()} 之前一年内的记录`);
        }
        throw error;
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

function toRecord(row: AccessRow): AccessRecord {
  return {
    id: row.id,
    at: row.at.toISOString(),
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
  };
}



