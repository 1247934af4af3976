/**
 * The distributed CaseSearch: one PostgreSQL table beside the event store's and the rejections' (DATABASE_URL,
 * DATABASE_SCHEMA), written by the `project` replica that holds the caseSearch projection's lease and read by every
 * gateway — Redis, where the other read models live, has no substring index (docs/decisions.md "Search").
 *
 * The folded text (ports/caseSearch.ts searchHaystack) has a pg_trgm GIN index, which answers `LIKE '%…%'` for a
 * text of three or more characters; shorter ones are the same LIKE, which PostgreSQL then answers by scanning (a
 * trigram index has nothing to look up for them) — the same answer either way. A viewer's filter is the
 * `agencies` array (GIN, `@>`). Case ids are ordered in the "C" collation: code points, as the port and the
 * embedded adapter order them.
 */
import pg from 'pg';
import { migrateComponent, type PostgresMigration } from '../postgres/migrateComponent.js';
import { searchHaystack, type CaseSearch, type CaseSearchEntry, type CaseSearchPage, type CaseSearchQuery } from '../../ports/caseSearch.js';

export interface PostgresCaseSearchOptions {
  connectionString: string;
  /** the schema holding the table, created if missing (default `liandong`, the event store's) */
  schema?: string;
  /** pooled connections (default 4) */
  maxConnections?: number;
}

const DEFAULT_SCHEMA = 'liandong';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,46}$/;
const COMPONENT = 'caseSearch';
/** one key for the whole server: CREATE EXTENSION IF NOT EXISTS run by two schemas' migrations at once would collide */
const EXTENSION_LOCK_KEY = '7315201728043114003';

const MIGRATIONS: readonly PostgresMigration[] = [
  async (schema, client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [EXTENSION_LOCK_KEY]);
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    // wherever a DBA installed it: the operator class is named with its schema
    const found = await client.query<{ nspname: string }>(
      `SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`,
    );
    const trgm = `"${found.rows[0]!.nspname}"`;
    return `
     CREATE TABLE ${schema}.case_search (
       case_id  text COLLATE "C" PRIMARY KEY,
       position bigint NOT NULL,   -- of the last event applied: older writes are ignored
       haystack text   NOT NULL,   -- folded: id, title, 案号, party names, one a line
       agencies text[] NOT NULL    -- involved agencies: a viewer's search finds the case only if its own is here
     );
     CREATE INDEX case_search_haystack ON ${schema}.case_search USING gin (haystack ${trgm}.gin_trgm_ops);
     CREATE INDEX case_search_agencies ON ${schema}.case_search USING gin (agencies);`;
  },
];

/** a LIKE pattern matching `text` anywhere, its own wildcards and the escape character taken literally */
const containing = (text: string): string => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

export async function openPostgresCaseSearch(options: PostgresCaseSearchOptions): Promise<CaseSearch> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`schema must match ${SCHEMA_NAME.source} (lower-case, at most 47 characters), got ${JSON.stringify(schema)}`);
  }
  const table = `"${schema}".case_search`;
  const pool = new pg.Pool({ connectionString: options.connectionString, application_name: 'liandong-search', max: options.maxConnections ?? 4 });
  // an idle pooled connection that dies (server restart) is discarded; unheard, its 'error' would crash the process
  pool.on('error', () => undefined);
  try {
    await migrateComponent(pool, schema, COMPONENT, MIGRATIONS);
  } catch (error) {
    await pool.end();
    throw error;
  }
  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('case search index is closed');
  };

  return {
    async put(entries: readonly CaseSearchEntry[]) {
      assertOpen();
      // one row per case (ON CONFLICT cannot touch a row twice in one statement): the newest entry of each
      const newest = new Map<string, CaseSearchEntry>();
      for (const entry of entries) {
        const seen = newest.get(entry.caseId);
        if (seen === undefined || seen.position < entry.position) newest.set(entry.caseId, entry);
      }
      const rows = [...newest.values()].map((e) => ({ case_id: e.caseId, position: e.position.toString(), haystack: searchHaystack(e), agencies: e.agencies }));
      await pool.query(
        `INSERT INTO ${table} (case_id, position, haystack, agencies)
         SELECT case_id, position, haystack, agencies FROM jsonb_to_recordset($1::jsonb) AS x(case_id text, position bigint, haystack text, agencies text[])
         ON CONFLICT (case_id) DO UPDATE SET position = EXCLUDED.position, haystack = EXCLUDED.haystack, agencies = EXCLUDED.agencies
         WHERE case_search.position < EXCLUDED.position`,
        [JSON.stringify(rows)],
      );
    },
    async clear() {
      assertOpen();
      await pool.query(`DELETE FROM ${table}`);
    },
    async count() {
      assertOpen();
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
      return Number(rows[0]!.n);
    },
    async search(query: CaseSearchQuery): Promise<CaseSearchPage> {
      assertOpen();
      const params: unknown[] = [containing(query.text)];
      let where = 'haystack LIKE $1';
      if (query.agency !== null) {
        params.push([query.agency]);
        where += ` AND agencies @> $${params.length}::text[]`;
      }
      const counted = pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE ${where}`, params);
      const paged = pool.query<{ case_id: string }>(
        `SELECT case_id FROM ${table} WHERE ${where} AND case_id > $${params.length + 1} ORDER BY case_id LIMIT $${params.length + 2}`,
        [...params, query.after ?? '', query.limit + 1], // one more than asked: whether a next page exists
      );
      const [count, page] = await Promise.all([counted, paged]);
      return { caseIds: page.rows.slice(0, query.limit).map((r) => r.case_id), totalCount: Number(count.rows[0]!.n), hasNextPage: page.rows.length > query.limit };
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
