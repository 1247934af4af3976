/**
 * Opening a durable SQLite file and migrating one component's schema in it. Shared by the event store
 * and the rejection store so the embedded platform can keep both in one file (one fsync per commit,
 * one backup to take).
 */
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** how long a writer waits for another connection's write lock before SQLITE_BUSY */
const BUSY_TIMEOUT_MS = 5000;

export function openDurableDatabase(path: string): SqliteDatabase {
  createPrivately(path);
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    // WAL lets subscribers read while a writer commits; FULL fsyncs the WAL on every commit, so an
    // append or a rejection is on disk before its promise resolves (NORMAL could lose the last commits
    // on power loss, which would let a publisher's "accepted" event vanish).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A new database file is created empty with mode 0600 (chmod, so the umask cannot widen it) before SQLite
 * opens it: events, rejections and the access log are nobody else's to read, and SQLite gives the WAL and
 * SHM files it creates the mode of the database file. Existing files are left as they are (the embedded
 * platform tightens its data directory at start, infra/main/dataDir.ts).
 */
export function createPrivately(path: string): void {
  if (path === '' || path === ':memory:' || path.startsWith('file:') || existsSync(path)) return;
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch {
    return; // created by another process meanwhile, or a missing directory (SQLite's own error says it better)
  }
  chmodSync(path, 0o600);
}

/** SQL, or code for what SQL cannot do (computing hashes over existing rows); runs inside the migration's transaction */
export type Migration = string | ((db: SqliteDatabase) => void);

/**
 * Brings `component`'s tables up to date: migrations[i] takes the schema from version i to i + 1.
 * Versions are kept per component (not in PRAGMA user_version) because several components share a file.
 * A file written by newer code is refused rather than misread.
 */
export function migrate(db: SqliteDatabase, component: string, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const readVersion = db.prepare<[string], { version: number }>('SELECT version FROM schema_versions WHERE component = ?');
  const writeVersion = db.prepare<[string, number]>(
    'INSERT INTO schema_versions (component, version) VALUES (?, ?) ' +
      'ON CONFLICT (component) DO UPDATE SET version = excluded.version',
  );
  // IMMEDIATE: two processes opening a fresh file at once must not both run migration 0.
  db.transaction(() => {
    const current = readVersion.get(component)?.version ?? 0;
    if (current > migrations.length) {
      throw new Error(`${component} schema is version ${current}; this program knows up to ${migrations.length}`);
    }
    for (let version = current; version < migrations.length; version++) {
      const migration = migrations[version]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
    }
    if (current < migrations.length) writeVersion.run(component, migrations.length);
  }).immediate();
}
