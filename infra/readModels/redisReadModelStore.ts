/**
 * The Redis ReadModelStore (distributed mode): documents, secondary indexes and projection checkpoints in
 * one Redis database under a per-deployment key prefix. Key layout: ./redisKeys.ts.
 *
 * Reads are single commands on a shared, auto-pipelined connection: `get` = HGET, `getMany` = HMGET on the
 * collection's document hash (one command per 1,000 ids), `findIds` / `listIds` = ZRANGE on a score-0 sorted
 * set, which Redis keeps in byte order — ascending ids without sorting. `findRange` = ZRANGEBYLEX (or
 * ZREVRANGEBYLEX) with LIMIT on the index's range set, whose members "<value>\0<id>" sort by (value, id);
 * `countRange` = ZLEXCOUNT on it. A range-only index (DocumentWrite.rangeIndexes) has only its range set: no set
 * per value and no registry member per value, just one registry member naming the index (so reset finds the range
 * set). `findIds` answers for it from the range set: when the value's set is empty (or absent), a ZRANGEBYLEX over
 * the one-value range [value, value] follows — which for an ordinary index is empty too, so no kind is needed to
 * read, and an ordinary index pays the second command only for a value nothing is filed under. Every read parses the stored JSON afresh, so a caller owns what it gets and
 * cannot change the store through it.
 *
 * A commit takes two round trips on a writer connection of its own:
 *   1. WATCH the projection's checkpoint and every key the commit will write, GET the checkpoint, TYPE the
 *      watched keys and HMGET the previous index entries of the documents whose entries may change;
 *   2. MULTI, the document, index and registry changes as variadic commands of at most 1,000 members, SET the
 *      checkpoint, EXEC.
 * Documents, index entries and the checkpoint therefore change together or not at all: Redis discards a
 * transaction whose connection drops before EXEC, and EXEC applies all of it at once.
 *
 * A stale owner's commit fails rather than corrupting, by two guards:
 *   - fencing check (before MULTI): the stored checkpoint must be the one this store instance last committed
 *     (or none after its own reset), and must be below the new position. An owner that lost its lease and
 *     wakes up after another process committed finds a checkpoint it did not write, and stops.
 *   - WATCH: a commit or reset by anyone else between step 1 and EXEC changes a watched key, EXEC answers
 *     nil and nothing is written.
 * Both throw CheckpointConflictError. Writer connections never reconnect or resend by themselves (a WATCH
 * lives on one connection, so a silent reconnect would send the MULTI unguarded); a dropped one is replaced.
 *
 * Redis does not roll back a transaction in which one command fails at run time (WRONGTYPE), so the keys a
 * commit writes are type-checked in step 1 and a foreign value under the prefix stops the commit before MULTI.
 */
import { Redis } from 'ioredis';
import type { DocumentWrite, IndexEntry, RangeQuery, ReadModelStore } from '../../ports/readModelStore.js';
import { checkRangeQuery, compareText } from './indexOrder.js';
import {
  escapeRangeValue,
  indexMember,
  isRangeIndexMember,
  parseRangeMember,
  rangeIndexMember,
  rangeMember,
  redisReadModelKeys,
  type RedisReadModelKeys,
} from './redisKeys.js';

export interface RedisReadModelStoreOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** every key starts with it; one per deployment, e.g. 'liandong:prod:'. Prefixes must not nest. */
  keyPrefix: string;
  /** shown by CLIENT LIST (default 'liandong-readmodels'; writers add ':writer') */
  connectionName?: string;
  /** writer connections open at most at once, i.e. concurrent commits (default 8) */
  maxWriters?: number;
  logger?: { error(message: string, fields?: Record<string, unknown>): void };
}

/** a commit found the checkpoint moved by another writer: this store is not (or no longer) the projection's owner */
export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';
  constructor(
    readonly projection: string,
    readonly position: bigint,
    message: string,
  ) {
    super(`read model commit of ${projection} at ${position} refused: ${message}`);
  }
}

/** members per variadic command (HMGET, HSET, ZADD, …) and keys per WATCH / UNLINK */
const CHUNK = 1000;
/**
 * A commit is serialised whole and sent as one MULTI (held by ioredis and then by Redis until EXEC), so a
 * rebuild commits at most this many documents at once — no more than a rebuild already sent per batch of
 * 10,000 events when it committed every batch. Measured on the full benchmark (10,000 cases of 33 handoffs,
 * ~40 KB each): the runner's default of 20,000 (one commit at the end) took the rebuild's peak RSS from 2.0
 * to 3.6 GB for no gain in speed; 2,000 kept it at 1.3 GB but was slower than committing every batch.
 */
const REBUILD_BUFFER_DOCUMENTS = 10_000;

type Entries = Record<string, readonly string[]>;

interface DocumentPlan {
  /** the document's JSON after the commit; null: deleted */
  json: string | null;
  /** a write deleted it: its entries start over from none */
  restarted: boolean;
  /** index → values named by the writes since the last delete; each replaces the index's entries */
  named: Map<string, readonly string[]>;
  /** the entries may change, so the previous ones are read */
  touchesEntries: boolean;
}

interface CollectionPlan {
  documents: Map<string, DocumentPlan>;
  /** the collection's range-only indexes, as the writes name them */
  rangeIndexes: Set<string>;
}

type Plan = Map<string, CollectionPlan>;

interface CollectionChanges {
  documentSets: string[];
  documentDeletes: string[];
  idAdds: string[];
  idDeletes: string[];
  entrySets: string[];
  entryDeletes: string[];
  /** index member ("<index>:<value>") → ids filed under it / taken out of it */
  indexAdds: Map<string, string[]>;
  indexRemovals: Map<string, string[]>;
  /** index → range members ("<value>\0<id>") added to / removed from its range set */
  rangeAdds: Map<string, string[]>;
  rangeRemovals: Map<string, string[]>;
  /** the collection's range-only indexes */
  rangeOnly: ReadonlySet<string>;
}

type RedisType = 'string' | 'hash' | 'zset' | 'set';

export async function openRedisReadModelStore(options: RedisReadModelStoreOptions): Promise<ReadModelStore> {
  const keys = redisReadModelKeys(options.keyPrefix);
  const name = options.connectionName ?? 'liandong-readmodels';
  const where = describe(options.url);
  const logError = (message: string) => (error: unknown) =>
    options.logger?.error(message, { redis: where, error: error instanceof Error ? error.message : String(error) });

  const reader = new Redis(options.url, {
    lazyConnect: true,
    connectionName: name,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 3,
  });
  reader.on('error', logError('read model store: Redis connection error'));
  try {
    await reader.connect();
  } catch (error) {
    reader.disconnect();
    throw new Error(`read model store: cannot reach Redis at ${where}`, { cause: error });
  }

  const writers = writerPool(options.url, `${name}:writer`, options.maxWriters ?? 8, logError('read model store: Redis writer error'));
  /** projection → the checkpoint this instance last committed (null: none, after its own reset) */
  const lastCommitted = new Map<string, bigint | null>();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new Error('read model store is closed');
  };
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    const done = (): void => void inFlight.delete(work);
    work.then(done, done);
    return work;
  };

  const commit = async (projection: string, position: bigint, writes: readonly DocumentWrite[]): Promise<void> => {
    const plan = planCommit(writes);
    const writer = await writers.acquire();
    let healthy = false;
    try {
      await commitOn(writer, keys, plan, projection, position, lastCommitted.get(projection));
      lastCommitted.set(projection, position);
      healthy = true;
    } catch (error) {
      healthy = error instanceof CheckpointConflictError || error instanceof WrongTypeError;
      throw error;
    } finally {
      writers.release(writer, healthy);
    }
  };

  const reset = async (projections: readonly string[], collections: readonly string[]): Promise<void> => {
    const writer = await writers.acquire();
    let healthy = false;
    try {
      await resetOn(writer, keys, projections, collections);
      for (const projection of projections) lastCommitted.set(projection, null);
      healthy = true;
    } finally {
      writers.release(writer, healthy);
    }
  };

  return {
    rebuildBufferDocuments: REBUILD_BUFFER_DOCUMENTS,

    async get<T>(collection: string, id: string): Promise<T | null> {
      assertOpen();
      const json = await reader.hget(keys.documents(collection), id);
      return json === null ? null : (JSON.parse(json) as T);
    },

    async getMany<T>(collection: string, ids: readonly string[]): Promise<(T | null)[]> {
      assertOpen();
      if (ids.length === 0) return [];
      const key = keys.documents(collection);
      const chunks = await Promise.all(chunked(ids, CHUNK).map((chunk) => reader.hmget(key, ...chunk)));
      return chunks.flat().map((json) => (json === null ? null : (JSON.parse(json) as T)));
    },

    async findIds(collection, index, value) {
      assertOpen();
      const ids = await reader.zrange(keys.index(collection, indexMember(index, value)), 0, '-1');
      if (ids.length > 0) return ids;
      // a range-only index has no set per value: the one-value range of its range set (empty for an ordinary index)
      const members = await reader.zrangebylex(keys.range(collection, index), `[${escapeRangeValue(value)}\0`, `(${escapeRangeValue(value)}\x01`);
      return members.map((member) => parseRangeMember(member).id);
    },

    async listIds(collection) {
      assertOpen();
      return reader.zrange(keys.ids(collection), 0, '-1');
    },

    async findRange(collection, index, query) {
      assertOpen();
      checkRangeQuery(query);
      const key = keys.range(collection, index);
      const { lowest, highest } = lexBounds(query);
      // one more than asked: whether a next page exists is known without a second read
      const members = query.reverse
        ? await reader.zrevrangebylex(key, highest, lowest, 'LIMIT', 0, query.limit + 1)
        : await reader.zrangebylex(key, lowest, highest, 'LIMIT', 0, query.limit + 1);
      const entries = members.map(parseRangeMember);
      if (entries.length <= query.limit) return { entries, next: null };
      entries.pop();
      const last = entries.at(-1)!;
      return { entries, next: { value: last.value, id: last.id } };
    },

    async countRange(collection, index, bounds) {
      assertOpen();
      const { lowest, highest } = lexBounds({ ...bounds, limit: 1 });
      return reader.zlexcount(keys.range(collection, index), lowest, highest);
    },

    async commit(projection, position, writes) {
      assertOpen();
      await track(commit(projection, position, writes));
    },

    async checkpoint(projection) {
      assertOpen();
      return parseCheckpoint(keys.checkpoint(projection), await reader.get(keys.checkpoint(projection)));
    },

    async reset(projections, collections) {
      assertOpen();
      await track(reset(projections, collections));
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...inFlight]);
      await Promise.all([writers.close(), quit(reader)]);
    },
  };
}

/** Collapses the writes per document, in order, and serialises the documents — before any I/O. */
function planCommit(writes: readonly DocumentWrite[]): Plan {
  const plan: Plan = new Map();
  for (const { collection, id, doc, indexes, rangeIndexes } of writes) {
    let collectionPlan = plan.get(collection);
    if (collectionPlan === undefined) plan.set(collection, (collectionPlan = { documents: new Map(), rangeIndexes: new Set() }));
    if (rangeIndexes !== undefined) for (const index of rangeIndexes) collectionPlan.rangeIndexes.add(index);
    const byId = collectionPlan.documents;
    let document = byId.get(id);
    if (document === undefined) byId.set(id, (document = { json: null, restarted: false, named: new Map(), touchesEntries: false }));
    if (doc === null) {
      document.json = null;
      document.restarted = true;
      document.named.clear();
      document.touchesEntries = true;
      continue;
    }
    const json = JSON.stringify(doc);
    if (typeof json !== 'string') throw new TypeError(`document ${collection}/${id} is not JSON-serialisable`);
    document.json = json;
    if (indexes === undefined) continue;
    for (const index of Object.keys(indexes)) {
      document.named.set(index, [...new Set(indexes[index])]);
      document.touchesEntries = true;
    }
  }
  return plan;
}

async function commitOn(
  writer: Redis,
  keys: RedisReadModelKeys,
  plan: Plan,
  projection: string,
  position: bigint,
  expected: bigint | null | undefined,
): Promise<void> {
  const checkpointKey = keys.checkpoint(projection);

  // 1. watch and read
  const typed = new Map<string, RedisType>([[checkpointKey, 'string']]);
  const reads: { collection: string; ids: string[] }[] = [];
  for (const [collection, { documents: byId, rangeIndexes }] of plan) {
    typed.set(keys.documents(collection), 'hash');
    typed.set(keys.ids(collection), 'zset');
    typed.set(keys.entries(collection), 'hash');
    typed.set(keys.indexRegistry(collection), 'set');
    const ids: string[] = [];
    for (const [id, document] of byId) {
      if (!document.touchesEntries) continue;
      ids.push(id);
      if (document.json === null) continue;
      for (const [index, values] of document.named) {
        if (values.length > 0) typed.set(keys.range(collection, index), 'zset');
        if (rangeIndexes.has(index)) continue;
        for (const value of values) typed.set(keys.index(collection, indexMember(index, value)), 'zset');
      }
    }
    for (const chunk of chunked(ids, CHUNK)) reads.push({ collection, ids: chunk });
  }
  const watched = [...typed.keys()];
  const round = writer.pipeline();
  for (const chunk of chunked(watched, CHUNK)) round.watch(...chunk);
  round.get(checkpointKey);
  for (const key of watched) round.type(key);
  for (const { collection, ids } of reads) round.hmget(keys.entries(collection), ...ids);
  let executed = false;
  try {
    const replies = unwrap(await round.exec());
    let at = Math.ceil(watched.length / CHUNK);
    const stored = parseCheckpoint(checkpointKey, replies[at++] as string | null);
    for (const key of watched) {
      const type = replies[at++] as string;
      if (type !== 'none' && type !== typed.get(key)) throw new WrongTypeError(key, type, typed.get(key)!);
    }
    const previous = new Map<string, Map<string, string | null>>();
    for (const { collection, ids } of reads) {
      let byId = previous.get(collection);
      if (byId === undefined) previous.set(collection, (byId = new Map()));
      const found = replies[at++] as (string | null)[];
      ids.forEach((id, index) => byId!.set(id, found[index] ?? null));
    }

    if (expected !== undefined && stored !== expected) {
      throw new CheckpointConflictError(
        projection,
        position,
        `the checkpoint is ${stored ?? 'unset'}, but this store last committed ${expected ?? 'none (after a reset)'}; another process is writing this projection`,
      );
    }
    if (stored !== null && position <= stored) {
      throw new CheckpointConflictError(projection, position, `the checkpoint is already at ${stored}; another process is writing this projection`);
    }

    // 2. one transaction
    const transaction = writer.multi();
    for (const [collection, { documents, rangeIndexes }] of plan) {
      queueCollection(transaction, keys, collection, collectionChanges(collection, documents, rangeIndexes, previous.get(collection)));
    }
    transaction.set(checkpointKey, position.toString());
    executed = true;
    const results = await transaction.exec();
    if (results === null) {
      throw new CheckpointConflictError(projection, position, 'another process changed the projection’s keys during the commit');
    }
    const failed = results.findIndex(([error]) => error !== null);
    if (failed !== -1) {
      throw new Error(
        `read model commit of ${projection} at ${position}: Redis refused ${results.filter(([error]) => error !== null).length} command(s) of the ` +
          `transaction (first: ${results[failed]![0]!.message}); documents and checkpoint may be out of step — rebuild the projection`,
      );
    }
  } finally {
    if (!executed && writer.status === 'ready') await writer.unwatch().catch(() => writer.disconnect());
  }
}

/** what a commit changes in one collection, given the previous entries of the documents whose entries it touches */
function collectionChanges(
  collection: string,
  byId: Map<string, DocumentPlan>,
  rangeIndexes: ReadonlySet<string>,
  previous: Map<string, string | null> | undefined,
): CollectionChanges {
  const changes: CollectionChanges = {
    documentSets: [],
    documentDeletes: [],
    idAdds: [],
    idDeletes: [],
    entrySets: [],
    entryDeletes: [],
    indexAdds: new Map(),
    indexRemovals: new Map(),
    rangeAdds: new Map(),
    rangeRemovals: new Map(),
    rangeOnly: rangeIndexes,
  };
  const file = (into: Map<string, string[]>, member: string, id: string): void => {
    const ids = into.get(member);
    if (ids === undefined) into.set(member, [id]);
    else ids.push(id);
  };

  for (const [id, document] of byId) {
    if (document.json === null) {
      changes.documentDeletes.push(id);
      changes.idDeletes.push(id);
    } else {
      changes.documentSets.push(id, document.json);
      changes.idAdds.push(id);
    }
    if (!document.touchesEntries) continue;

    const before = previous?.get(id) ?? null;
    const beforeEntries = before === null ? null : parseEntries(collection, id, before);
    const after = document.json === null ? null : entriesAfter(beforeEntries, document);
    const afterJson = after === null ? null : JSON.stringify(after);
    if (afterJson !== before) {
      if (afterJson === null) changes.entryDeletes.push(id);
      else changes.entrySets.push(id, afterJson);
    }
    const had = members(beforeEntries);
    const has = members(after);
    // a range-only index has its range set and nothing else
    for (const [member, [index, value]] of had) {
      if (has.has(member)) continue;
      if (!rangeIndexes.has(index)) file(changes.indexRemovals, member, id);
      file(changes.rangeRemovals, index, rangeMember(value, id));
    }
    for (const [member, [index, value]] of has) {
      if (had.has(member)) continue;
      if (!rangeIndexes.has(index)) file(changes.indexAdds, member, id);
      file(changes.rangeAdds, index, rangeMember(value, id));
    }
  }
  return changes;
}

function queueCollection(
  transaction: ReturnType<Redis['multi']>,
  keys: RedisReadModelKeys,
  collection: string,
  changes: CollectionChanges,
): void {
  const documents = keys.documents(collection);
  const ids = keys.ids(collection);
  const entries = keys.entries(collection);
  for (const chunk of chunked(changes.documentSets, 2 * CHUNK)) transaction.hset(documents, ...chunk);
  for (const chunk of chunked(changes.documentDeletes, CHUNK)) transaction.hdel(documents, ...chunk);
  for (const chunk of chunked(changes.idAdds, CHUNK)) transaction.zadd(ids, ...scored(chunk));
  for (const chunk of chunked(changes.idDeletes, CHUNK)) transaction.zrem(ids, ...chunk);
  for (const chunk of chunked(changes.entrySets, 2 * CHUNK)) transaction.hset(entries, ...chunk);
  for (const chunk of chunked(changes.entryDeletes, CHUNK)) transaction.hdel(entries, ...chunk);
  for (const [member, removed] of changes.indexRemovals) {
    for (const chunk of chunked(removed, CHUNK)) transaction.zrem(keys.index(collection, member), ...chunk);
  }
  for (const [member, added] of changes.indexAdds) {
    for (const chunk of chunked(added, CHUNK)) transaction.zadd(keys.index(collection, member), ...scored(chunk));
  }
  for (const [index, removed] of changes.rangeRemovals) {
    for (const chunk of chunked(removed, CHUNK)) transaction.zrem(keys.range(collection, index), ...chunk);
  }
  for (const [index, added] of changes.rangeAdds) {
    for (const chunk of chunked(added, CHUNK)) transaction.zadd(keys.range(collection, index), ...scored(chunk));
  }
  // the registry lists every index key that may exist, so reset finds them (and the range sets) without a SCAN;
  // a range-only index is listed by its name alone (rangeIndexMember), once for its range set
  const registered = [...changes.indexAdds.keys()];
  for (const index of changes.rangeAdds.keys()) if (changes.rangeOnly.has(index)) registered.push(rangeIndexMember(index));
  for (const chunk of chunked(registered, CHUNK)) transaction.sadd(keys.indexRegistry(collection), ...chunk);
}

/** the document's entries after the commit: every index a write named replaces the previous values */
function entriesAfter(before: Entries | null, document: DocumentPlan): Entries | null {
  const after: Record<string, readonly string[]> = document.restarted || before === null ? {} : { ...before };
  for (const [index, values] of document.named) {
    if (values.length === 0) delete after[index];
    else after[index] = values;
  }
  return Object.keys(after).length === 0 ? null : after;
}

/** the document's entries as index member → [index, value] */
function members(entries: Entries | null): Map<string, [string, string]> {
  const found = new Map<string, [string, string]>();
  if (entries === null) return found;
  for (const index of Object.keys(entries)) for (const value of entries[index]!) found.set(indexMember(index, value), [index, value]);
  return found;
}

/**
 * ZRANGEBYLEX bounds of a range query over members "<escaped value>\0<id>":
 *   value ≥ from        [<from>\0          (every id is ≥ the empty one)
 *   value ≤ to          (<to>\x01          (above "<to>\0<any id>", below any longer value, whose next byte is ≥ \x01)
 *   beyond `after`      (<after value>\0<after id>, the lower bound ascending, the upper one descending
 * A cursor and a bound on the same side: whichever is tighter.
 */
function lexBounds(query: RangeQuery): { lowest: string; highest: string } {
  const after: IndexEntry | null = query.after ?? null;
  let lowest = query.from === undefined ? '-' : `[${escapeRangeValue(query.from)}\0`;
  let highest = query.to === undefined ? '+' : `(${escapeRangeValue(query.to)}\x01`;
  if (after !== null) {
    const cursor = `(${rangeMember(after.value, after.id)}`;
    if (!query.reverse) {
      // (after.value, after.id) ≥ (from, '') exactly when after.value ≥ from
      if (query.from === undefined || compareText(after.value, query.from) >= 0) lowest = cursor;
    } else if (query.to === undefined || compareText(after.value, query.to) <= 0) {
      highest = cursor;
    }
  }
  return { lowest, highest };
}

function parseEntries(collection: string, id: string, json: string): Entries {
  const entries: unknown = JSON.parse(json);
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
    throw new Error(`read model store: index entries of ${collection}/${id} are not an object: ${json.slice(0, 100)}`);
  }
  return entries as Entries;
}

/**
 * Drops the collections' keys (documents, ids, entries, every index key in the registry and the range set of
 * its index — a range-only index's member names only the latter —, the registry) and
 * the checkpoints in one transaction, so a crash midway cannot leave index entries without their documents.
 * The registry makes the key list exact without a SCAN over the whole keyspace (which would also match a
 * deployment whose prefix extends this one). Retried if a commit slips in between.
 */
async function resetOn(writer: Redis, keys: RedisReadModelKeys, projections: readonly string[], collections: readonly string[]): Promise<void> {
  const checkpoints = projections.map((projection) => keys.checkpoint(projection));
  const watched = [...checkpoints, ...collections.flatMap((collection) => [keys.documents(collection), keys.indexRegistry(collection)])];
  if (watched.length === 0) return;
  for (let attempt = 1; ; attempt++) {
    let executed = false;
    try {
      const round = writer.pipeline();
      for (const chunk of chunked(watched, CHUNK)) round.watch(...chunk);
      for (const collection of collections) round.smembers(keys.indexRegistry(collection));
      const replies = unwrap(await round.exec());
      const registries = replies.slice(Math.ceil(watched.length / CHUNK)) as string[][];
      const doomed = [...checkpoints];
      collections.forEach((collection, index) => {
        doomed.push(keys.documents(collection), keys.ids(collection), keys.entries(collection), keys.indexRegistry(collection));
        const ranges = new Set<string>();
        for (const member of registries[index]!) {
          // a range-only index's member names no set of its own, only its range set
          if (!isRangeIndexMember(member)) doomed.push(keys.index(collection, member));
          ranges.add(keys.rangeOfIndexMember(collection, member));
        }
        doomed.push(...ranges);
      });
      const transaction = writer.multi();
      for (const chunk of chunked(doomed, CHUNK)) transaction.unlink(...chunk);
      executed = true;
      const results = await transaction.exec();
      if (results !== null) {
        const failed = results.find(([error]) => error !== null);
        if (failed !== undefined) throw failed[0]!;
        return;
      }
      if (attempt === 5) throw new Error(`read model reset of ${projections.join(', ')}: the keys kept changing (is a projector still running?)`);
    } finally {
      if (!executed && writer.status === 'ready') await writer.unwatch().catch(() => writer.disconnect());
    }
  }
}

class WrongTypeError extends Error {
  override readonly name = 'WrongTypeError';
  constructor(key: string, found: string, expected: RedisType) {
    super(`read model store: Redis key ${key} holds a ${found}, not a ${expected}; something else writes under this key prefix`);
  }
}

interface WriterPool {
  acquire(): Promise<Redis>;
  /** `healthy`: the connection holds no WATCH and may be reused */
  release(writer: Redis, healthy: boolean): void;
  close(): Promise<void>;
}

/**
 * Connections for commits and resets: a WATCH belongs to one connection, so each commit has one to itself.
 * They never reconnect, queue offline or resend after a drop (any of which could send a MULTI on a connection
 * without the WATCH); a dropped one ends and the next acquire opens a fresh one.
 */
function writerPool(url: string, connectionName: string, max: number, onError: (error: unknown) => void): WriterPool {
  const idle: Redis[] = [];
  const waiting: (() => void)[] = [];
  let open = 0;
  let closed = false;

  const wake = (): void => waiting.shift()?.();

  return {
    async acquire() {
      for (;;) {
        if (closed) throw new Error('read model store is closed');
        const writer = idle.pop();
        if (writer !== undefined) {
          if (writer.status === 'ready') return writer;
          open--;
          writer.disconnect();
          continue;
        }
        if (open < max) {
          open++;
          const fresh = new Redis(url, {
            lazyConnect: true,
            connectionName,
            enableOfflineQueue: false,
            autoResendUnfulfilledCommands: false,
            retryStrategy: () => null,
            maxRetriesPerRequest: 0,
          });
          fresh.on('error', onError);
          try {
            await fresh.connect();
            return fresh;
          } catch (error) {
            open--;
            fresh.disconnect();
            wake();
            throw new Error('read model store: cannot open a Redis writer connection', { cause: error });
          }
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    },

    release(writer, healthy) {
      if (healthy && !closed && writer.status === 'ready') {
        idle.push(writer);
      } else {
        open--;
        void quit(writer);
      }
      wake();
    },

    async close() {
      closed = true;
      for (const resolve of waiting.splice(0)) resolve();
      await Promise.all(idle.splice(0).map(quit));
    },
  };
}

async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}

/** results of a non-transactional pipeline, throwing the first error */
function unwrap(results: [Error | null, unknown][] | null): unknown[] {
  if (results === null) throw new Error('read model store: Redis pipeline returned no results');
  return results.map(([error, reply]) => {
    if (error !== null) throw error;
    return reply;
  });
}

function parseCheckpoint(key: string, value: string | null): bigint | null {
  if (value === null) return null;
  if (!/^-?\d+$/.test(value)) throw new Error(`read model store: checkpoint ${key} is not an integer: ${value.slice(0, 40)}`);
  return BigInt(value);
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let at = 0; at < items.length; at += size) chunks.push(items.slice(at, at + size));
  return chunks;
}

/** ZADD arguments: every member with score 0, so the set orders by member bytes */
function scored(ids: readonly string[]): (string | number)[] {
  const args: (string | number)[] = [];
  for (const id of ids) args.push(0, id);
  return args;
}

/** host:port of a Redis URL, without credentials, for messages */
function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}${parsed.pathname.length > 1 ? parsed.pathname : ''}`;
  } catch {
    return 'the configured REDIS_URL';
  }
}
