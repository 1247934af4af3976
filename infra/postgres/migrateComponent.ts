import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * The lock every liandong component takes to migrate a schema: one key per schema, so the event store, the
 * rejection store and the access log sharing it migrate one at a time. A signed 64-bit key from SHA-256
 * (hashtext() is an internal function other PostgreSQL-compatible engines may lack).
 */
export const migrationLockKey = (schema: string): string =>
  createHash('sha256').update(`liandong.migrate:${schema}`).digest().readBigInt64BE(0).toString();

/**
 * One migration: the SQL for the quoted schema name. It may first use the client (inside the migration's
 * transaction, holding the lock) for what SQL cannot do, such as computing hashes over existing rows.
 */
export type PostgresMigration = (quotedSchema: string, client: pg.PoolClient) => string | Promise<string>;

/**
 * Brings one component's tables in `schema` up to `migrations.length`, recorded in the shared
 * `schema_versions` table (one row per component). DDL runs only when something is missing, so a role
 * without CREATE rights can open a schema a DBA has already migrated; a newer version is refused.
 */
export async function migrateComponent(pool: pg.Pool, schema: string, component: string, migrations: readonly PostgresMigration[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [migrationLockKey(schema)]);
    const found = await client.query<{ namespace: boolean; versions: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS namespace,
              EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = $1 AND c.relname = 'schema_versions') AS versions`,
      [schema],
    );
    const { namespace, versions } = found.rows[0]!;
    const quoted = `"${schema}"`;
    const stored = versions ? await client.query<{ version: number }>(`SELECT version FROM ${quoted}.schema_versions WHERE component = $1`, [component]) : null;
    const current = stored?.rows[0]?.version ?? 0;
    if (current > migrations.length) throw new Error(`${component} schema is version ${current}; this program knows up to ${migrations.length}`);
    if (current < migrations.length) {
      if (!namespace) await client.query(`CREATE SCHEMA ${quoted}`);
      if (!versions) await client.query(`CREATE TABLE ${quoted}.schema_versions (component text PRIMARY KEY, version integer NOT NULL)`);
      for (let version = current; version < migrations.length; version++) await client.query(await migrations[version]!(quoted, client));
      await client.query(
        `INSERT INTO ${quoted}.schema_versions (component, version) VALUES ($1, $2) ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version`,
        [component, migrations.length],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
