/**
 * The embedded ReadModelStore: SQLite tables with real indexes. Documents sit in a table keyed by (collection, id),
 * index entries in a table whose primary key is (collection, index, value, id) — so findIds, findRange (keyset pages
 * in either direction) and countRange are B-tree range reads — and each commit writes documents, entries and the
 * projection's checkpoint in one transaction, so a crash can never leave documents ahead of or behind their checkpoint.
 *
 * Memory is bounded whatever the size of the city: parsed documents are kept in an LRU cache weighted by the length of
 * their JSON (`cacheChars`), so a GraphQL read of a hot document is a Map lookup and a cold one a primary-key read and
 * a JSON.parse. Before this store held every document and entry in memory, which at 1,000,000 events took 4 GB and
 * ran the garbage collector against V8's heap limit (docs/benchmarks.md).
 *
 * Documents are deep-frozen when parsed and handed out as they are: a caller that tries to change one gets a TypeError
 * instead of silently changing the cached copy. A commit keeps the JSON it wrote, not the object it was given, and the
 * first read parses it (CachedDocument.doc says why), so the caller keeps its objects and may change them.
 *
 * Text order: SQLite's BINARY collation compares the UTF-8 bytes, i.e. code points, as the port asks.
 *
 * The file holds disposable data (rebuildable from the event store), so it is kept apart from the event store's file
 * and written with synchronous = NORMAL: a power cut may lose the last commits, but WAL keeps each commit whole, so
 * documents and checkpoint go back together and the runner re-applies the rest. One process owns the file
 * (EXCLUSIVE locking): the cache of another process would serve documents it did not commit.
 */
import { LRUCache } from 'lru-cache';
import type { SqliteDatabase } from '../eventStore/sqliteDatabase.js';
import { migrate, openDurableDatabase } from '../eventStore/sqliteDatabase.js';
import { groupBounds, groupOf, type CountedGroups, type DocumentWrite, type IndexBounds, type IndexEntry, type RangeQuery, type ReadModelStore } from '../../ports/readModelStore.js';
import { checkRangeQuery } from './indexOrder.js';

export interface EmbeddedReadModelStoreOptions {
  /** a SQLite file of its own (the platform passes `<dataDir>/readmodels.db`), or ':memory:' */
  path: string;
  /**
   * How much parsed-document cache to keep, in characters of the documents' JSON (a parsed document takes roughly two
   * to three times its JSON in heap). Default 32 Mi characters. `liandong replay`, which reads each document once,
   * passes a small one.
   */
  cacheChars?: number;
}

const DEFAULT_CACHE_CHARS = 32 * 1024 * 1024;

const MIGRATIONS = [
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

export type IndexValues = Readonly<Record<string, readonly string[]>>;

interface CachedDocument {
  /**
   * Deep-frozen, parsed from the stored JSON; undefined until the first read after a commit, which parses `json`.
   * The object a projection committed is never kept: a case document that lived across hundreds of live commits, each
   * version a spread of the last, made every later spread of its 330-key handoff map slow and left garbage the
   * scavenger promoted (620–1,013 ms live slices on the benchmark's long case); a parsed one does not.
   */
  readonly doc: unknown;
  /** the stored JSON while `doc` is not parsed yet, else null */
  readonly json: string | null;
  /** every index entry of the document, merged across writes; null when it has none */
  readonly indexes: IndexValues | null;
  /** `indexes` as stored, reused while a write leaves them as they were (the usual case) */
  readonly indexesJson: string | null;
  /** the document's JSON length: its weight in the cache */
  readonly size: number;
}

/** what a commit needs of a document it replaces: its entries, not its body */
interface StoredIndexes {
  readonly indexes: IndexValues | null;
  readonly indexesJson: string | null;
}

interface DocumentRow {
  id: string;
  doc: string;
  indexes: string | null;
}

/** ids per IN (…) query of getMany: below SQLite's default limit of bound parameters */
const IDS_PER_QUERY = 500;

const cacheKey = (collection: string, id: string): string => `${collection}\u0000${id}`;

export function openEmbeddedReadModelStore(options: EmbeddedReadModelStoreOptions): ReadModelStore {
  const db = openDatabase(options.path);
  const statements = prepareStatements(db);
  const ranges = rangeStatements(db);
  const cache = new LRUCache<string, CachedDocument>({
    maxSize: Math.max(1, options.cacheChars ?? DEFAULT_CACHE_CHARS),
    sizeCalculation: (entry) => Math.max(1, entry.size),
  });
  let closed = false;
  /** collection → index → how its entries are counted (read_model_counted), for the indexes that are */
  const counted = loadCounted(statements);
  const countingOf = (collection: string, index: string): CountedGroups | undefined => counted.get(collection)?.get(index);

  const parse = (row: DocumentRow, collection: string): CachedDocument => {
    const doc: unknown = JSON.parse(row.doc);
    freeze(doc);
    const indexes = row.indexes === null ? null : (JSON.parse(row.indexes) as IndexValues);
    freeze(indexes);
    const cached: CachedDocument = { doc, json: null, indexes, indexesJson: row.indexes, size: row.doc.length };
    cache.set(cacheKey(collection, row.id), cached);
    return cached;
  };

  /** the cached document, parsed on its first read after a commit */
  const docOf = (collection: string, id: string, cached: CachedDocument): unknown => {
    if (cached.json === null) return cached.doc;
    const doc: unknown = JSON.parse(cached.json);
    freeze(doc);
    cache.set(cacheKey(collection, id), { ...cached, doc, json: null });
    return doc;
  };

  const storedIndexes = (collection: string, id: string): StoredIndexes | null => {
    const cached = cache.peek(cacheKey(collection, id)); // a write does not make the old version recently used
    if (cached !== undefined) return cached;
    const row = statements.indexesOf.get(collection, id);
    if (row === undefined) return null;
    return { indexes: row.indexes === null ? null : (JSON.parse(row.indexes) as IndexValues), indexesJson: row.indexes };
  };

  const moveEntries = (collection: string, id: string, before: IndexValues | null, after: IndexValues | null, tally: GroupTally): void => {
    if (before === after) return;
    if (before !== null) {
      for (const index of Object.keys(before)) {
        const kept = after?.[index];
        const counting = countingOf(collection, index);
        for (const value of before[index]!) {
          if (kept?.includes(value)) continue;
          const { changes } = statements.deleteEntry.run(collection, index, value, id);
          if (counting !== undefined && changes > 0) tally.add(collection, index, countedUnder(value, counting), -1);
        }
      }
    }
    if (after !== null) {
      for (const index of Object.keys(after)) {
        const had = before?.[index];
        const counting = countingOf(collection, index);
        for (const value of after[index]!) {
          if (had?.includes(value)) continue;
          const { changes } = statements.insertEntry.run(collection, index, value, id);
          if (counting !== undefined && changes > 0) tally.add(collection, index, countedUnder(value, counting), +1);
        }
      }
    }
  };

  /**
   * A declaration this store has not counted under yet: the entries the index already holds are counted first (an
   * index that becomes counted on a filled store, or whose grouping changed), so the counts cover every entry.
   */
  const declare = (collection: string, index: string, counting: CountedGroups): void => {
    const known = countingOf(collection, index);
    if (known !== undefined && known.separator === counting.separator && known.fields === counting.fields) return;
    if (!(counting.fields >= 1 && Number.isSafeInteger(counting.fields) && counting.separator.length > 0)) {
      throw new RangeError(`countedGroups of ${collection}/${index}: a non-empty separator and at least one field, got ${JSON.stringify(counting)}`);
    }
    statements.deleteGroupCounts.run(collection, index);
    const groups = new Map<string, number>();
    for (const value of statements.valuesOf.iterate(collection, index)) {
      const group = countedUnder(value, counting);
      groups.set(group, (groups.get(group) ?? 0) + 1);
    }
    for (const [group, n] of groups) statements.addToGroup.run(collection, index, group, n);
    statements.upsertCounted.run(collection, index, counting.separator, counting.fields);
    let byIndex = counted.get(collection);
    if (byIndex === undefined) counted.set(collection, (byIndex = new Map()));
    byIndex.set(index, { separator: counting.separator, fields: counting.fields });
  };

  // SQLite first, cache after: anything that throws (a document JSON cannot hold, a full disk) rolls the transaction
  // back before the cache has changed
  const persistWrites = db.transaction((projection: string, position: bigint, writes: readonly DocumentWrite[]) => {
    /** collection → id → the document after this commit (null: deleted); later writes of one id see earlier ones */
    const written = new Map<string, Map<string, CachedDocument | null>>();
    const tally = new GroupTally();
    for (const { collection, id, doc, indexes, countedGroups } of writes) {
      if (countedGroups !== undefined) for (const index of Object.keys(countedGroups)) declare(collection, index, countedGroups[index]!);
      let byId = written.get(collection);
      if (byId === undefined) written.set(collection, (byId = new Map()));
      const previous = byId.has(id) ? (byId.get(id) ?? null) : storedIndexes(collection, id);
      if (doc === null) {
        moveEntries(collection, id, previous?.indexes ?? null, null, tally);
        statements.deleteDocument.run(collection, id);
        byId.set(id, null);
        continue;
      }
      const merged = mergeIndexes(previous?.indexes ?? null, indexes);
      const indexesJson = merged === (previous?.indexes ?? null) ? (previous?.indexesJson ?? null) : JSON.stringify(merged);
      const json = JSON.stringify(doc);
      if (json === undefined) throw new TypeError(`document ${collection}/${id} is not JSON-serialisable`);
      moveEntries(collection, id, previous?.indexes ?? null, merged, tally);
      statements.upsertDocument.run(collection, id, json, indexesJson);
      byId.set(id, { doc: undefined, json, indexes: merged, indexesJson, size: json.length });
    }
    tally.apply(statements);
    statements.upsertCheckpoint.run(projection, position);
    return written;
  });
  // `counted` changes inside the transaction (declare); a commit that fails must not leave it claiming counts the
  // file does not hold
  const persist = (projection: string, position: bigint, writes: readonly DocumentWrite[]) => {
    try {
      return persistWrites(projection, position, writes);
    } catch (error) {
      reload(counted, loadCounted(statements));
      throw error;
    }
  };

  const drop = db.transaction((projections: readonly string[], collections: readonly string[]): void => {
    for (const collection of collections) {
      statements.deleteCollection.run(collection);
      statements.deleteCollectionEntries.run(collection);
      // counted indexes stay counted (every count now 0): the next write declares the same anyway
      statements.deleteCollectionGroupCounts.run(collection);
    }
    for (const projection of projections) statements.deleteCheckpoint.run(projection);
  });

  const assertOpen = (): void => {
    if (closed) throw new Error('read model store is closed');
  };

  return {
    // better-sqlite3 is synchronous: every read and commit runs on the caller's event loop
    holdsEventLoop: true,

    async get<T>(collection: string, id: string): Promise<T | null> {
      assertOpen();
      const cached = cache.get(cacheKey(collection, id));
      if (cached !== undefined) return docOf(collection, id, cached) as T;
      const row = statements.get.get(collection, id);
      return row === undefined ? null : (parse(row, collection).doc as T);
    },

    async getMany<T>(collection: string, ids: readonly string[]): Promise<(T | null)[]> {
      assertOpen();
      const found: (T | null)[] = new Array(ids.length).fill(null);
      const missing = new Map<string, number[]>();
      ids.forEach((id, at) => {
        const cached = cache.get(cacheKey(collection, id));
        if (cached !== undefined) found[at] = docOf(collection, id, cached) as T;
        else missing.set(id, [...(missing.get(id) ?? []), at]);
      });
      const cold = [...missing.keys()];
      for (let start = 0; start < cold.length; start += IDS_PER_QUERY) {
        const chunk = cold.slice(start, start + IDS_PER_QUERY);
        for (const row of statements.getMany(chunk.length).all(collection, ...chunk)) {
          const doc = parse(row, collection).doc as T;
          for (const at of missing.get(row.id)!) found[at] = doc;
        }
      }
      return found;
    },

    async findIds(collection, index, value) {
      assertOpen();
      return statements.idsOf.all(collection, index, value);
    },

    async findRange(collection, index, query) {
      assertOpen();
      checkRangeQuery(query);
      const rows = ranges.read(collection, index, query);
      const more = rows.length > query.limit;
      const entries = more ? rows.slice(0, query.limit) : rows;
      const last = entries[entries.length - 1];
      return { entries, next: more && last !== undefined ? { value: last.value, id: last.id } : null };
    },

    async countRange(collection, index, bounds) {
      assertOpen();
      const counting = countingOf(collection, index);
      if (counting !== undefined && bounds?.from !== undefined && bounds.to === groupBounds(bounds.from).to && coversWholeGroups(bounds.from, counting)) {
        return statements.groupsCount.get(collection, index, bounds.from, bounds.to) ?? 0;
      }
      return ranges.count(collection, index, bounds ?? {});
    },

    async listIds(collection) {
      assertOpen();
      return statements.ids.all(collection);
    },

    async commit(projection, position, writes) {
      assertOpen();
      const written = persist(projection, position, writes);
      for (const [collection, byId] of written) {
        for (const [id, next] of byId) {
          if (next === null) cache.delete(cacheKey(collection, id));
          else cache.set(cacheKey(collection, id), next);
        }
      }
    },

    async checkpoint(projection) {
      assertOpen();
      return statements.checkpoint.get(projection) ?? null;
    },

    async reset(projections, collections) {
      assertOpen();
      drop(projections, collections);
      const dropped = new Set(collections);
      for (const key of [...cache.keys()]) if (dropped.has(key.slice(0, key.indexOf('\u0000')))) cache.delete(key);
    },

    async close() {
      if (closed) return;
      closed = true;
      cache.clear();
      db.close();
    },
  };
}

function prepareStatements(db: SqliteDatabase) {
  const getManyStatements = new Map<number, ReturnType<typeof db.prepare<string[], DocumentRow>>>();
  return {
    get: db.prepare<[string, string], DocumentRow>('SELECT id, doc, indexes FROM read_model_documents WHERE collection = ? AND id = ?'),
    getMany(count: number) {
      let statement = getManyStatements.get(count);
      if (statement === undefined) {
        statement = db.prepare<string[], DocumentRow>(
          `SELECT id, doc, indexes FROM read_model_documents WHERE collection = ? AND id IN (${new Array(count).fill('?').join(',')})`,
        );
        getManyStatements.set(count, statement);
      }
      return statement;
    },
    indexesOf: db.prepare<[string, string], { indexes: string | null }>('SELECT indexes FROM read_model_documents WHERE collection = ? AND id = ?'),
    ids: db.prepare<[string], string>('SELECT id FROM read_model_documents WHERE collection = ? ORDER BY id').pluck(),
    idsOf: db.prepare<[string, string, string], string>('SELECT id FROM read_model_entries WHERE collection = ? AND idx = ? AND value = ? ORDER BY id').pluck(),
    upsertDocument: db.prepare<[string, string, string, string | null]>(
      'INSERT INTO read_model_documents (collection, id, doc, indexes) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc, indexes = excluded.indexes',
    ),
    deleteDocument: db.prepare<[string, string]>('DELETE FROM read_model_documents WHERE collection = ? AND id = ?'),
    deleteCollection: db.prepare<[string]>('DELETE FROM read_model_documents WHERE collection = ?'),
    insertEntry: db.prepare<[string, string, string, string]>('INSERT OR IGNORE INTO read_model_entries (collection, idx, value, id) VALUES (?, ?, ?, ?)'),
    deleteEntry: db.prepare<[string, string, string, string]>('DELETE FROM read_model_entries WHERE collection = ? AND idx = ? AND value = ? AND id = ?'),
    deleteCollectionEntries: db.prepare<[string]>('DELETE FROM read_model_entries WHERE collection = ?'),
    checkpoint: db.prepare<[string], bigint>('SELECT position FROM read_model_checkpoints WHERE projection = ?').pluck().safeIntegers(),
    upsertCheckpoint: db.prepare<[string, bigint]>(
      'INSERT INTO read_model_checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position',
    ),
    deleteCheckpoint: db.prepare<[string]>('DELETE FROM read_model_checkpoints WHERE projection = ?'),
    counted: db.prepare<[], { collection: string; idx: string; separator: string; fields: number }>('SELECT collection, idx, separator, fields FROM read_model_counted'),
    upsertCounted: db.prepare<[string, string, string, number]>(
      'INSERT INTO read_model_counted (collection, idx, separator, fields) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (collection, idx) DO UPDATE SET separator = excluded.separator, fields = excluded.fields',
    ),
    valuesOf: db.prepare<[string, string], string>('SELECT value FROM read_model_entries WHERE collection = ? AND idx = ?').pluck(),
    groupsCount: db.prepare<[string, string, string, string], number>(
      'SELECT coalesce(sum(n), 0) FROM read_model_group_counts WHERE collection = ? AND idx = ? AND grp >= ? AND grp <= ?',
    ).pluck(),
    addToGroup: db.prepare<[string, string, string, number]>(
      'INSERT INTO read_model_group_counts (collection, idx, grp, n) VALUES (?, ?, ?, ?) ON CONFLICT (collection, idx, grp) DO UPDATE SET n = n + excluded.n',
    ),
    dropEmptyGroup: db.prepare<[string, string, string]>('DELETE FROM read_model_group_counts WHERE collection = ? AND idx = ? AND grp = ? AND n = 0'),
    deleteGroupCounts: db.prepare<[string, string]>('DELETE FROM read_model_group_counts WHERE collection = ? AND idx = ?'),
    deleteCollectionGroupCounts: db.prepare<[string]>('DELETE FROM read_model_group_counts WHERE collection = ?'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

function loadCounted(statements: Statements): Map<string, Map<string, CountedGroups>> {
  const counted = new Map<string, Map<string, CountedGroups>>();
  for (const { collection, idx, separator, fields } of statements.counted.all()) {
    let byIndex = counted.get(collection);
    if (byIndex === undefined) counted.set(collection, (byIndex = new Map()));
    byIndex.set(idx, { separator, fields });
  }
  return counted;
}

function reload<K, V>(target: Map<K, V>, source: Map<K, V>): void {
  target.clear();
  for (const [key, value] of source) target.set(key, value);
}

/**
 * The row a value is counted in: its group, or the value itself when it has fewer fields than a group (so every entry
 * is counted somewhere, and a group row is always a prefix of the values it counts).
 */
const countedUnder = (value: string, counting: CountedGroups): string => groupOf(value, counting) ?? value;

/**
 * Whether the values starting with `prefix` are exactly those counted in rows starting with it: true when the prefix
 * ends before or at the end of a group (it holds fewer than `fields` separators, or exactly that many and ends with the
 * last). Then a value starts with the prefix if and only if its row does, and the range's count is a sum of rows —
 * one row for a board lane, the j0 and j1 rows for a scorecard column `…|j`.
 */
const coversWholeGroups = (prefix: string, counting: CountedGroups): boolean => {
  const group = groupOf(prefix, counting);
  return group === null || group === prefix;
};

/** one commit's changes to group counts, written once per group at its end (a rebuild's commit moves thousands) */
class GroupTally {
  private readonly deltas = new Map<string, { collection: string; index: string; group: string; delta: number }>();

  add(collection: string, index: string, group: string, delta: number): void {
    const key = `${collection}\u0000${index}\u0000${group}`;
    const known = this.deltas.get(key);
    if (known === undefined) this.deltas.set(key, { collection, index, group, delta });
    else known.delta += delta;
  }

  apply(statements: Statements): void {
    for (const { collection, index, group, delta } of this.deltas.values()) {
      if (delta === 0) continue;
      statements.addToGroup.run(collection, index, group, delta);
      if (delta < 0) statements.dropEmptyGroup.run(collection, index, group);
    }
  }
}

/**
 * Range reads and counts over read_model_entries, one prepared statement per shape of query (which bounds, a cursor
 * or not, the direction). The cursor is a row-value comparison, which SQLite answers from the primary key's B-tree:
 * a page costs its own length whatever page it is.
 */
function rangeStatements(db: SqliteDatabase) {
  const reads = new Map<string, ReturnType<typeof db.prepare<unknown[], IndexEntry>>>();
  const counts = new Map<string, ReturnType<typeof db.prepare<unknown[], number>>>();
  const where = (bounds: IndexBounds): string =>
    'collection = ? AND idx = ?' + (bounds.from !== undefined ? ' AND value >= ?' : '') + (bounds.to !== undefined ? ' AND value <= ?' : '');
  const boundParams = (bounds: IndexBounds): string[] => [
    ...(bounds.from !== undefined ? [bounds.from] : []),
    ...(bounds.to !== undefined ? [bounds.to] : []),
  ];
  return {
    /** up to limit + 1 entries, so the caller knows whether more follow */
    read(collection: string, index: string, query: RangeQuery): IndexEntry[] {
      const after = query.after ?? null;
      const reverse = query.reverse === true;
      const shape = `${query.from !== undefined}${query.to !== undefined}${after !== null}${reverse}`;
      let statement = reads.get(shape);
      if (statement === undefined) {
        const cursor = after === null ? '' : reverse ? ' AND (value, id) < (?, ?)' : ' AND (value, id) > (?, ?)';
        const order = reverse ? 'value DESC, id DESC' : 'value, id';
        statement = db.prepare<unknown[], IndexEntry>(`SELECT value, id FROM read_model_entries WHERE ${where(query)}${cursor} ORDER BY ${order} LIMIT ?`);
        reads.set(shape, statement);
      }
      const cursorParams = after === null ? [] : [after.value, after.id];
      return statement.all(collection, index, ...boundParams(query), ...cursorParams, query.limit + 1);
    },
    count(collection: string, index: string, bounds: IndexBounds): number {
      const shape = `${bounds.from !== undefined}${bounds.to !== undefined}`;
      let statement = counts.get(shape);
      if (statement === undefined) {
        statement = db.prepare<unknown[], number>(`SELECT count(*) FROM read_model_entries WHERE ${where(bounds)}`).pluck();
        counts.set(shape, statement);
      }
      return statement.get(collection, index, ...boundParams(bounds)) ?? 0;
    },
  };
}

/**
 * Freezes a document and everything in it. An object that is already frozen is taken to be deep-frozen: a document
 * that shares unchanged parts with its previous version (the usual result of a spread in evolve) is walked only where
 * it changed.
 */
function freeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (const item of value) freeze(item);
  } else {
    for (const key of Object.keys(value)) freeze((value as Record<string, unknown>)[key]);
  }
}

/** the read model file, migrated and locked for this process */
export function openDatabase(path: string): SqliteDatabase {
  const db = openDurableDatabase(path);
  try {
    db.pragma('synchronous = NORMAL');
    db.pragma('locking_mode = EXCLUSIVE');
    // SQLite's default (1,000 pages, ~4 MB): the checkpoint runs inside the commit that crosses the limit, on the
    // event loop. At 10,000 pages every tenth live commit or so copied ~40 MB and took 100–140 ms, which was the
    // /healthz p99 during an HTTP ingest (105–126 ms on the quick workload; 43–50 ms with this, rebuild unchanged).
    db.pragma('wal_autocheckpoint = 1000');
    // documents are read by key from a cache of their own; SQLite's page cache holds the B-trees' inner pages
    db.pragma('cache_size = -65536');
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
