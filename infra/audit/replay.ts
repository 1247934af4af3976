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
 */
import { createHash } from 'node:crypto';
import type { EventStore, RecordedEvent } from '../../ports/eventStore.js';
import { portOnly } from '../eventStore/portOnly.js';
import { canonicalJson } from '../../ports/canonicalJson.js';
import type { ReadModelStore } from '../../ports/readModelStore.js';
import type { Projection } from '../../projections/projection.js';
import { createProjectionRunner, type ProjectionProgress } from '../../projections/runner.js';

export interface ProjectionDigest {
  digest: string;
  documents: number;
  /** `collection/id` → SHA-256 of the document's canonical JSON */
  byDocument: Map<string, string>;
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
/** documents per commit into the scratch store (the runner's default is 20,000: a 1–2 s commit on 2 cores) */
const REPLAY_BUFFER_DOCUMENTS = 2000;

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
      const live = await digestProjection(deps.live, projection, deps.signal);
      const rebuilt = await digestProjection(deps.scratch, projection, deps.signal);
      const differences: ReplayDifference[] = [];
      let differenceCount = 0;
      const note = async (key: string, kind: ReplayDifference['kind']): Promise<void> => {
        differenceCount += 1;
        if (differences.length >= maxDifferences) return;
        const slash = key.indexOf('/');
        const [collection, id] = [key.slice(0, slash), key.slice(slash + 1)];
        const paths =
          kind === 'different' ? differingPaths(await deps.live.get(collection, id), await deps.scratch.get(collection, id), '', 4).slice(0, 5) : [];
        differences.push({ collection, id, kind, paths });
      };
      if (live.digest !== rebuilt.digest) {
        for (const [key, hash] of live.byDocument) {
          const other = rebuilt.byDocument.get(key);
          if (other === undefined) await note(key, 'only_live');
          else if (other !== hash) await note(key, 'different');
        }
        for (const key of rebuilt.byDocument.keys()) if (!live.byDocument.has(key)) await note(key, 'only_rebuilt');
      }
      results.push({
        name: projection.name,
        liveCheckpoint: upTo,
        liveBehind: head - (upTo ?? 0n),
        liveDigest: live.digest,
        rebuiltDigest: rebuilt.digest,
        liveDocuments: live.documents,
        rebuiltDocuments: rebuilt.documents,
        equal: live.digest === rebuilt.digest,
        differences,
        differenceCount,
      });
    }
  }
  return deps.projections.map((projection) => results.find((result) => result.name === projection.name)!);
}

export async function digestProjection(readModels: ReadModelStore, projection: Pick<Projection<unknown>, 'collections'>, signal?: AbortSignal): Promise<ProjectionDigest> {
  const digest = createHash('sha256');
  const byDocument = new Map<string, string>();
  for (const collection of [...projection.collections].sort()) {
    const ids = await readModels.listIds(collection);
    for (let start = 0; start < ids.length; start += GET_MANY) {
      await betweenSlices(signal);
      const chunk = ids.slice(start, start + GET_MANY);
      const docs = await readModels.getMany<unknown>(collection, chunk);
      chunk.forEach((id, index) => {
        const text = canonicalJson(docs[index] ?? null);
        digest.update(`${collection}\u0000${id}\u0000${text}\n`);
        byDocument.set(`${collection}/${id}`, createHash('sha256').update(text).digest('hex'));
      });
    }
  }
  return { digest: digest.digest('hex'), documents: byDocument.size, byDocument };
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
