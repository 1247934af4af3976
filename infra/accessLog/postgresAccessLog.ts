/**
 * The access log in PostgreSQL (distributed mode): every gateway replica records into one table.
 *
 * Entries are hash-chained (infra/audit/logChain.ts), so they have one order: ids come from the one row of
 * `access_log_head` (newest id and hash, newest pruned id and hash), locked by each writing transaction, so
 * replicas' entries commit one after another in id order. Within a process, entries that arrive while a write
 * is under way are written together in the next transaction (group commit), so the lock is taken once per
 * burst, not per request.
 *
 * Append-only is enforced by the table itself (migration 2): a trigger refuses every UPDATE (an upsert's
 * ON CONFLICT DO UPDATE and MERGE's UPDATE included), every DELETE of an entry younger than MIN_RETENTION_DAYS
 * (against the server's clock), TRUNCATE, and every INSERT that is not the next id chained onto the head; the
 * head itself changes only from inside those triggers (pg_trigger_depth). A superuser can still switch the
 * triggers off — `liandong audit verify` then names the changed entry. Values the caller controls
 * (variables, fields) are in `json` columns, which can hold U+0000 where `text` cannot.
 */
import pg from 'pg';
import { migrateComponent, type PostgresMigration } from '../postgres/migrateComponent.js';
import { backfillChain, chainedTableTriggers, openChainReader } from '../postgres/chainedTable.js';
import type { ChainReader } from '../../ports/chainedLog.js';
import { chainLinks } from '../audit/logChain.js';
import { MIN_RETENTION_DAYS, RetentionError, type AccessEntry, type AccessLog, type AccessLogPage, type AccessRecord } from '../../ports/accessLog.js';
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

const MIGRATIONS: readonly PostgresMigration[] = [
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
  // 2: the hash chain, ids from the head. Entries written before it get their hashes here, once, in id
  // order (the oldest stored entry starts the chain, prevHash null).
  async (schema, client) => {
    const table = `${schema}.access_log`;
    // ids continue after the newest ever handed out, even when retention emptied the table
    const sequence = await client.query<{ last: string | null }>(`SELECT pg_sequence_last_value(pg_get_serial_sequence($1, 'id'))::text AS last`, [table]);
    await client.query(`
      DROP TRIGGER access_log_append_only ON ${table};
      DROP FUNCTION ${schema}.access_log_append_only();
      ALTER TABLE ${table} ALTER COLUMN id DROP IDENTITY;
      ALTER TABLE ${table} ADD COLUMN hash text, ADD COLUMN prev_hash text;
      CREATE TABLE ${schema}.access_log_head (
        singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        last_id     bigint NOT NULL,   -- the newest entry ever written (0: none)
        last_hash   text,
        pruned_id   bigint NOT NULL,   -- the newest entry removed by retention (0: none)
        pruned_hash text
      );`);
    const { firstId, lastId, lastHash } = await backfillChain(client, { table, columns: COLUMNS, alias: 'l', toRecord });
    const sequenced = sequence.rows[0]?.last === null || sequence.rows[0] === undefined ? 0n : BigInt(sequence.rows[0].last);
    const last = lastId > sequenced ? lastId : sequenced;
    await client.query(`INSERT INTO ${schema}.access_log_head (singleton, last_id, last_hash, pruned_id, pruned_hash) VALUES (true, $1, $2, $3, NULL)`, [
      last.toString(),
      lastHash,
      (firstId === null ? last : firstId - 1n).toString(),
    ]);
    return chainedTableTriggers(schema, {
      table: 'access_log',
      head: 'access_log_head',
      headId: 'last_id',
      subject: 'access_log is',
      notNext: 'entry % is not the next entry (%) chained onto the newest one',
      owner: 'log',
      owners: "log's",
      retention: `IF OLD.at >= now() - interval '${MIN_RETENTION_DAYS} days' THEN RAISE EXCEPTION '${KEPT} ${MIN_RETENTION_DAYS} days'; END IF;`,
    });
  },
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
    head: `SELECT last_id::text AS last_id, last_hash, pruned_id::text AS pruned_id, pruned_hash FROM "${schema}".access_log_head`,
    lockHead: `SELECT last_id::text AS last_id, last_hash FROM "${schema}".access_log_head FOR UPDATE`,
    insert: `INSERT INTO ${table} (id, at, principal, roles, agency_id, operation_type, operation_name, fields, variables, outcome, error_codes, client, duration_ms, hash, prev_hash)
      SELECT id, at, principal, roles::json, agency_id, operation_type, operation_name, fields::json, variables::json, outcome, error_codes::json, client, duration_ms, hash, prev_hash
      FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                  $13::double precision[], $14::text[], $15::text[])
        WITH ORDINALITY AS e (id, at, principal, roles, agency_id, operation_type, operation_name, fields, variables, outcome, error_codes, client, duration_ms, hash, prev_hash, n)
      ORDER BY n`,
    page: `SELECT ${COLUMNS} FROM ${table} WHERE id < $1 ORDER BY id DESC LIMIT $2`,
    pageForPrincipal: `SELECT ${COLUMNS} FROM ${table} WHERE principal = $3 AND id < $1 ORDER BY id DESC LIMIT $2`,
    chain: `SELECT ${COLUMNS}, hash, prev_hash FROM ${table} WHERE id > $1 ORDER BY id LIMIT $2`,
    count: `SELECT count(*)::bigint AS n FROM ${table}`,
    countForPrincipal: `SELECT count(*)::bigint AS n FROM ${table} WHERE principal = $1`,
    // only from the oldest end, so what remains is one unbroken stretch of the chain
    prune: `DELETE FROM ${table} WHERE id < coalesce((SELECT min(id) FROM ${table} WHERE at >= $1), (SELECT last_id + 1 FROM "${schema}".access_log_head))`,
  };

  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('access log is closed');
  };

  /** one transaction: lock the head, chain the entries onto it, insert them */
  const writeBatch = async (entries: readonly AccessEntry[]): Promise<void> => {
    const client = await pool.connect();
    let dead: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const head = (await client.query<{ last_id: string; last_hash: string | null }>(sql.lockHead)).rows[0]!;
        const first = BigInt(head.last_id) + 1n;
        const rows = entries.map((entry, index) => rowOf((first + BigInt(index)).toString(), entry));
        // hashed as they will be read back
        const { hashes, prevHashes } = chainLinks(rows.map(toRecord), head.last_hash);
        const json = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));
        await client.query(sql.insert, [
          rows.map((r) => r.id),
          rows.map((r) => r.at.toISOString()),
          rows.map((r) => r.principal),
          rows.map((r) => json(r.roles)),
          rows.map((r) => r.agency_id),
          rows.map((r) => r.operation_type),
          rows.map((r) => r.operation_name),
          rows.map((r) => json(r.fields)),
          rows.map((r) => json(r.variables)),
          rows.map((r) => r.outcome),
          rows.map((r) => json(r.error_codes)),
          rows.map((r) => r.client),
          rows.map((r) => r.duration_ms),
          hashes,
          prevHashes,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (dead = rollbackError));
        throw error;
      }
    } finally {
      client.release(dead);
    }
  };

  // group commit: entries arriving while a write is under way go together in the next one
  let pending: { entry: AccessEntry; resolve(): void; reject(error: unknown): void }[] = [];
  let writing: Promise<void> | null = null;
  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        await writeBatch(batch.map((item) => item.entry));
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    writing = null;
  };

  return {
    chainName: '访问日志',

    async openChain(): Promise<ChainReader> {
      assertOpen();
      return openChainReader(
        pool,
        sql,
        (head: { last_id: string; last_hash: string | null; pruned_id: string; pruned_hash: string | null }) => ({
          lastId: BigInt(head.last_id),
          lastHash: head.last_hash,
          prunedId: BigInt(head.pruned_id),
          prunedHash: head.pruned_hash,
        }),
        (row: AccessRow & { hash: string | null; prev_hash: string | null }) => toRecord(row),
      );
    },

    record(entry) {
      assertOpen();
      try {
        rowOf('0', entry); // refuses an unreadable time before it can spoil a batch
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<void>((resolve, reject) => {
        pending.push({ entry, resolve, reject });
        writing ??= drain();
      });
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
      await writing;
      await pool.end();
    },
  };
}

/** the row an entry becomes: `at` as timestamptz gives it back (milliseconds, UTC) */
function rowOf(id: string, entry: AccessEntry): AccessRow {
  const at = new Date(entry.at);
  if (Number.isNaN(at.getTime())) throw new RangeError(`access log entry time is not a time: ${JSON.stringify(entry.at)}`);
  return {
    id,
    at,
    principal: entry.principal ?? null,
    roles: entry.roles,
    agency_id: entry.agencyId ?? null,
    operation_type: entry.operationType ?? null,
    operation_name: entry.operationName ?? null,
    fields: entry.fields,
    variables: entry.variables ?? null,
    outcome: entry.outcome,
    error_codes: entry.errorCodes,
    client: entry.client ?? null,
    duration_ms: entry.durationMs ?? null,
  };
}

/** the record as list() returns it, and as its hash covers it */
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



