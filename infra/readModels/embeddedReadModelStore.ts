/**
 * The embedded ReadModelStore: every document and index entry lives in memory (the serving copy, so a
 * GraphQL read is a Map lookup), and the commits are written behind to a SQLite file, at most a second later,
 * a snapshot of documents, index entries and checkpoints in one transaction (see write-behind below), so a
 * restart loads a consistent state and a crash can never leave documents behind their checkpoint.
 *
 * Each index is one ordered list of (value, id) entries (SortedEntries), rebuilt from the documents' stored
 * entries at open: findIds reads the entries of one value, findRange and countRange a range of values.
 * A range-only index (DocumentWrite.rangeIndexes) therefore needs nothing different here: there is no list per
 * value to skip, and findIds on it is the same one-value read.
 *
 * Documents are deep-frozen when committed and handed out as they are: reads cost nothing and a caller
 * that tries to change one gets a TypeError instead of silently changing the store. The price is that
 * commit takes ownership of the objects it is given (they are frozen in place); projections build new
 * documents in evolve anyway.
 *
 * The file holds disposable data (rebuildable from the event store), so it is kept apart from the event
 * store's file and written with synchronous = NORMAL: a power cut may lose the last commits, but WAL keeps
 * each commit whole, so documents and checkpoint go back together and the runner re-applies the rest.
 * One process owns the file (EXCLUSIVE locking): a second process with its own in-memory copy would serve
 * stale documents and overwrite the first one's writes.
 */
import type { SqliteDatabase } from '../eventStore/sqliteDatabase.js';
import { migrate, openDurableDatabase } from '../eventStore/sqliteDatabase.js';
import type { DocumentWrite, ReadModelStore } from '../../ports/readModelStore.js';
import { checkRangeQuery } from './indexOrder.js';
import { SortedEntries, SortedIds } from './sortedIds.js';

export interface EmbeddedReadModelStoreOptions {
  /** a SQLite file of its own (the platform passes `<dataDir>/readmodels.db`), or ':memory:' */
  path: string;
}

const MIGRATIONS = [
  `CREATE TABLE read_model_documents (
     collection TEXT NOT NULL,
     id         TEXT NOT NULL,
     doc        TEXT NOT NULL,
     indexes    TEXT, -- JSON: index name → values the document is found under; rebuilt in memory at open
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
];

/** how long committed documents wait for the file: commits within it write a document once */
const FLUSH_AFTER_MS = 1000;
/** documents written per event-loop turn during a flush */
const FLUSH_SLICE_DOCUMENTS = 500;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Throws the TypeError JSON.stringify would (a bigint, a cycle) without serialising: the walk skips frozen parts,
 * which were checked when they were committed (a new document shares most of itself with its previous version).
 */
function requireJson(value: unknown, what: string, path: object[] = []): void {
  if (typeof value === 'bigint') throw new TypeError(`document ${what} is not JSON-serialisable: it holds a bigint`);
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  if (path.includes(value)) throw new TypeError(`document ${what} is not JSON-serialisable: it refers to itself`);
  path.push(value);
  for (const item of Array.isArray(value) ? value : Object.values(value)) requireJson(item, what, path);
  path.pop();
}

export type IndexValues = Readonly<Record<string, readonly string[]>>;

interface StoredDocument {
  /** deep-frozen */
  readonly doc: unknown;
  /** every index entry of the document, merged across writes; null when it has none */
  readonly indexes: IndexValues | null;
  /** `indexes` as stored, reused while a write leaves them as they were (the usual case) */
  readonly indexesJson: string | null;
}

interface Collection {
  readonly docs: Map<string, StoredDocument>;
  readonly ids: SortedIds;
  /** index name → its (value, id) entries in order: findIds reads one value, findRange a range of them */
  readonly indexes: Map<string, SortedEntries>;
}

/** collection → id → the latest committed version not yet in the file (null: deleted) */
type PendingDocuments = Map<string, Map<string, StoredDocument | null>>;

interface DocumentRow {
  collection: string;
  id: string;
  doc: string;
  indexes: string | null;
}

export function openEmbeddedReadModelStore(options: EmbeddedReadModelStoreOptions): ReadModelStore {
  const db = openDatabase(options.path);

  const statements = {
    upsertDocument: db.prepare<[string, string, string, string | null]>(
      'INSERT INTO read_model_documents (collection, id, doc, indexes) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc, indexes = excluded.indexes',
    ),
    deleteDocument: db.prepare<[string, string]>('DELETE FROM read_model_documents WHERE collection = ? AND id = ?'),
    deleteCollection: db.prepare<[string]>('DELETE FROM read_model_documents WHERE collection = ?'),
    upsertCheckpoint: db.prepare<[string, bigint]>(
      'INSERT INTO read_model_checkpoints (projection, position) VALUES (?, ?) ' +
        'ON CONFLICT (projection) DO UPDATE SET position = excluded.position',
    ),
    deleteCheckpoint: db.prepare<[string]>('DELETE FROM read_model_checkpoints WHERE projection = ?'),
    begin: db.prepare('BEGIN'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
  };

  const collections = new Map<string, Collection>();
  const checkpoints = new Map<string, bigint>();
  let closed = false;

  // An object that is already frozen is taken to be deep-frozen: a document that shares unchanged parts
  // with its previous version (the usual result of a spread in evolve) is walked only where it changed.
  // (A WeakSet of frozen objects would also cover callers that freeze shallowly, at a cost of about a
  // microsecond per write and heavier garbage collection.)
  const freeze = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
    Object.freeze(value);
    if (Array.isArray(value)) {
      for (const item of value) freeze(item);
    } else {
      for (const key of Object.keys(value)) freeze((value as Record<string, unknown>)[key]);
    }
  };

  const collectionOf = (name: string): Collection => {
    let collection = collections.get(name);
    if (collection === undefined) {
      collection = { docs: new Map(), ids: new SortedIds(), indexes: new Map() };
      collections.set(name, collection);
    }
    return collection;
  };

  const addEntry = (collection: Collection, index: string, value: string, id: string): void => {
    let entries = collection.indexes.get(index);
    if (entries === undefined) collection.indexes.set(index, (entries = new SortedEntries()));
    entries.add(value, id);
  };

  const removeEntry = (collection: Collection, index: string, value: string, id: string): void => {
    const entries = collection.indexes.get(index);
    if (entries === undefined) return;
    entries.delete(value, id);
    if (entries.size === 0) collection.indexes.delete(index);
  };

  /** moves a document's index entries from `before` to `after`, touching only values that changed */
  const reindex = (collection: Collection, id: string, before: IndexValues | null, after: IndexValues | null): void => {
    if (before === after) return;
    if (before !== null) {
      for (const index of Object.keys(before)) {
        const kept = after?.[index];
        for (const value of before[index]!) if (!kept?.includes(value)) removeEntry(collection, index, value, id);
      }
    }
    if (after !== null) {
      for (const index of Object.keys(after)) {
        const had = before?.[index];
        for (const value of after[index]!) if (!had?.includes(value)) addEntry(collection, index, value, id);
      }
    }
  };

  const put = (collectionName: string, id: string, next: StoredDocument | null): void => {
    const collection = collectionOf(collectionName);
    const previous = collection.docs.get(id) ?? null;
    reindex(collection, id, previous?.indexes ?? null, next?.indexes ?? null);
    if (next === null) {
      collection.docs.delete(id);
      collection.ids.delete(id);
    } else {
      collection.docs.set(id, next);
      collection.ids.add(id);
    }
  };

  // load the serving copy
  for (const row of db.prepare<[], DocumentRow>('SELECT collection, id, doc, indexes FROM read_model_documents').iterate()) {
    const doc: unknown = JSON.parse(row.doc);
    freeze(doc);
    const indexes = row.indexes === null ? null : (JSON.parse(row.indexes) as IndexValues);
    freeze(indexes);
    put(row.collection, row.id, { doc, indexes, indexesJson: row.indexes });
  }
  const checkpointRows = db
    .prepare<[], { projection: string; position: bigint }>('SELECT projection, position FROM read_model_checkpoints')
    .safeIntegers()
    .all();
  for (const { projection, position } of checkpointRows) checkpoints.set(projection, position);

  /**
   * Write-behind: a commit changes the serving copy at once and leaves the file to a flush that follows within
   * FLUSH_AFTER_MS. A live case document is touched by nearly every event of its case, and writing it (JSON and
   * SQLite) on every commit was most of the ingest's CPU; a flush writes each document once, in its latest version.
   * Consistency is kept by what a flush writes: the versions and checkpoints as they stood at one moment (documents are
   * frozen, so holding a reference is a snapshot), in one transaction. A crash loses at most the commits since the
   * last flush, and the file then holds documents and checkpoints that go together: the runner applies the events
   * after those checkpoints again, exactly as after a crash between two commits.
   */
  let pending: PendingDocuments = new Map();
  let pendingCheckpoints = new Map<string, bigint>();
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** the flushes run one after another; this is the last one started */
  let flushes: Promise<void> = Promise.resolve();
  let failedFlushes = 0;

  const pendingOf = (collection: string): Map<string, StoredDocument | null> => {
    let byId = pending.get(collection);
    if (byId === undefined) pending.set(collection, (byId = new Map()));
    return byId;
  };

  const scheduleFlush = (delayMs: number): void => {
    if (flushTimer !== null || closed) return;
    flushTimer = setTimeout(() => {
      flushTimer = null;
      flushes = flushes.then(writeOut);
    }, delayMs);
    flushTimer.unref?.();
  };

  /** writes one snapshot of the pending versions and checkpoints, a slice per event-loop turn, in one transaction */
  const writeOut = async (): Promise<void> => {
    const docs = pending;
    const marks = pendingCheckpoints;
    pending = new Map();
    pendingCheckpoints = new Map();
    if (docs.size === 0 && marks.size === 0) return;
    let open = false;
    try {
      statements.begin.run();
      open = true;
      let written = 0;
      for (const [collection, byId] of docs) {
        for (const [id, stored] of byId) {
          if (stored === null) statements.deleteDocument.run(collection, id);
          else statements.upsertDocument.run(collection, id, JSON.stringify(stored.doc), stored.indexesJson);
          if (++written % FLUSH_SLICE_DOCUMENTS === 0) await nextTurn();
        }
      }
      for (const [projection, position] of marks) statements.upsertCheckpoint.run(projection, position);
      statements.commit.run();
      open = false;
      failedFlushes = 0;
    } catch (error) {
      if (open) statements.rollback.run();
      // what was not written stays pending, unless a newer version has been committed since
      for (const [collection, byId] of docs) {
        const newer = pendingOf(collection);
        for (const [id, stored] of byId) if (!newer.has(id)) newer.set(id, stored);
      }
      for (const [projection, position] of marks) if (!pendingCheckpoints.has(projection)) pendingCheckpoints.set(projection, position);
      failedFlushes++;
      console.error(`[读模型] 写入读模型文件失败（第 ${failedFlushes} 次），内存中的读模型照常服务，稍后重试；请检查磁盘空间与文件权限：${(error as Error).message}`);
      scheduleFlush(Math.min(FLUSH_AFTER_MS * 2 ** failedFlushes, 60_000));
    }
  };

  /** everything committed so far, in the file (close, reset) */
  const flushAll = async (): Promise<void> => {
    if (flushTimer !== null) clearTimeout(flushTimer);
    flushTimer = null;
    flushes = flushes.then(writeOut);
    await flushes;
    if (failedFlushes > 0) throw new Error('read model file could not be written; see the errors above');
  };

  const drop = db.transaction((projections: readonly string[], names: readonly string[]): void => {
    for (const name of names) statements.deleteCollection.run(name);
    for (const projection of projections) statements.deleteCheckpoint.run(projection);
  });

  const assertOpen = (): void => {
    if (closed) throw new Error('read model store is closed');
  };

  return {
    async get<T>(collection: string, id: string): Promise<T | null> {
      assertOpen();
      return (collections.get(collection)?.docs.get(id)?.doc ?? null) as T | null;
    },

    async getMany<T>(collection: string, ids: readonly string[]): Promise<(T | null)[]> {
      assertOpen();
      const docs = collections.get(collection)?.docs;
      return ids.map((id) => (docs?.get(id)?.doc ?? null) as T | null);
    },

    async findIds(collection, index, value) {
      assertOpen();
      return collections.get(collection)?.indexes.get(index)?.idsOf(value) ?? [];
    },

    async findRange(collection, index, query) {
      assertOpen();
      checkRangeQuery(query);
      return collections.get(collection)?.indexes.get(index)?.range(query) ?? { entries: [], next: null };
    },

    async countRange(collection, index, bounds) {
      assertOpen();
      return collections.get(collection)?.indexes.get(index)?.count(bounds) ?? 0;
    },

    async listIds(collection) {
      assertOpen();
      return collections.get(collection)?.ids.toArray() ?? [];
    },

    async commit(projection, position, writes) {
      assertOpen();
      // checked before anything changes: a document JSON cannot hold fails the whole commit
      for (const { collection, id, doc } of writes) if (doc !== null) requireJson(doc, `${collection}/${id}`);
      for (const { collection, id, doc, indexes } of writes) {
        if (doc === null) {
          put(collection, id, null);
          pendingOf(collection).set(id, null);
          continue;
        }
        const previous = collections.get(collection)?.docs.get(id) ?? null;
        const merged = mergeIndexes(previous?.indexes ?? null, indexes);
        const indexesJson = merged === (previous?.indexes ?? null) ? (previous?.indexesJson ?? null) : JSON.stringify(merged);
        freeze(doc);
        const next: StoredDocument = { doc, indexes: merged, indexesJson };
        put(collection, id, next);
        pendingOf(collection).set(id, next);
      }
      checkpoints.set(projection, position);
      pendingCheckpoints.set(projection, position);
      scheduleFlush(FLUSH_AFTER_MS);
    },

    async checkpoint(projection) {
      assertOpen();
      return checkpoints.get(projection) ?? null;
    },

    async reset(projections, names) {
      assertOpen();
      await flushAll();
      drop(projections, names);
      for (const name of names) collections.delete(name);
      for (const projection of projections) checkpoints.delete(projection);
    },

    async close() {
      if (closed) return;
      try {
        // the file catches up with the serving copy; if it cannot, it keeps its last whole flush (rebuilt forward at
        // the next start) and close says so
        await flushAll();
      } finally {
        closed = true;
        if (flushTimer !== null) clearTimeout(flushTimer);
        collections.clear();
        checkpoints.clear();
        db.close();
      }
    },
  };
}

/** the read model file, migrated and locked for this process (diskReadModelStore.ts opens the same file format) */
export function openDatabase(path: string): SqliteDatabase {
  const db = openDurableDatabase(path);
  try {
    db.pragma('synchronous = NORMAL');
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('wal_autocheckpoint = 10000');
    // migrate writes, so from here on this connection holds the file's lock until it closes
    migrate(db, 'readModels', MIGRATIONS);
    return db;
  } catch (error) {
    db.close();
    if ((error as { code?: unknown } | null)?.code === 'SQLITE_BUSY') {
      throw new Error(`read model file ${path} is in use by another process`, { cause: error });
    }
    throw error;
  }
}

/**
 * The document's entries after a write: every index the write names is replaced, the others kept.
 * Returns `previous` itself when nothing changes, so the caller can skip re-indexing and re-serialising.
 */
export function mergeIndexes(previous: IndexValues | null, named: DocumentWrite['indexes']): IndexValues | null {
  if (named === undefined) return previous;
  let merged: Record<string, readonly string[]> | null = null;
  for (const index of Object.keys(named)) {
    const values = named[index]!;
    const before = previous?.[index];
    if (before !== undefined && sameValues(before, values)) continue;
    merged ??= previous === null ? {} : { ...previous };
    merged[index] = Object.freeze([...values]);
  }
  return merged === null ? previous : Object.freeze(merged);
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
