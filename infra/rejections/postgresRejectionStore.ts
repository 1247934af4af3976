/**
 * Rejections in PostgreSQL (distributed mode): every ingest and gateway replica records into one table, so an
 * agency sees all of its rejections whichever replica refused the event.
 *
 * Ids come from the one row of `rejection_head` (locked with `SELECT … FOR UPDATE`, moved by the insert
 * trigger), as event positions come from `event_head`: the row lock serializes the recording transactions, so
 * they commit in id order and a reader paging with `after` can never see id 12 while 11 is still to commit and
 * then skip it. A sequence would hand out ids in call order but let them become visible out of order.
 * Rejections are rare, so the serialization costs nothing that matters.
 *
 * Append-only and hash-chained (migration 2; infra/audit/logChain.ts): the head also holds the newest hash,
 * each record's hash covers its content and the previous one's, and triggers refuse UPDATE (upserts and
 * MERGE included), DELETE, TRUNCATE and any INSERT that is not the next id chained onto the head; the head
 * changes only from inside that trigger (pg_trigger_depth).
 *
 * Everything the sender controls (source, message, event id and type, raw bytes) is kept in a `json` column:
 * `text` cannot hold U+0000, which garbage input may carry, and a rejection that cannot be stored would stop a
 * Kafka partition. `json` (not `jsonb`) keeps `\u0000` as written. The columns a DBA filters on (agency,
 * channel, code, received_at) hold platform-made values only.
 */
import pg from 'pg';
import { migrateComponent, type PostgresMigration } from '../postgres/migrateComponent.js';
import { backfillChain, chainedTableTriggers, openChainReader } from '../postgres/chainedTable.js';
import type { ChainReader } from '../../ports/chainedLog.js';
import { chainLinks } from '../audit/logChain.js';
import {
  type NewRejection,
  type RejectionChannel,
  type RejectionPage,
  type RejectionRecord,
  type RejectionStore,
} from '../../ports/rejectionStore.js';
import { idCursors } from '../idCursor.js';

export interface PostgresRejectionStoreOptions {
  connectionString: string;
  /** the schema holding the table, created if missing (default `liandong`, the event store's) */
  schema?: string;
  /** pooled connections (default 4): recording is serialized anyway, listing is light */
  maxConnections?: number;
}

const DEFAULT_SCHEMA = 'liandong';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,46}$/;
const APPLICATION_NAME = 'liandong-rejections';
const COMPONENT = 'rejections';
const CURSOR_PREFIX = 'rejection:';
const cursors = idCursors(CURSOR_PREFIX, /^[1-9]\d{0,17}$|^0$/);
const encodeCursor = cursors.encode;
const decodeCursor = cursors.decode;

const MIGRATIONS: readonly PostgresMigration[] = [
  (schema) => `
   CREATE TABLE ${schema}.rejections (
     id          bigint PRIMARY KEY,      -- from rejection_head, in commit order
     agency_id   text,
     channel     text   NOT NULL CHECK (channel IN ('http', 'kafka', 'graphql')),
     code        text   NOT NULL,
     received_at text   NOT NULL,         -- RFC 3339 as given, returned unchanged
     detail      json   NOT NULL          -- source, message, eventId, eventType, raw
   );
   -- a viewer lists its own agency's rejections
   CREATE INDEX rejections_by_agency ON ${schema}.rejections (agency_id, id);
   CREATE TABLE ${schema}.rejection_head (
     singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
     id        bigint  NOT NULL
   );
   INSERT INTO ${schema}.rejection_head (singleton, id) VALUES (true, 0);`,
  // 2: the hash chain; rejections stored before it get their hashes here, once, in id order
  async (schema, client) => {
    const table = `${schema}.rejections`;
    await client.query(`ALTER TABLE ${table} ADD COLUMN hash text, ADD COLUMN prev_hash text;
      ALTER TABLE ${schema}.rejection_head ADD COLUMN last_hash text;`);
    const { lastHash } = await backfillChain(client, { table, columns: COLUMNS, alias: 'r', toRecord });
    await client.query(`UPDATE ${schema}.rejection_head SET last_hash = $1`, [lastHash]);
    return chainedTableTriggers(schema, {
      table: 'rejections',
      head: 'rejection_head',
      headId: 'id',
      subject: 'rejections are',
      notNext: 'rejection % is not the next one (%) chained onto the newest',
      owner: 'rejections',
      owners: "rejections'",
    });
  },
];

const COLUMNS = 'id, agency_id, channel, code, received_at, detail';

interface Detail {
  source: string | null;
  message: string;
  eventId: string | null;
  eventType: string | null;
  raw: string;
}

interface RejectionRow {
  id: string; // int8 arrives as a decimal string
  agency_id: string | null;
  channel: RejectionChannel;
  code: string;
  received_at: string;
  detail: Detail;
}

export async function openPostgresRejectionStore(options: PostgresRejectionStoreOptions): Promise<RejectionStore> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`schema must match ${SCHEMA_NAME.source} (lower-case, at most 47 characters), got ${JSON.stringify(schema)}`);
  }
  const table = (name: string): string => `"${schema}".${name}`;
  const pool = new pg.Pool({ connectionString: options.connectionString, application_name: APPLICATION_NAME, max: options.maxConnections ?? 4 });
  // an idle pooled connection that dies (server restart) is discarded; unheard, its 'error' would crash the process
  pool.on('error', () => undefined);
  try {
    await migrateComponent(pool, schema, COMPONENT, MIGRATIONS);
  } catch (error) {
    await pool.end();
    throw error;
  }

  const sql = {
    take: `SELECT id::text AS id, last_hash FROM ${table('rejection_head')} FOR UPDATE`,
    head: `SELECT id::text AS id, last_hash FROM ${table('rejection_head')}`,
    insert: `INSERT INTO ${table('rejections')} (id, agency_id, channel, code, received_at, detail, hash, prev_hash)
      SELECT id, agency_id, channel, code, received_at, detail::json, hash, prev_hash
      FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
        WITH ORDINALITY AS recorded (id, agency_id, channel, code, received_at, detail, hash, prev_hash, n)
      ORDER BY n`,
    chain: `SELECT ${COLUMNS}, hash, prev_hash FROM ${table('rejections')} WHERE id > $1 ORDER BY id LIMIT $2`,
    page: `SELECT id, agency_id, channel, code, received_at, detail FROM ${table('rejections')} WHERE id > $1 ORDER BY id LIMIT $2`,
    pageForAgency: `SELECT id, agency_id, channel, code, received_at, detail FROM ${table('rejections')}
      WHERE agency_id = $3 AND id > $1 ORDER BY id LIMIT $2`,
    count: `SELECT count(*)::bigint AS n FROM ${table('rejections')}`,
    countForAgency: `SELECT count(*)::bigint AS n FROM ${table('rejections')} WHERE agency_id = $1`,
  };

  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('rejection store is closed');
  };

  return {
    chainName: '退回记录',

    async openChain(): Promise<ChainReader> {
      assertOpen();
      return openChainReader(
        pool,
        sql,
        (head: { id: string; last_hash: string | null }) => ({ lastId: BigInt(head.id), lastHash: head.last_hash, prunedId: 0n, prunedHash: null }),
        (row: RejectionRow & { hash: string | null; prev_hash: string | null }) => toRecord(row),
      );
    },

    async record(rejections) {
      assertOpen();
      if (rejections.length === 0) return [];
      // built field by field: a caller's extra properties (or a stray id) must not leak into the record
      const copies = rejections.map(copyOf);
      const details = copies.map(({ source, message, eventId, eventType, raw }) => JSON.stringify({ source, message, eventId, eventType, raw } satisfies Detail));
      return inTransaction(pool, async (client) => {
        const head = (await client.query<{ id: string; last_hash: string | null }>(sql.take)).rows[0]!;
        const first = BigInt(head.id) + 1n;
        const records: RejectionRecord[] = copies.map((copy, index) => ({ id: (first + BigInt(index)).toString(), ...copy }));
        const { hashes, prevHashes } = chainLinks(records, head.last_hash);
        await client.query(sql.insert, [
          records.map((r) => r.id),
          copies.map((r) => r.agencyId),
          copies.map((r) => r.channel),
          copies.map((r) => r.code),
          copies.map((r) => r.receivedAt),
          details,
          hashes,
          prevHashes,
        ]);
        return records;
      });
    },

    async list({ agencyId, first, after }): Promise<RejectionPage> {
      assertOpen();
      if (!Number.isInteger(first) || first < 0) throw new RangeError(`first must be a non-negative integer, got ${first}`);
      const afterId = after === undefined ? '0' : decodeCursor(after);
      // one extra row tells whether another page follows; both statements read one snapshot, so the count
      // and the page agree
      const { rows, total } = await inTransaction(
        pool,
        async (client) => {
          const page =
            agencyId === undefined
              ? await client.query<RejectionRow>(sql.page, [afterId, first + 1])
              : await client.query<RejectionRow>(sql.pageForAgency, [afterId, first + 1, agencyId]);
          const count =
            agencyId === undefined ? await client.query<{ n: string }>(sql.count) : await client.query<{ n: string }>(sql.countForAgency, [agencyId]);
          return { rows: page.rows, total: Number(count.rows[0]!.n) };
        },
        'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      );
      const nodes = rows.slice(0, first).map(toRecord);
      const last = nodes.at(-1);
      return {
        totalCount: total,
        nodes,
        endCursor: last === undefined ? null : encodeCursor(last.id),
        hasNextPage: rows.length > first,
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

function copyOf(rejection: NewRejection): NewRejection {
  return {
    agencyId: rejection.agencyId,
    source: rejection.source,
    channel: rejection.channel,
    receivedAt: rejection.receivedAt,
    code: rejection.code,
    message: rejection.message,
    eventId: rejection.eventId,
    eventType: rejection.eventType,
    raw: rejection.raw,
  };
}

/** the record as list() returns it, and as its hash covers it */
function toRecord(row: RejectionRow): RejectionRecord {
  return {
    id: row.id,
    agencyId: row.agency_id,
    source: row.detail.source,
    channel: row.channel,
    receivedAt: row.received_at,
    code: row.code,
    message: row.detail.message,
    eventId: row.detail.eventId,
    eventType: row.detail.eventType,
    raw: row.detail.raw,
  };
}



/** COMMIT when `work` resolves, ROLLBACK when it throws; a connection that failed BEGIN or ROLLBACK is destroyed */
async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN ISOLATION LEVEL READ COMMITTED'): Promise<T> {
  const client = await pool.connect();
  const ignore = (): void => undefined;
  client.on('error', ignore);
  let dead: Error | undefined;
  try {
    try {
      await client.query(begin);
    } catch (error) {
      dead = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        dead = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    }
  } finally {
    client.removeListener('error', ignore);
    client.release(dead);
  }
}
