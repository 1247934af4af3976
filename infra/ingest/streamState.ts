import { deserialize, serialize } from 'node:v8';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** A stream's decided state as of one revision (-1: the stream did not exist). */
export interface CachedStreamState {
  readonly state: unknown;
  readonly revision: number;
  /**
   * the pipeline's store generation when the entry was written or last read up to date: while the
   * generation has not moved, nobody else has written to the store since, so the entry is current
   */
  readonly generation: number;
}

/** what the cache holds of an entry: its state packed, outside V8's heap */
interface PackedEntry {
  readonly packed: Buffer;
  readonly revision: number;
  readonly generation: number;
}

/**
 * Packs a decided state: V8's structured clone (so every value a state may hold comes back as it was, `undefined`
 * included, which JSON would drop) deflated at level 1 (a case of the benchmark: about 16 KB of clone, 1.6 KB packed).
 * Null when the state holds something a clone cannot carry (a function): such a state is not kept.
 */
export function packState(state: unknown): Buffer | null {
  let clone: Buffer;
  try {
    clone = serialize(state);
  } catch {
    return null;
  }
  // zlib answers a slice of its 16 KiB output chunk, and Buffer.from would copy into a shared pool (8 or 64 KiB by the
  // Node.js release): an entry gets a buffer of exactly its bytes, so what it keeps alive is what it counts (unpooled,
  // and not zero-filled first: the copy writes every byte)
  const deflated = deflateRawSync(clone, { level: 1 });
  const own = Buffer.allocUnsafeSlow(deflated.length);
  deflated.copy(own);
  return own;
}

export const unpackState = (packed: Buffer): unknown => deserialize(inflateRawSync(packed));

/**
 * The states the ingest pipeline decided last, by stream, least recently used dropped first. An entry is a
 * starting point, never the truth: unless the pipeline knows that only it has written to the store since the
 * entry's generation, it reads the events stored after the entry's revision (appended by a mutation, another
 * replica, another process on the file) before deciding, and the append's expected revision still guards the
 * write. So a stale entry costs a read, never a wrong decision.
 *
 * States are kept packed (packState), not as objects. In the benchmark every case is in flight at once (its batches
 * come round to each of its 10,001 cases in turn: LRU caches of 500 to 2,000 streams hit 1–8 % of loads), and as objects
 * their decided states were the largest thing in the heap: about 18 KB each, in the old generation, where every full
 * collection marked them and every scavenge copied the new ones into it. At the end of a 1M ingest 430 MiB of heap was
 * alive, 104 MiB with the states packed (docs/benchmarks.md "Stop 31"). Packed a state is about a tenth of its
 * objects, outside the heap, and a collection does not look inside it. Packing and unpacking cost about 0.6 ms per
 * stream and batch, measured on a loaded machine (docs/decisions.md).
 */
export class StreamStateCache {
  private readonly entries = new Map<string, PackedEntry>();
  private bytes = 0;

  /**
   * @param maxStreams at most this many streams
   * @param maxBytes and at most this many packed bytes
   */
  constructor(
    private readonly maxStreams: number,
    private readonly maxBytes = DEFAULT_MAX_PACKED_BYTES,
  ) {}

  get(streamId: string): CachedStreamState | undefined {
    const entry = this.entries.get(streamId);
    if (entry === undefined) return undefined;
    // a Map iterates in insertion order: re-inserting makes it the most recently used
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    return { state: unpackState(entry.packed), revision: entry.revision, generation: entry.generation };
  }

  set(streamId: string, entry: CachedStreamState): void {
    this.drop(streamId);
    if (this.maxStreams <= 0) return;
    const packed = packState(entry.state);
    if (packed === null) return;
    this.entries.set(streamId, { packed, revision: entry.revision, generation: entry.generation });
    this.bytes += packed.length;
    while (this.entries.size > this.maxStreams || (this.bytes > this.maxBytes && this.entries.size > 1)) this.drop(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }

  /** packed bytes held */
  get packedBytes(): number {
    return this.bytes;
  }

  private drop(streamId: string): void {
    const entry = this.entries.get(streamId);
    if (entry === undefined) return;
    this.entries.delete(streamId);
    this.bytes -= entry.packed.length;
  }
}

/** 256 MiB of packed states: about 100,000 cases of the benchmark's size */
export const DEFAULT_MAX_PACKED_BYTES = 256 * 1024 * 1024;
