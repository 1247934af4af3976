/**
 * `liandong replay` (docs/audit.md "Replay"): rebuilds read models from the event store into a scratch store
 * and compares them with the live ones, document by document, through a digest per projection.
 *
 * Each projection is rebuilt up to the live store's checkpoint for it — not the head — so a live read model
 * that is merely behind is not reported as different (how far behind it is, is reported instead).
 *
 * The digest of a projection is SHA-256 over, for each of its collections in name order and each document
 * in id order, the line `<collection> NUL <id> NUL <canonical JSON of the document> LF` (canonicalJson.ts;
 * documents include the runner's `_position`). Index entries are not in it: the port cannot list them, and
 * they are derived from the same evolve results as the documents.
 *
 * Memory stays bounded whatever the size of the store (issue 14: 1.77 GB RSS at 329k events before): the event
 * store is read in pages of REPLAY_BATCH_SIZE, the rebuild holds at most REPLAY_BUFFER_DOCUMENTS documents before
 * committing them to the scratch store, and the comparison walks both stores in id order a page of GET_MANY
 * documents at a time (compareProjection). The stores given should not hold everything in memory themselves:
 * the CLI opens the scratch space and an embedded live file with diskReadModelStore.ts.
 */
import { createHash } from 'node:crypto';
import type { EventStore, RecordedEvent } from '../../ports/eventStore.js';
import { portOnly } from '../eventStore/portOnly.js';
import { canonicalJson } from '../../ports/canonicalJson.js';
import type { ReadModelStore } from '../../ports/readModelStore.js';
import { compareText } from '../readModels/indexOrder.js';
import type { Projection } from '../../projections/projection.js';
import { createProjectionRunner, type ProjectionProgress } from '../../projections/runner.js';

export interface ProjectionDigest {
  digest: string;
  documents: number;
}

export interface ReplayDifference {
  collection: string;
  id: string;
  kind: 'only_live' | 'only_rebuilt' | 'different';
  /** JSON paths where the two differ (a few), for `different` */
  paths: string[];
}

export interface ProjectionReplay {
  name: string;
  /** the live store's checkpoint, which the rebuild stopped at; null when the live one never applied anything */
  liveCheckpoint: bigint | null;
  /** events the live read model has not applied yet (head − checkpoint) */
  liveBehind: bigint;
  liveDigest: string;
  rebuiltDigest: string;
  liveDocuments: number;
  rebuiltDocuments: number;
  equal: boolean;
  /** at most `maxDifferences` */
  differences: ReplayDifference[];
  differenceCount: number;
}

export interface ReplayDeps<Ctx> {
  store: EventStore;
  live: ReadModelStore;
  /** an empty store to rebuild into */
  scratch: ReadModelStore;
  projections: readonly Projection<Ctx>[];
  ctx: Ctx;
  batchSize?: number;
  maxDifferences?: number;
  onProgress?(progress: ProjectionProgress & { upTo: bigint | null }): void;
  /**
   * stops the replay between slices (each read of the store, each page of documents digested): it rejects
   * with the signal's reason. The event loop turns at each slice, so a process signal is seen there.
   */
  signal?: AbortSignal;
}

/** documents read per getMany while digesting: a case document is up to ~40 KB of canonical JSON */
const GET_MANY = 250;
/** events per read of the rebuild (the runner's default is 10,000): a slice of the CLI's event loop */
const REPLAY_BATCH_SIZE = 1000;
/**
 * documents per commit into the scratch store (the runner's default is 20,000: a 1–2 s commit on 2 cores). A commit's
 * JSON exists three times while the writer thread takes it (the loop's, the message's, the statement's): 2,000 case
 * documents of ~35 KB put `liandong replay` of 1M events at 1,373 MiB; 500 at 746 (docs/benchmarks.md)
 */
const REPLAY_BUFFER_DOCUMENTS = 500;

export async function replayProjections<Ctx>(deps: ReplayDeps<Ctx>): Promise<ProjectionReplay[]> {
  const maxDifferences = deps.maxDifferences ?? 50;
  await betweenSlices(deps.signal);
  const head = (await deps.store.headPosition()) ?? 0n;
  // projections whose live checkpoints agree are rebuilt together, in one pass over the store
  const groups = new Map<string, { upTo: bigint | null; projections: Projection<Ctx>[] }>();
  for (const projection of deps.projections) {
    const upTo = await deps.live.checkpoint(projection.name);
    const key = String(upTo);
    const group = groups.get(key) ?? { upTo, projections: [] };
    group.projections.push(projection);
    groups.set(key, group);
  }

  const results: ProjectionReplay[] = [];
  for (const { upTo, projections } of groups.values()) {
    const runner = createProjectionRunner({
      store: upTo === null ? emptyStore(deps.store) : storeUpTo(deps.store, upTo, deps.signal),
      readModels: deps.scratch,
      projections,
      ctx: deps.ctx,
      batchSize: deps.batchSize ?? REPLAY_BATCH_SIZE,
      rebuildBufferDocuments: REPLAY_BUFFER_DOCUMENTS,
      logger: { info: () => undefined, error: () => undefined },
    });
    await runner.rebuild(deps.scratch, (progress) => deps.onProgress?.({ ...progress, upTo }));
    for (const projection of projections) {
      const compared = await compareProjection(deps.live, deps.scratch, projection, maxDifferences, deps.signal);
      results.push({
        name: projection.name,
        liveCheckpoint: upTo,
        liveBehind: head - (upTo ?? 0n),
        liveDigest: compared.live.digest,
        rebuiltDigest: compared.rebuilt.digest,
        liveDocuments: compared.live.documents,
        rebuiltDocuments: compared.rebuilt.documents,
        equal: compared.live.digest === compared.rebuilt.digest,
        differences: compared.differences,
        differenceCount: compared.differenceCount,
      });
    }
  }
  return deps.projections.map((projection) => results.find((result) => result.name === projection.name)!);
}

/**
 * Walks the live and the rebuilt documents of a projection together, collection by collection in id order, a
 * page of ids at a time (GET_MANY from each store): each page feeds both digests and is compared there, and
 * then dropped. What is held is the two id lists and one page of documents, however large the read models.
 */
async function compareProjection(
  live: ReadModelStore,
  rebuilt: ReadModelStore,
  projection: Pick<Projection<unknown>, 'collections'>,
  maxDifferences: number,
  signal?: AbortSignal,
): Promise<{ live: ProjectionDigest; rebuilt: ProjectionDigest; differences: ReplayDifference[]; differenceCount: number }> {
  const digests = { live: createHash('sha256'), rebuilt: createHash('sha256') };
  const counts = { live: 0, rebuilt: 0 };
  const differences: ReplayDifference[] = [];
  let differenceCount = 0;
  const note = (collection: string, id: string, kind: ReplayDifference['kind'], paths: () => string[]): void => {
    differenceCount += 1;
    if (differences.length < maxDifferences) differences.push({ collection, id, kind, paths: paths() });
  };
  for (const collection of [...projection.collections].sort()) {
    const [liveIds, rebuiltIds] = await Promise.all([live.listIds(collection), rebuilt.listIds(collection)]);
    let l = 0;
    let r = 0;
    while (l < liveIds.length || r < rebuiltIds.length) {
      await betweenSlices(signal);
      // the next page: up to GET_MANY ids of the merged order, taken from whichever list is behind
      const page: { id: string; inLive: boolean; inRebuilt: boolean }[] = [];
      while (page.length < GET_MANY && (l < liveIds.length || r < rebuiltIds.length)) {
        const a = liveIds[l];
        const b = rebuiltIds[r];
        const order = a === undefined ? 1 : b === undefined ? -1 : compareText(a, b);
        page.push({ id: order <= 0 ? a! : b!, inLive: order <= 0, inRebuilt: order >= 0 });
        if (order <= 0) l++;
        if (order >= 0) r++;
      }
      const [liveDocs, rebuiltDocs] = await Promise.all([
        live.getMany<unknown>(collection, page.filter((p) => p.inLive).map((p) => p.id)),
        rebuilt.getMany<unknown>(collection, page.filter((p) => p.inRebuilt).map((p) => p.id)),
      ]);
      let li = 0;
      let ri = 0;
      for (const { id, inLive, inRebuilt } of page) {
        const liveDoc = inLive ? (liveDocs[li++] ?? null) : undefined;
        const rebuiltDoc = inRebuilt ? (rebuiltDocs[ri++] ?? null) : undefined;
        const liveText = liveDoc === undefined ? undefined : canonicalJson(liveDoc);
        const rebuiltText = rebuiltDoc === undefined ? undefined : canonicalJson(rebuiltDoc);
        if (liveText !== undefined) {
          digests.live.update(`${collection}\u0000${id}\u0000${liveText}\n`);
          counts.live++;
        }
        if (rebuiltText !== undefined) {
          digests.rebuilt.update(`${collection}\u0000${id}\u0000${rebuiltText}\n`);
          counts.rebuilt++;
        }
        if (rebuiltText === undefined) note(collection, id, 'only_live', () => []);
        else if (liveText === undefined) note(collection, id, 'only_rebuilt', () => []);
        else if (liveText !== rebuiltText) note(collection, id, 'different', () => differingPaths(liveDoc, rebuiltDoc, '', 4).slice(0, 5));
      }
    }
  }
  return {
    live: { digest: digests.live.digest('hex'), documents: counts.live },
    rebuilt: { digest: digests.rebuilt.digest('hex'), documents: counts.rebuilt },
    differences,
    differenceCount,
  };
}

/** the digest of a projection's documents in one store (see the top of this file), a page at a time */
export async function digestProjection(readModels: ReadModelStore, projection: Pick<Projection<unknown>, 'collections'>, signal?: AbortSignal): Promise<ProjectionDigest> {
  const digest = createHash('sha256');
  let documents = 0;
  for (const collection of [...projection.collections].sort()) {
    const ids = await readModels.listIds(collection);
    for (let start = 0; start < ids.length; start += GET_MANY) {
      await betweenSlices(signal);
      const chunk = ids.slice(start, start + GET_MANY);
      const docs = await readModels.getMany<unknown>(collection, chunk);
      chunk.forEach((id, index) => digest.update(`${collection}\u0000${id}\u0000${canonicalJson(docs[index] ?? null)}\n`));
      documents += chunk.length;
    }
  }
  return { digest: digest.digest('hex'), documents };
}

/** the store as it was at `upTo`: nothing after it is read; each read is a slice `signal` can stop the replay at */
function storeUpTo(store: EventStore, upTo: bigint, signal: AbortSignal | undefined): EventStore {
  return {
    ...portOnly(store),
    async readAll(options = {}) {
      await betweenSlices(signal);
      if (options.after !== undefined && options.after !== null && options.after >= upTo) return [];
      const events = await store.readAll(options);
      const beyond = events.findIndex((event: RecordedEvent) => event.position > upTo);
      return beyond < 0 ? events : events.slice(0, beyond);
    },
    async headPosition() {
      const head = await store.headPosition();
      return head === null || head < upTo ? head : upTo;
    },
  };
}

/**
 * Lets the event loop turn — signals are delivered there, and synchronous SQLite work chained by promises
 * alone would never let them in — then throws the signal's reason if it was aborted.
 */
async function betweenSlices(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  signal.throwIfAborted();
}

function emptyStore(store: EventStore): EventStore {
  return { ...portOnly(store), readAll: async () => [], headPosition: async () => null };
}

/** where two JSON values differ, as paths like `state.handoffs.h1.status` (at most `depth` deep) */
function differingPaths(a: unknown, b: unknown, path: string, depth: number): string[] {
  if (canonicalJson(a ?? null) === canonicalJson(b ?? null)) return [];
  const objects = typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b);
  if (!objects || depth === 0) return [path || '(整个文档)'];
  const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
  return keys.flatMap((key) =>
    differingPaths((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key, depth - 1),
  );
}
