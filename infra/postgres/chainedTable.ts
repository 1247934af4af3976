/**
 * What the append-only, hash-chained tables in PostgreSQL (the access log, the rejections) share
 * (infra/audit/logChain.ts): the triggers that keep them append-only and chained onto their one-row head, the
 * migration that gives rows stored before the chain their hashes, and the snapshot the auditor reads them in.
 * Each store names its table, head and columns; the SQL is the same for both but for those names.
 */
import type pg from 'pg';
import type { ChainHead, ChainReader } from '../../ports/chainedLog.js';
import { chainLinks } from '../audit/logChain.js';

export interface ChainedTableTriggers {
  /** the table, unqualified: `access_log` */
  table: string;
  /** its one-row head, unqualified: `access_log_head` */
  head: string;
  /** the head's column holding the newest id */
  headId: string;
  /** how the messages start: `access_log is`, `rejections are` */
  subject: string;
  /** the refused INSERT, after `… append-only and hash-chained: ` (`%` the new id, then the expected one) */
  notNext: string;
  /** who moves the head, for its guard's comment and message: `log` / `log's` */
  owner: string;
  owners: string;
  /**
   * a table that retention prunes from its oldest end: the statement refusing to delete an entry still kept.
   * A DELETE then moves the head's pruned_id and pruned_hash; without it, DELETE is refused.
   */
  retention?: string;
}

/** the guard triggers of a chained table and its head (`schema` quoted) */
export function chainedTableTriggers(schema: string, spec: ChainedTableTriggers): string {
  const { table, head, headId, subject } = spec;
  const onDelete =
    spec.retention === undefined
      ? ''
      : `
        ELSIF TG_OP = 'DELETE' THEN
          ${spec.retention}
          UPDATE ${schema}.${head} SET pruned_id = OLD.id, pruned_hash = OLD.hash WHERE pruned_id < OLD.id;
          RETURN OLD;`;
  return `
      CREATE FUNCTION ${schema}.${table}_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        head record;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          SELECT ${headId}, last_hash INTO head FROM ${schema}.${head} FOR UPDATE;
          IF NEW.hash IS NULL OR NEW.id IS DISTINCT FROM head.${headId} + 1 OR NEW.prev_hash IS DISTINCT FROM head.last_hash THEN
            RAISE EXCEPTION '${subject} append-only and hash-chained: ${spec.notNext}', NEW.id, head.${headId} + 1;
          END IF;
          UPDATE ${schema}.${head} SET ${headId} = NEW.id, last_hash = NEW.hash;
          RETURN NEW;${onDelete}
        END IF;
        RAISE EXCEPTION '${subject} append-only (% refused)', TG_OP;
      END $$;
      CREATE TRIGGER ${table}_append_only BEFORE INSERT OR UPDATE OR DELETE ON ${schema}.${table}
        FOR EACH ROW EXECUTE FUNCTION ${schema}.${table}_guard();
      CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${schema}.${table}
        FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.${table}_guard();
      CREATE FUNCTION ${schema}.${head}_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- only the ${spec.owners} own trigger moves the head
        IF pg_trigger_depth() < 2 OR TG_OP <> 'UPDATE' THEN RAISE EXCEPTION '${head} moves only with the ${spec.owner} (% refused)', TG_OP; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER ${head}_guard BEFORE INSERT OR UPDATE OR DELETE ON ${schema}.${head}
        FOR EACH ROW EXECUTE FUNCTION ${schema}.${head}_guard();
      CREATE TRIGGER ${head}_no_truncate BEFORE TRUNCATE ON ${schema}.${head}
        FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.${head}_guard();`;
}

/**
 * In a migration: gives the rows of `table` (qualified) their hashes, once, in id order (the oldest stored row
 * starts the chain, prevHash null). Returns the first and last ids hashed (null and 0 when none) and the last hash.
 */
export async function backfillChain<Row extends { id: string }>(
  client: pg.PoolClient,
  options: { table: string; columns: string; /** the UPDATE's alias for the table */ alias: string; toRecord(row: Row): object },
): Promise<{ firstId: bigint | null; lastId: bigint; lastHash: string | null }> {
  const { table, alias } = options;
  let lastHash: string | null = null;
  let firstId: bigint | null = null;
  let lastId = 0n;
  for (;;) {
    const { rows } = await client.query<Row>(`SELECT ${options.columns} FROM ${table} WHERE id > $1 ORDER BY id LIMIT 1000`, [lastId.toString()]);
    if (rows.length === 0) break;
    const links = chainLinks(rows.map(options.toRecord), lastHash);
    firstId ??= BigInt(rows[0]!.id);
    lastId = BigInt(rows.at(-1)!.id);
    lastHash = links.lastHash;
    await client.query(
      `UPDATE ${table} AS ${alias} SET hash = u.hash, prev_hash = u.prev_hash FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u (id, hash, prev_hash) WHERE ${alias}.id = u.id`,
      [rows.map((row) => row.id), links.hashes, links.prevHashes],
    );
  }
  return { firstId, lastId, lastHash };
}

/**
 * The auditor's walk over a chained table, in one snapshot: `sql.head` reads the head, `sql.chain` the rows
 * after $1 (at most $2, in id order, with hash and prev_hash).
 */
export async function openChainReader<Head, Row extends { id: string; hash: string | null; prev_hash: string | null }>(
  pool: pg.Pool,
  sql: { head: string; chain: string },
  headOf: (head: Head) => ChainHead,
  toRecord: (row: Row) => object,
): Promise<ChainReader> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
  return {
    async read(afterId, max) {
      const head = (await client.query<Head & pg.QueryResultRow>(sql.head)).rows[0]!;
      const { rows } = await client.query<Row>(sql.chain, [afterId.toString(), max]);
      return {
        head: headOf(head),
        rows: rows.map((row) => ({ id: BigInt(row.id), hash: row.hash, prevHash: row.prev_hash, record: toRecord(row) })),
      };
    },
    async close() {
      await client.query('COMMIT').catch(() => undefined);
      client.release();
    },
  };
}
