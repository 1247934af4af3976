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

/**
 * The states the ingest pipeline decided last, by stream, least recently used dropped first. An entry is a
 * starting point, never the truth: unless the pipeline knows that only it has written to the store since the
 * entry's generation, it reads the events stored after the entry's revision (appended by a mutation, another
 * replica, another process on the file) before deciding, and the append's expected revision still guards the
 * write. So a stale entry costs a read, never a wrong decision.
 */
export class StreamStateCache {
  private readonly entries = new Map<string, CachedStreamState>();

  constructor(private readonly maxStreams: number) {}

  get(streamId: string): CachedStreamState | undefined {
    const entry = this.entries.get(streamId);
    if (entry !== undefined) {
      // a Map iterates in insertion order: re-inserting makes it the most recently used
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  set(streamId: string, entry: CachedStreamState): void {
    if (this.maxStreams <= 0) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.maxStreams) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
