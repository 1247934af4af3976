/**
 * The embedded ReadModelStore: every document and index entry lives in memory (the serving copy, so a
 * GraphQL read is a Map lookup), and every commit is also written to a SQLite file in one transaction
 * (documents, index entries and checkpoint together), so a restart loads exactly what was committed and
 * a crash can never leave documents ahead of or behind their checkpoint.
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

/** collection → id → the document after the commit (null: deleted) */
type CommitResult = Map<string, Map<string, StoredDocument | null>>;

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

  // SQLite first, memory after: anything that throws (a document JSON cannot hold, a full disk) rolls the
  // transaction back before the serving copy has changed
  const persist = db.transaction((projection: string, position: bigint, writes: readonly DocumentWrite[]): CommitResult => {
    const result: CommitResult = new Map();
    for (const { collection, id, doc, indexes } of writes) {
      let byId = result.get(collection);
      if (byId === undefined) result.set(collection, (byId = new Map()));
      if (doc === null) {
        statements.deleteDocument.run(collection, id);
        byId.set(id, null);
        continue;
      }
      const previous = byId.has(id) ? (byId.get(id) ?? null) : (collections.get(collection)?.docs.get(id) ?? null);
      const merged = mergeIndexes(previous?.indexes ?? null, indexes);
      const indexesJson = merged === (previous?.indexes ?? null) ? (previous?.indexesJson ?? null) : JSON.stringify(merged);
      const json = JSON.stringify(doc);
      if (json === undefined) throw new TypeError(`document ${collection}/${id} is not JSON-serialisable`);
      freeze(doc);
      statements.upsertDocument.run(collection, id, json, indexesJson);
      byId.set(id, { doc, indexes: merged, indexesJson });
    }
    statements.upsertCheckpoint.run(projection, position);
    return result;
  });

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
      const result = persist(projection, position, writes);
      for (const [collection, byId] of result) {
        for (const [id, next] of byId) put(collection, id, next);
      }
      checkpoints.set(projection, position);
    },

    async checkpoint(projection) {
      assertOpen();
      return checkpoints.get(projection) ?? null;
    },

    async reset(projections, names) {
      assertOpen();
      drop(projections, names);
      for (const name of names) collections.delete(name);
      for (const projection of projections) checkpoints.delete(projection);
    },

    async close() {
      if (closed) return;
      closed = true;
      collections.clear();
      checkpoints.clear();
      db.close();
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
