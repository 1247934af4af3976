/**
 * The write side of the embedded read models (readModelFile.ts): a commit's documents, their index entries, the
 * counted groups and the projection's checkpoint in one transaction, so a crash can never leave documents ahead of or
 * behind their checkpoint; and the reset of a rebuild. For a file on disk this runs in the writer's thread
 * (readModelWriterWorker.ts), so the inserts, the commits and the WAL checkpoints hold no event loop; for ':memory:'
 * it runs on the caller's connection.
 *
 * Documents arrive as JSON, serialised by the store on the caller's side: the caller keeps its objects (and may change
 * them), and a string crosses to a thread as a copy of its characters, where an object would be cloned field by field.
 */
import { LRUCache } from 'lru-cache';
import type { SqliteDatabase } from '../eventStore/sqliteDatabase.js';
import { groupOf, type CountedGroups } from '../../ports/readModelStore.js';

export type IndexValues = Readonly<Record<string, readonly string[]>>;

/** a document as the writer receives it */
export interface StoredWrite {
  collection: string;
  id: string;
  /** the document's JSON; null deletes the document and its entries */
  json: string | null;
  /** index name → values; replaces the entries of every index it names (DocumentWrite.indexes) */
  indexes?: Readonly<Record<string, readonly string[]>>;
  countedGroups?: Readonly<Record<string, CountedGroups>>;
}

/** how the entries of each counted index are counted: [collection, index, separator, fields] */
export type CountedDeclarations = [collection: string, index: string, separator: string, fields: number][];

export interface CommitAnswer {
  /** every counted index after the commit, when the commit declared a new one (else null: as before) */
  counted: CountedDeclarations | null;
}

export interface ReadModelWrites {
  commit(projection: string, position: bigint, writes: readonly StoredWrite[]): CommitAnswer;
  reset(projections: readonly string[], collections: readonly string[]): void;
}

/** a document's index entries as stored, kept by the writer for the next write of the same document */
interface StoredIndexes {
  readonly indexes: IndexValues | null;
  readonly indexesJson: string | null;
}

/** how many documents' entries the writer keeps in memory (a few hundred bytes each) */
const KEPT_INDEXES = 10_000;

const cacheKey = (collection: string, id: string): string => `${collection}\u0000${id}`;

export function readModelWrites(db: SqliteDatabase): ReadModelWrites {
  const statements = writeStatements(db);
  const counted = loadCounted(db);
  const countingOf = (collection: string, index: string): CountedGroups | undefined => counted.get(collection)?.get(index);
  // a write compares a document's new entries with its stored ones and touches only those that changed
  const kept = new LRUCache<string, StoredIndexes>({ max: KEPT_INDEXES });

  const storedIndexes = (collection: string, id: string): StoredIndexes | null => {
    const known = kept.get(cacheKey(collection, id));
    if (known !== undefined) return known;
    const row = statements.indexesOf.get(collection, id);
    if (row === undefined) return null;
    return { indexes: row.indexes === null ? null : (JSON.parse(row.indexes) as IndexValues), indexesJson: row.indexes };
  };

  const moveEntries = (collection: string, id: string, before: IndexValues | null, after: IndexValues | null, tally: GroupTally): void => {
    if (before === after) return;
    if (before !== null) {
      for (const index of Object.keys(before)) {
        const stays = after?.[index];
        const counting = countingOf(collection, index);
        for (const value of before[index]!) {
          if (stays?.includes(value)) continue;
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
   * Returns whether it was new.
   */
  const declare = (collection: string, index: string, counting: CountedGroups): boolean => {
    const known = countingOf(collection, index);
    if (known !== undefined && known.separator === counting.separator && known.fields === counting.fields) return false;
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
    return true;
  };

  const persist = db.transaction((projection: string, position: bigint, writes: readonly StoredWrite[]) => {
    /** collection/id → the entries after this commit (null: deleted); later writes of one id see earlier ones */
    const written = new Map<string, StoredIndexes | null>();
    const tally = new GroupTally();
    let declared = false;
    for (const { collection, id, json, indexes, countedGroups } of writes) {
      if (countedGroups !== undefined) for (const index of Object.keys(countedGroups)) declared = declare(collection, index, countedGroups[index]!) || declared;
      const key = cacheKey(collection, id);
      const previous = written.has(key) ? (written.get(key) ?? null) : storedIndexes(collection, id);
      if (json === null) {
        moveEntries(collection, id, previous?.indexes ?? null, null, tally);
        statements.deleteDocument.run(collection, id);
        written.set(key, null);
        continue;
      }
      const merged = mergeIndexes(previous?.indexes ?? null, indexes);
      const indexesJson = merged === (previous?.indexes ?? null) ? (previous?.indexesJson ?? null) : JSON.stringify(merged);
      moveEntries(collection, id, previous?.indexes ?? null, merged, tally);
      statements.upsertDocument.run(collection, id, json, indexesJson);
      written.set(key, { indexes: merged, indexesJson });
    }
    tally.apply(statements);
    statements.upsertCheckpoint.run(projection, position);
    return { written, declared };
  });

  const drop = db.transaction((projections: readonly string[], collections: readonly string[]): void => {
    for (const collection of collections) {
      statements.deleteCollection.run(collection);
      statements.deleteCollectionEntries.run(collection);
      // counted indexes stay counted (every count now 0): the next write declares the same anyway
      statements.deleteCollectionGroupCounts.run(collection);
    }
    for (const projection of projections) statements.deleteCheckpoint.run(projection);
  });

  return {
    commit(projection, position, writes) {
      let outcome: { written: Map<string, StoredIndexes | null>; declared: boolean };
      try {
        outcome = persist(projection, position, writes);
      } catch (error) {
        // `counted` and the kept entries change inside the transaction (declare) or not at all (kept): a commit that
        // failed must not leave them claiming what the file does not hold
        reload(counted, loadCounted(db));
        throw error;
      }
      // the file first, memory after: anything that throws rolls the transaction back before `kept` has changed
      for (const [key, stored] of outcome.written) {
        if (stored === null) kept.delete(key);
        else kept.set(key, stored);
      }
      return { counted: outcome.declared ? countedDeclarations(counted) : null };
    },
    reset(projections, collections) {
      drop(projections, collections);
      const dropped = new Set(collections);
      for (const key of [...kept.keys()]) if (dropped.has(key.slice(0, key.indexOf('\u0000')))) kept.delete(key);
    },
  };
}

function writeStatements(db: SqliteDatabase) {
  return {
    indexesOf: db.prepare<[string, string], { indexes: string | null }>('SELECT indexes FROM read_model_documents WHERE collection = ? AND id = ?'),
    upsertDocument: db.prepare<[string, string, string, string | null]>(
      'INSERT INTO read_model_documents (collection, id, doc, indexes) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc, indexes = excluded.indexes',
    ),
    deleteDocument: db.prepare<[string, string]>('DELETE FROM read_model_documents WHERE collection = ? AND id = ?'),
    deleteCollection: db.prepare<[string]>('DELETE FROM read_model_documents WHERE collection = ?'),
    insertEntry: db.prepare<[string, string, string, string]>('INSERT OR IGNORE INTO read_model_entries (collection, idx, value, id) VALUES (?, ?, ?, ?)'),
    deleteEntry: db.prepare<[string, string, string, string]>('DELETE FROM read_model_entries WHERE collection = ? AND idx = ? AND value = ? AND id = ?'),
    deleteCollectionEntries: db.prepare<[string]>('DELETE FROM read_model_entries WHERE collection = ?'),
    upsertCheckpoint: db.prepare<[string, bigint]>(
      'INSERT INTO read_model_checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position',
    ),
    deleteCheckpoint: db.prepare<[string]>('DELETE FROM read_model_checkpoints WHERE projection = ?'),
    upsertCounted: db.prepare<[string, string, string, number]>(
      'INSERT INTO read_model_counted (collection, idx, separator, fields) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (collection, idx) DO UPDATE SET separator = excluded.separator, fields = excluded.fields',
    ),
    valuesOf: db.prepare<[string, string], string>('SELECT value FROM read_model_entries WHERE collection = ? AND idx = ?').pluck(),
    addToGroup: db.prepare<[string, string, string, number]>(
      'INSERT INTO read_model_group_counts (collection, idx, grp, n) VALUES (?, ?, ?, ?) ON CONFLICT (collection, idx, grp) DO UPDATE SET n = n + excluded.n',
    ),
    dropEmptyGroup: db.prepare<[string, string, string]>('DELETE FROM read_model_group_counts WHERE collection = ? AND idx = ? AND grp = ? AND n = 0'),
    deleteGroupCounts: db.prepare<[string, string]>('DELETE FROM read_model_group_counts WHERE collection = ? AND idx = ?'),
    deleteCollectionGroupCounts: db.prepare<[string]>('DELETE FROM read_model_group_counts WHERE collection = ?'),
  };
}

type WriteStatements = ReturnType<typeof writeStatements>;

/** collection → index → how its entries are counted (read_model_counted), as the file holds them */
export function loadCounted(db: SqliteDatabase): Map<string, Map<string, CountedGroups>> {
  return countedMap(db.prepare<[], { collection: string; idx: string; separator: string; fields: number }>('SELECT collection, idx, separator, fields FROM read_model_counted').all().map((r) => [r.collection, r.idx, r.separator, r.fields]));
}

export function countedMap(declarations: CountedDeclarations): Map<string, Map<string, CountedGroups>> {
  const counted = new Map<string, Map<string, CountedGroups>>();
  for (const [collection, index, separator, fields] of declarations) {
    let byIndex = counted.get(collection);
    if (byIndex === undefined) counted.set(collection, (byIndex = new Map()));
    byIndex.set(index, { separator, fields });
  }
  return counted;
}

function countedDeclarations(counted: Map<string, Map<string, CountedGroups>>): CountedDeclarations {
  return [...counted].flatMap(([collection, byIndex]) => [...byIndex].map(([index, c]): CountedDeclarations[number] => [collection, index, c.separator, c.fields]));
}

export function reload<K, V>(target: Map<K, V>, source: Map<K, V>): void {
  target.clear();
  for (const [key, value] of source) target.set(key, value);
}

/**
 * The row a value is counted in: its group, or the value itself when it has fewer fields than a group (so every entry
 * is counted somewhere, and a group row is always a prefix of the values it counts).
 */
const countedUnder = (value: string, counting: CountedGroups): string => groupOf(value, counting) ?? value;

/** one commit's changes to group counts, written once per group at its end (a rebuild's commit moves thousands) */
class GroupTally {
  private readonly deltas = new Map<string, { collection: string; index: string; group: string; delta: number }>();

  add(collection: string, index: string, group: string, delta: number): void {
    const key = `${collection}\u0000${index}\u0000${group}`;
    const known = this.deltas.get(key);
    if (known === undefined) this.deltas.set(key, { collection, index, group, delta });
    else known.delta += delta;
  }

  apply(statements: WriteStatements): void {
    for (const { collection, index, group, delta } of this.deltas.values()) {
      if (delta === 0) continue;
      statements.addToGroup.run(collection, index, group, delta);
      if (delta < 0) statements.dropEmptyGroup.run(collection, index, group);
    }
  }
}

/**
 * The document's entries after a write: every index the write names is replaced, the others kept.
 * Returns `previous` itself when nothing changes, so the caller can skip re-indexing and re-serialising.
 */
export function mergeIndexes(previous: IndexValues | null, named: StoredWrite['indexes']): IndexValues | null {
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
