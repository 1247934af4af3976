/**
 * The ReadModelStore port: JSON documents per collection, secondary indexes, and per-projection
 * checkpoints written atomically with the documents they cover (so a crash never applies an event
 * twice or skips one). Embedded (SQLite) and Redis adapters run the same contract suite.
 */

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
}

export interface ReadModelStore {
  get<T>(collection: string, id: string): Promise<T | null>;
  /** same order as ids; null where missing */
  getMany<T>(collection: string, ids: readonly string[]): Promise<(T | null)[]>;
  /** ids of documents found under index `index` = `value`, ascending by id */
  findIds(collection: string, index: string, value: string): Promise<string[]>;
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
}
