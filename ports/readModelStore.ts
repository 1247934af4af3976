/**
 * The ReadModelStore port: JSON documents per collection, secondary indexes, and per-projection
 * checkpoints written atomically with the documents they cover (so a crash never applies an event
 * twice or skips one). Embedded (SQLite) and Redis adapters run the same contract suite.
 *
 * Every index is ordered: besides "which ids are filed under this value" (findIds) it answers range
 * reads over its (value, id) entries (findRange, countRange). Values and ids are compared by Unicode
 * code point, which is the byte order of their UTF-8 form (what Redis sorts by) and, for text without
 * characters beyond U+FFFF, the same as JavaScript's `<`. Any string is allowed, separators included.
 *
 * A value is an opaque string, so a caller that wants an order over several fields encodes a sortable
 * key: fields that sort as text (ISO dates, zero-padded numbers), joined by a separator that never occurs
 * inside a field, so every value of one leading field forms one contiguous range.
 * E.g. the running clocks filed under `<owner agency>|<due date>` (`ly-justice|2026-12-03`):
 *   - overdue for ly-justice on 2026-12-04:   { from: 'ly-justice|', to: 'ly-justice|2026-12-03' }
 *   - due within three days:                  { from: 'ly-justice|2026-12-04', to: 'ly-justice|2026-12-07' }
 *   - everything of ly-justice (a prefix):    { from: 'ly-justice|', to: 'ly-justice|\u{10ffff}' }
 *     (`to` bounds the whole value, so a prefix read ends at the prefix followed by the highest code point;
 *     the separator must not occur inside the field before it, or `ly|x` would fall into the range of `ly`.)
 */

/** one entry of an index: the document `id` is filed under `value` */
export interface IndexEntry {
  value: string;
  id: string;
}

/** which entries of an index a range read covers; both bounds apply to the value and are inclusive */
export interface IndexBounds {
  /** the lowest value included (absent: from the first entry) */
  from?: string;
  /** the highest value included (absent: to the last entry) */
  to?: string;
}

export interface RangeQuery extends IndexBounds {
  /**
   * Keyset pagination: start strictly after this entry, in the direction read — pass the `next` of the
   * previous page. Stable under concurrent commits: an entry present for the whole walk is seen exactly once.
   */
  after?: IndexEntry | null;
  /** entries per page, a positive integer */
  limit: number;
  /** descending by (value, id) instead of ascending */
  reverse?: boolean;
}

export interface RangePage {
  /** ordered by (value, id), ascending or (reverse) descending */
  entries: IndexEntry[];
  /** the cursor for the next page (the last entry of this one) when more entries follow; null when the range is exhausted */
  next: IndexEntry | null;
}

export interface DocumentWrite {
  collection: string;
  id: string;
  /** null deletes the document and its index entries */
  doc: unknown | null;
  /**
   * index name → values this document is found under (e.g. { toAgency: ['ly-justice'] }).
   * Replaces the document's previous entries for every index it names.
   */
  indexes?: Record<string, readonly string[]>;
  /**
   * Range-only indexes of the collection: read with findRange / countRange only, so the store keeps just their
   * ordered entries (Redis: no set key per value — an index whose every value is unique, like the handoff board's,
   * would otherwise cost a key per entry). findIds on one still answers, as the one-value range [value, value],
   * at a range read's cost. The kind belongs to the index, not to the write: every write to the collection
   * (deletes included) names the same list — a projection declares it once (Projection.rangeIndexes) and the
   * runner passes it on — and changing it needs a reset of the collection (a rebuild: rename the projection).
   */
  rangeIndexes?: readonly string[];
  /**
   * Indexes whose entries are counted per group (see CountedGroups): countRange over exactly one group is then
   * answered without walking the group, however large. A declaration like rangeIndexes — every write to the
   * collection names the same one (Projection.countedGroups) — but changing it needs no reset: a store that keeps
   * group counts counts the entries it already holds when it first meets the declaration. A store whose range
   * count is already logarithmic (Redis ZLEXCOUNT) may ignore it.
   */
  countedGroups?: Readonly<Record<string, CountedGroups>>;
}

/**
 * How an index's entries are grouped for counting: the group of a value is its first `fields` fields, each ended by
 * `separator` (`*|ECOMPLETED|` for the board's value `*|ECOMPLETED|2026-12-03|…` with `|` and 2); a value with fewer
 * separators counts on its own. A store that keeps the counts answers from them every prefix range
 * { from: p, to: p + U+10FFFF } whose prefix ends at or before the end of a group — a whole group (`groupBounds`), or
 * several (`<agency>|<quarter>|j` with 3 fields: the groups `…|j0|` and `…|j1|`).
 */
export interface CountedGroups {
  separator: string;
  fields: number;
}

/** the group a value is counted in, or null when it has fewer than `fields` separators */
export function groupOf(value: string, counted: CountedGroups): string | null {
  let end = -counted.separator.length;
  for (let field = 0; field < counted.fields; field++) {
    end = value.indexOf(counted.separator, end + counted.separator.length);
    if (end === -1) return null;
  }
  return value.slice(0, end + counted.separator.length);
}

/** every value of the group: the range countRange answers from its count */
export const groupBounds = (group: string): Required<IndexBounds> => ({ from: group, to: `${group}\u{10ffff}` });

export interface ReadModelStore {
  get<T>(collection: string, id: string): Promise<T | null>;
  /** same order as ids; null where missing */
  getMany<T>(collection: string, ids: readonly string[]): Promise<(T | null)[]>;
  /** ids of documents found under index `index` = `value`, ascending by id (on a range-only index: a range read) */
  findIds(collection: string, index: string, value: string): Promise<string[]>;
  /**
   * A page of the index's entries within `query`'s bounds, in (value, id) order. A document listed under
   * several values of the index appears once per value. The entries are the caller's to keep or change.
   */
  findRange(collection: string, index: string, query: RangeQuery): Promise<RangePage>;
  /**
   * How many entries of the index lie within the bounds (a document once per value it is filed under). Over a prefix
   * range of whole groups of a counted index (DocumentWrite.countedGroups) it costs the same whatever their size;
   * other ranges may cost their length (the embedded store walks them).
   */
  countRange(collection: string, index: string, bounds?: IndexBounds): Promise<number>;
  /** every id in a collection, ascending */
  listIds(collection: string): Promise<string[]>;
  /** apply writes and move the projection's checkpoint to `position` in one atomic step */
  commit(projection: string, position: bigint, writes: readonly DocumentWrite[]): Promise<void>;
  /** last position applied by the projection, null if never run */
  checkpoint(projection: string): Promise<bigint | null>;
  /** drop every document of these collections and the projection checkpoints (rebuilds) */
  reset(projections: readonly string[], collections: readonly string[]): Promise<void>;
  close(): Promise<void>;
  /**
   * How many documents a rebuild into this store should hold in memory before committing them, when the
   * runner is not told (projections/runner.ts `rebuildBufferDocuments`). Unset: the runner's default. A store
   * that serialises a whole commit before sending it (Redis) asks for less, to bound a commit's size.
   */
  readonly rebuildBufferDocuments?: number;
  /**
   * True when reads run synchronously in the caller's thread, and a commit's preparation (the embedded store: its
   * documents serialised, and all of a ':memory:' commit): the runner then bounds each piece of live work by time, up
   * to the moment its commit is handed over (projections/runner.ts `pieceBudgetMs`). A store that waits on a server
   * does not hold the event loop while it waits, and timing its pieces would measure the network, not the loop.
   */
  readonly holdsEventLoop?: boolean;
}

/** what a store that adds to another's writes may replace; everything else passes through to the store it wraps */
export type ReadModelStoreOverrides = Partial<Pick<ReadModelStore, 'commit' | 'reset' | 'close'>>;

/**
 * A store that adds to another's writes (publishing what changed, feeding a search index): every read, the
 * checkpoint, close and the store's hints pass through to `inner`, and `own` replaces what the wrapper changes.
 * The hints are passed on here, once, because a wrapper that forgot one would change the runner silently (without
 * `holdsEventLoop` the embedded store's live work would run in whole slices again).
 */
export function wrapReadModelStore(inner: ReadModelStore, own: ReadModelStoreOverrides): ReadModelStore {
  return {
    get: (collection, id) => inner.get(collection, id),
    getMany: (collection, ids) => inner.getMany(collection, ids),
    findIds: (collection, index, value) => inner.findIds(collection, index, value),
    findRange: (collection, index, query) => inner.findRange(collection, index, query),
    countRange: (collection, index, bounds) => inner.countRange(collection, index, bounds),
    listIds: (collection) => inner.listIds(collection),
    checkpoint: (projection) => inner.checkpoint(projection),
    commit: (projection, position, writes) => inner.commit(projection, position, writes),
    reset: (projections, collections) => inner.reset(projections, collections),
    close: () => inner.close(),
    ...(inner.rebuildBufferDocuments === undefined ? {} : { rebuildBufferDocuments: inner.rebuildBufferDocuments }),
    ...(inner.holdsEventLoop === undefined ? {} : { holdsEventLoop: inner.holdsEventLoop }),
    ...own,
  };
}
