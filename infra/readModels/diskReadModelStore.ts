/**
 * The embedded store's file (embeddedReadModelStore.ts: the same tables, migrations and lock) read and written
 * in place, with nothing kept in memory: every read is a query, every commit one transaction. For `liandong
 * replay`, which reads a whole live store once and rebuilds into a scratch one: the embedded store would load
 * every document and index entry of both into memory first (the 1.77 GB at 329k events of issue 14), this one
 * holds a page at a time, whatever the size of the store.
 *
 * Documents and ids are served by the primary key (collection, id), in id order by the BINARY collation — UTF-8
 * byte order, i.e. code point order, as the port asks. Index reads (findIds, findRange, countRange) scan the
 * collection's stored entries: correct, as the contract suite checks, but not what this store is for; replay
 * uses none of them.
 */
import type { DocumentWrite, ReadModelStore } from '../../ports/readModelStore.js';
import { mergeIndexes, openDatabase, type IndexValues } from './embeddedReadModelStore.js';
import { checkRangeQuery } from './indexOrder.js';
import { SortedEntries } from './sortedIds.js';

export interface DiskReadModelStoreOptions {
  /** the read model file (created if absent) */
  path: string;
}

/** ids per IN (…) query of getMany: below SQLite's default limit of bound parameters */
const IDS_PER_QUERY = 500;

export function openDiskReadModelStore(options: DiskReadModelStoreOptions): ReadModelStore {
  const db = openDatabase(options.path);
  const statements = {
    get: db.prepare<[string, string], { doc: string }>('SELECT doc FROM read_model_documents WHERE collection = ? AND id = ?'),
    indexesOf: db.prepare<[string, string], { indexes: string | null }>('SELECT indexes FROM read_model_documents WHERE collection = ? AND id = ?'),
    ids: db.prepare<[string], string>('SELECT id FROM read_model_documents WHERE collection = ? ORDER BY id').pluck(),
    entries: db.prepare<[string], { id: string; indexes: string }>('SELECT id, indexes FROM read_model_documents WHERE collection = ? AND indexes IS NOT NULL'),
    upsertDocument: db.prepare<[string, string, string, string | null]>(
      'INSERT INTO read_model_documents (collection, id, doc, indexes) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc, indexes = excluded.indexes',
    ),
    deleteDocument: db.prepare<[string, string]>('DELETE FROM read_model_documents WHERE collection = ? AND id = ?'),
    deleteCollection: db.prepare<[string]>('DELETE FROM read_model_documents WHERE collection = ?'),
    checkpoint: db.prepare<[string], bigint>('SELECT position FROM read_model_checkpoints WHERE projection = ?').pluck().safeIntegers(),
    upsertCheckpoint: db.prepare<[string, bigint]>(
      'INSERT INTO read_model_checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position',
    ),
    deleteCheckpoint: db.prepare<[string]>('DELETE FROM read_model_checkpoints WHERE projection = ?'),
  };
  const getManyStatements = new Map<number, ReturnType<typeof db.prepare<string[], { id: string; doc: string }>>>();
  const getManyOf = (count: number) => {
    let statement = getManyStatements.get(count);
    if (statement === undefined) {
      statement = db.prepare<string[], { id: string; doc: string }>(
        `SELECT id, doc FROM read_model_documents WHERE collection = ? AND id IN (${new Array(count).fill('?').join(',')})`,
      );
      getManyStatements.set(count, statement);
    }
    return statement;
  };
  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('read model store is closed');
  };

  /** one index of a collection, read from every document's stored entries */
  const indexOf = (collection: string, index: string): SortedEntries => {
    const entries = new SortedEntries();
    for (const row of statements.entries.iterate(collection)) {
      const values = (JSON.parse(row.indexes) as IndexValues)[index];
      if (values !== undefined) for (const value of values) entries.add(value, row.id);
    }
    return entries;
  };

  const persist = db.transaction((projection: string, position: bigint, writes: readonly DocumentWrite[]): void => {
    for (const { collection, id, doc, indexes } of writes) {
      if (doc === null) {
        statements.deleteDocument.run(collection, id);
        continue;
      }
      const stored = statements.indexesOf.get(collection, id)?.indexes ?? null;
      const previous = stored === null ? null : (JSON.parse(stored) as IndexValues);
      const merged = mergeIndexes(previous, indexes);
      const json = JSON.stringify(doc);
      if (json === undefined) throw new TypeError(`document ${collection}/${id} is not JSON-serialisable`);
      statements.upsertDocument.run(collection, id, json, merged === previous ? stored : JSON.stringify(merged));
    }
    statements.upsertCheckpoint.run(projection, position);
  });

  const drop = db.transaction((projections: readonly string[], collections: readonly string[]): void => {
    for (const collection of collections) statements.deleteCollection.run(collection);
    for (const projection of projections) statements.deleteCheckpoint.run(projection);
  });

  return {
    async get<T>(collection: string, id: string): Promise<T | null> {
      assertOpen();
      const row = statements.get.get(collection, id);
      return row === undefined ? null : (JSON.parse(row.doc) as T);
    },

    async getMany<T>(collection: string, ids: readonly string[]): Promise<(T | null)[]> {
      assertOpen();
      const found = new Map<string, string>();
      for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
        const chunk = [...new Set(ids.slice(start, start + IDS_PER_QUERY))];
        for (const row of getManyOf(chunk.length).all(collection, ...chunk)) found.set(row.id, row.doc);
      }
      return ids.map((id) => {
        const doc = found.get(id);
        return doc === undefined ? null : (JSON.parse(doc) as T);
      });
    },

    async findIds(collection, index, value) {
      assertOpen();
      return indexOf(collection, index).idsOf(value);
    },

    async findRange(collection, index, query) {
      assertOpen();
      checkRangeQuery(query);
      return indexOf(collection, index).range(query);
    },

    async countRange(collection, index, bounds) {
      assertOpen();
      return indexOf(collection, index).count(bounds);
    },

    async listIds(collection) {
      assertOpen();
      return statements.ids.all(collection);
    },

    async commit(projection, position, writes) {
      assertOpen();
      persist(projection, position, writes);
    },

    async checkpoint(projection) {
      assertOpen();
      return statements.checkpoint.get(projection) ?? null;
    },

    async reset(projections, collections) {
      assertOpen();
      drop(projections, collections);
    },

    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
