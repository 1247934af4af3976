/**
 * The embedded ReadModelStore: SQLite tables with real indexes (readModelFile.ts). Documents sit in a table keyed by
 * (collection, id), index entries in a table whose primary key is (collection, index, value, id) — so findIds,
 * findRange (keyset pages in either direction) and countRange are B-tree range reads — and each commit writes
 * documents, entries and the projection's checkpoint in one transaction (readModelWrites.ts), so a crash can never leave
 * documents ahead of or behind their checkpoint.
 *
 * Reads run on the caller's event loop (better-sqlite3 is synchronous; a read is a primary-key or range lookup).
 * Commits of a file on disk run in a writer thread of their own (readModelWriterWorker.ts): a commit's inserts, its
 * COMMIT and SQLite's WAL checkpoints were 45 % of the event loop during an HTTP ingest (issue 14). Here a commit only
 * serialises its documents; it resolves once the writer has committed, so a read after it sees what it wrote. A
 * ':memory:' store has one connection and commits on the caller's loop.
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
 * One process owns the file (readModelFile.ts lockReadModelFile): the cache of another would serve documents it did
 * not commit.
 */
import { LRUCache } from 'lru-cache';
import type { SqliteDatabase } from '../eventStore/sqliteDatabase.js';
import { groupBounds, groupOf, type CountedGroups, type DocumentWrite, type IndexBounds, type IndexEntry, type RangeQuery, type ReadModelStore } from '../../ports/readModelStore.js';
import { reviveError, startWriterThread, type WriterThread } from '../sqlite/writerThread.js';
import { workerEntry } from '../workerEntry.js';
import { checkRangeQuery } from './indexOrder.js';
import { lockReadModelFile, openReaderDatabase, openWriterDatabase } from './readModelFile.js';
import { countedMap, loadCounted, readModelWrites, reload, type CommitAnswer, type StoredWrite } from './readModelWrites.js';
import type { ReadModelWriteRequest } from './readModelWriterWorker.js';

const WORKER_ENTRY = workerEntry(import.meta.url, 'readModelWriterWorker');

export interface EmbeddedReadModelStoreOptions {
  /** a SQLite file of its own (the platform passes `<dataDir>/readmodels.db`), or ':memory:' */
  path: string;
  /**
   * How much parsed-document cache to keep, in characters of the documents' JSON (a parsed document takes roughly two
   * to three times its JSON in heap). Default 32 Mi characters. `liandong replay`, which reads each document once,
   * passes a small one.
   */
  cacheChars?: number;
  /**
   * Whether a commit's documents go into the cache once written (default true: what was just written is what GraphQL
   * reads next). A rebuild's target passes false: nobody reads it but the rebuild, which asks for a committed document
   * again only when a later event touches it. The documents' JSON is then dropped as soon as the writer has it, rather
   * than held until the writer answers and then kept — which, rebuilding 200,000 events, raised the peak RSS by about
   * 0.2 GiB and gave the collector long-lived strings to copy.
   */
  cacheCommitted?: boolean;
}

const DEFAULT_CACHE_CHARS = 32 * 1024 * 1024;

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
  /** the document's JSON length: its weight in the cache */
  readonly size: number;
}

interface DocumentRow {
  id: string;
  doc: string;
}

/** ids per IN (…) query of getMany: below SQLite's default limit of bound parameters */
const IDS_PER_QUERY = 500;

const cacheKey = (collection: string, id: string): string => `${collection}\u0000${id}`;

const inMemory = (path: string): boolean => path === ':memory:' || path === '';

/** where a commit goes: the writer thread (a file) or this thread's own connection (':memory:') */
interface Writer {
  commit(projection: string, position: bigint, writes: StoredWrite[]): Promise<CommitAnswer>;
  reset(projections: readonly string[], collections: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export function openEmbeddedReadModelStore(options: EmbeddedReadModelStoreOptions): ReadModelStore {
  const { db, writer, snapshot } = inMemory(options.path) ? inThisThread() : inWriterThread(options.path);
  const statements = readStatements(db);
  const ranges = rangeStatements(db);
  const cache = new LRUCache<string, CachedDocument>({
    maxSize: Math.max(1, options.cacheChars ?? DEFAULT_CACHE_CHARS),
    sizeCalculation: (entry) => Math.max(1, entry.size),
  });
  const cacheCommitted = options.cacheCommitted ?? true;
  let closed = false;
  /** collection → index → how its entries are counted (read_model_counted), for the indexes that are */
  const counted = loadCounted(db);
  const countingOf = (collection: string, index: string): CountedGroups | undefined => counted.get(collection)?.get(index);

  const parse = (row: DocumentRow, collection: string): CachedDocument => {
    const doc: unknown = JSON.parse(row.doc);
    freeze(doc);
    const cached: CachedDocument = { doc, json: null, size: row.doc.length };
    cache.set(cacheKey(collection, row.id), cached);
    return cached;
  };

  /** the cached document, parsed on its first read after a commit */
  const docOf = (collection: string, id: string, cached: CachedDocument): unknown => {
    if (cached.json === null) return cached.doc;
    const doc: unknown = JSON.parse(cached.json);
    freeze(doc);
    cache.set(cacheKey(collection, id), { doc, json: null, size: cached.size });
    return doc;
  };

  const assertOpen = (): void => {
    if (closed) throw new Error('read model store is closed');
  };
  /** before a read: the store is open, and this turn's reads share one snapshot */
  const reading = (): void => {
    assertOpen();
    snapshot?.begin();
  };

  return {
    // reads run synchronously on the caller's event loop, and so does a commit's serialisation (all of a ':memory:'
    // commit): the runner bounds each piece of live work by time
    holdsEventLoop: true,

    async get<T>(collection: string, id: string): Promise<T | null> {
      reading();
      const cached = cache.get(cacheKey(collection, id));
      if (cached !== undefined) return docOf(collection, id, cached) as T;
      const row = statements.get.get(collection, id);
      return row === undefined ? null : (parse(row, collection).doc as T);
    },

    async getMany<T>(collection: string, ids: readonly string[]): Promise<(T | null)[]> {
      reading();
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
      reading();
      return statements.idsOf.all(collection, index, value);
    },

    async findRange(collection, index, query) {
      reading();
      checkRangeQuery(query);
      const rows = ranges.read(collection, index, query);
      const more = rows.length > query.limit;
      const entries = more ? rows.slice(0, query.limit) : rows;
      const last = entries[entries.length - 1];
      return { entries, next: more && last !== undefined ? { value: last.value, id: last.id } : null };
    },

    async countRange(collection, index, bounds) {
      reading();
      const counting = countingOf(collection, index);
      if (counting !== undefined && bounds?.from !== undefined && bounds.to === groupBounds(bounds.from).to && coversWholeGroups(bounds.from, counting)) {
        return statements.groupsCount.get(collection, index, bounds.from, bounds.to) ?? 0;
      }
      return ranges.count(collection, index, bounds ?? {});
    },

    async listIds(collection) {
      reading();
      return statements.ids.all(collection);
    },

    async commit(projection, position, writes) {
      assertOpen();
      let stored: StoredWrite[] | null = writes.map(storedWrite);
      // while the writer commits, these documents are read from the file, in the same snapshot as the index entries
      // (a cached version could be older than entries the writer has already committed)
      for (const { collection, id } of stored) cache.delete(cacheKey(collection, id));
      let answer: CommitAnswer;
      try {
        const committing = writer.commit(projection, position, stored);
        // the writer has them now (posted to its thread, or written by this thread's connection): past here the JSON
        // only fills the cache
        if (!cacheCommitted) stored = null;
        answer = await committing;
      } catch (error) {
        snapshot?.end();
        // a failed commit may have declared counted indexes before it was undone
        reload(counted, loadCounted(db));
        throw error;
      }
      // reads after this commit see it: the snapshot this turn's reads shared (if any) ends here
      snapshot?.end();
      if (answer.counted !== null) reload(counted, countedMap(answer.counted));
      // the file first, the cache after: after a commit that failed, the documents are read from the file again
      for (const { collection, id, json } of stored ?? []) {
        if (json === null) cache.delete(cacheKey(collection, id));
        else cache.set(cacheKey(collection, id), { doc: undefined, json, size: json.length });
      }
    },

    async checkpoint(projection) {
      reading();
      return statements.checkpoint.get(projection) ?? null;
    },

    async reset(projections, collections) {
      assertOpen();
      await writer.reset(projections, collections);
      snapshot?.end();
      const dropped = new Set(collections);
      for (const key of [...cache.keys()]) if (dropped.has(key.slice(0, key.indexOf('\u0000')))) cache.delete(key);
    },

    async close() {
      if (closed) return;
      closed = true;
      cache.clear();
      snapshot?.end();
      await writer.close();
    },
  };
}

/**
 * A write as it goes to the writer: its document serialised here, so the caller keeps (and may change) its objects and
 * a thread receives a string rather than a cloned object. Range-only indexes are a Redis matter (DocumentWrite).
 */
function storedWrite({ collection, id, doc, indexes, countedGroups }: DocumentWrite): StoredWrite {
  let json: string | null = null;
  if (doc !== null) {
    json = JSON.stringify(doc) ?? null;
    if (json === null) throw new TypeError(`document ${collection}/${id} is not JSON-serialisable`);
  }
  return { collection, id, json, ...(indexes !== undefined ? { indexes } : {}), ...(countedGroups !== undefined ? { countedGroups } : {}) };
}

interface Connections {
  /** the connection reads go through */
  db: SqliteDatabase;
  writer: Writer;
  /** a reader beside a writer: the read transaction this turn's reads share */
  snapshot: ReadSnapshot | null;
}

/**
 * The reads of one turn of the event loop share one read transaction, ended by the next turn (or by a commit's answer,
 * so a read after a commit sees it). Beside a writer each statement outside a transaction takes and releases WAL read
 * locks on the shared-memory file: 1.9 → 3.7 µs per countRange, which made a scorecard, a few hundred counts, about a
 * fifth slower. Holding one snapshot for a turn is what a single connection in exclusive mode did for free.
 */
interface ReadSnapshot {
  begin(): void;
  end(): void;
}

function readSnapshots(db: SqliteDatabase): ReadSnapshot {
  const beginStatement = db.prepare('BEGIN');
  const endStatement = db.prepare('COMMIT');
  let open = false;
  const end = (): void => {
    if (!open) return;
    open = false;
    // a read that failed badly enough (SQLITE_IOERR, SQLITE_NOMEM…) may have ended the transaction already
    if (db.inTransaction) endStatement.run();
  };
  return {
    begin() {
      if (open) return;
      beginStatement.run();
      open = true;
      setImmediate(end);
    },
    end,
  };
}

/** ':memory:': one connection, which reads and (synchronously) writes */
function inThisThread(): Connections {
  const db = openWriterDatabase(':memory:');
  const writes = readModelWrites(db);
  return {
    db,
    snapshot: null,
    writer: {
      commit: async (projection, position, stored) => writes.commit(projection, position, stored),
      reset: async (projections, collections) => writes.reset(projections, collections),
      close: async () => void db.close(),
    },
  };
}

/**
 * A file: this process takes the file's lock, migrates it, and reads through a connection of its own; a writer thread
 * (started by the first commit) holds the connection that writes.
 */
function inWriterThread(path: string): Connections {
  const lock = lockReadModelFile(path);
  let db: SqliteDatabase;
  try {
    openWriterDatabase(path).close(); // the schema, before the first read
    db = openReaderDatabase(path);
  } catch (error) {
    lock.release();
    throw error;
  }
  const thread: WriterThread<ReadModelWriteRequest, CommitAnswer | null> = startWriterThread({ entry: WORKER_ENTRY, workerData: { path }, what: '读模型', revive: reviveError });
  return {
    db,
    snapshot: readSnapshots(db),
    writer: {
      commit: async (projection, position, writes) => (await thread.ask({ kind: 'commit', projection, position, writes }))!,
      reset: async (projections, collections) => void (await thread.ask({ kind: 'reset', projections: [...projections], collections: [...collections] })),
      async close() {
        try {
          await thread.close();
        } finally {
          db.close();
          lock.release();
        }
      },
    },
  };
}

function readStatements(db: SqliteDatabase) {
  const getManyStatements = new Map<number, ReturnType<typeof db.prepare<string[], DocumentRow>>>();
  return {
    get: db.prepare<[string, string], DocumentRow>('SELECT id, doc FROM read_model_documents WHERE collection = ? AND id = ?'),
    getMany(count: number) {
      let statement = getManyStatements.get(count);
      if (statement === undefined) {
        statement = db.prepare<string[], DocumentRow>(`SELECT id, doc FROM read_model_documents WHERE collection = ? AND id IN (${new Array(count).fill('?').join(',')})`);
        getManyStatements.set(count, statement);
      }
      return statement;
    },
    ids: db.prepare<[string], string>('SELECT id FROM read_model_documents WHERE collection = ? ORDER BY id').pluck(),
    idsOf: db.prepare<[string, string, string], string>('SELECT id FROM read_model_entries WHERE collection = ? AND idx = ? AND value = ? ORDER BY id').pluck(),
    checkpoint: db.prepare<[string], bigint>('SELECT position FROM read_model_checkpoints WHERE projection = ?').pluck().safeIntegers(),
    groupsCount: db.prepare<[string, string, string, string], number>(
      'SELECT coalesce(sum(n), 0) FROM read_model_group_counts WHERE collection = ? AND idx = ? AND grp >= ? AND grp <= ?',
    ).pluck(),
  };
}

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
