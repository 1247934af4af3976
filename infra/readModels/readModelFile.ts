/**
 * The embedded read models' SQLite file (embeddedReadModelStore.ts): its schema, how each connection to it is opened,
 * and the lock that keeps it to one process.
 *
 * Two connections share the file in WAL mode: the writer (readModelWrites.ts, in a thread of its own for a file on disk)
 * and the reader on the event loop, which answers GraphQL. WAL lets the reader read while the writer commits, and a
 * read that starts after a commit has been answered sees it. The file holds disposable data (rebuildable from the
 * event store), so it is written with synchronous = NORMAL: a power cut may lose the last commits, but WAL keeps each
 * commit whole, so documents and checkpoint go back together and the runner re-applies the rest.
 *
 * Text order: SQLite's BINARY collation compares the UTF-8 bytes, i.e. code points, as the port asks.
 */
import Database from 'better-sqlite3';
import { createPrivately, migrate, openDurableDatabase, type SqliteDatabase } from '../eventStore/sqliteDatabase.js';

export const MIGRATIONS = [
  `CREATE TABLE read_model_documents (
     collection TEXT NOT NULL,
     id         TEXT NOT NULL,
     doc        TEXT NOT NULL,
     indexes    TEXT, -- JSON: index name → values the document is found under
     PRIMARY KEY (collection, id)
   ) WITHOUT ROWID;
   CREATE TABLE read_model_checkpoints (
     projection TEXT PRIMARY KEY,
     position   INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // Documents are 1–40 KB: in a WITHOUT ROWID table each row lives in the primary-key B-tree, and an upsert of
  // such a row cost 100–180 µs (page splits, overflow chains) against 20–30 µs in a rowid table with the key as a
  // unique index (SQLite advises WITHOUT ROWID for rows under ~1/20 of a page). Measured on the benchmark's documents.
  `CREATE TABLE read_model_documents_v2 (
     collection TEXT NOT NULL,
     id         TEXT NOT NULL,
     doc        TEXT NOT NULL,
     indexes    TEXT,
     UNIQUE (collection, id)
   );
   INSERT INTO read_model_documents_v2 (collection, id, doc, indexes) SELECT collection, id, doc, indexes FROM read_model_documents;
   DROP TABLE read_model_documents;
   ALTER TABLE read_model_documents_v2 RENAME TO read_model_documents;`,
  // The index entries as a table of their own (they were rebuilt in memory from the `indexes` column at every open).
  // Rows are small, so WITHOUT ROWID: the primary key is the B-tree every read walks. The `indexes` column stays:
  // a write compares a document's new values with it and touches only the entries that changed.
  `CREATE TABLE read_model_entries (
     collection TEXT NOT NULL,
     idx        TEXT NOT NULL,
     value      TEXT NOT NULL,
     id         TEXT NOT NULL,
     PRIMARY KEY (collection, idx, value, id)
   ) WITHOUT ROWID;
   INSERT OR IGNORE INTO read_model_entries (collection, idx, value, id)
     SELECT d.collection, i.key, v.value, d.id
     FROM read_model_documents d, json_each(d.indexes) i, json_each(i.value) v
     WHERE d.indexes IS NOT NULL;`,
  // Group counts of the indexes a projection counts (DocumentWrite.countedGroups): SQLite walks a range to count it,
  // and a board lane of every ended handoff is most of the index. `read_model_counted` records which indexes are
  // counted and how, so a count is trusted only where every entry was counted.
  `CREATE TABLE read_model_group_counts (
     collection TEXT NOT NULL,
     idx        TEXT NOT NULL,
     grp        TEXT NOT NULL,
     n          INTEGER NOT NULL,
     PRIMARY KEY (collection, idx, grp)
   ) WITHOUT ROWID;
   CREATE TABLE read_model_counted (
     collection TEXT NOT NULL,
     idx        TEXT NOT NULL,
     separator  TEXT NOT NULL,
     fields     INTEGER NOT NULL,
     PRIMARY KEY (collection, idx)
   ) WITHOUT ROWID;`,
];

/** the writer's connection: the schema migrated, commits that wait for no fsync */
export function openWriterDatabase(path: string): SqliteDatabase {
  const db = openDurableDatabase(path);
  try {
    db.pragma('synchronous = NORMAL');
    // SQLite's default (1,000 pages, ~4 MB): the checkpoint runs inside the commit that crosses the limit. At 10,000
    // pages every tenth live commit or so copied ~40 MB and took 100–140 ms; on the event loop (before the writer had
    // a thread of its own) that was the /healthz p99 during an HTTP ingest.
    db.pragma('wal_autocheckpoint = 1000');
    // SQLite's page cache holds the B-trees' inner pages that every upsert walks
    db.pragma('cache_size = -16384');
    migrate(db, 'readModels', MIGRATIONS);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** the reader's connection (the file migrated by the writer before): documents come from a cache of their own */
export function openReaderDatabase(path: string): SqliteDatabase {
  const db = openDurableDatabase(path);
  try {
    db.pragma('cache_size = -65536');
    db.pragma('query_only = ON');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * One process owns a read model file: the document cache of another would serve documents it did not commit. Held as
 * SQLite's exclusive lock on a small file beside it (`<path>.lock`), which the operating system releases if the
 * process dies, so no stale lock outlives a crash. (Before the writer had a thread of its own the read model file
 * itself was opened with locking_mode = EXCLUSIVE; a reader beside the writer rules that out.)
 */
export function lockReadModelFile(path: string): { release(): void } {
  let lock: SqliteDatabase | null = null;
  try {
    // a second process is refused after a second (the owner holds the lock for as long as it runs)
    createPrivately(`${path}.lock`); // 0600, as every file of the data directory
    lock = new Database(`${path}.lock`, { timeout: 1000 });
    lock.pragma('locking_mode = EXCLUSIVE');
    // the first write takes the exclusive lock; in this mode it is held until the connection closes
    lock.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER); DELETE FROM owner;');
    lock.prepare('INSERT INTO owner (pid) VALUES (?)').run(process.pid);
  } catch (error) {
    lock?.close();
    if ((error as { code?: unknown } | null)?.code === 'SQLITE_BUSY') {
      throw new Error(`read model file ${path} is in use by another process`, { cause: error });
    }
    throw error;
  }
  const held = lock;
  return { release: () => held.close() };
}
