/**
 * A set of ids that can be listed in ascending order without sorting on every read.
 *
 * The sorted array is built lazily on the first read and then kept up to date by binary-search
 * inserts and removals, so a live commit touching a few documents costs a memmove, not a re-sort.
 * A burst of changes between two reads (a rebuild batch) drops the array instead: one sort on the
 * next read is cheaper than thousands of splices.
 *
 * Order is JavaScript string order (UTF-16 code units), which equals code-point and UTF-8 byte
 * order for every id without characters outside the Basic Multilingual Plane.
 */
import type { IndexBounds, IndexEntry, RangePage, RangeQuery } from '../../ports/readModelStore.js';
import { compareEntries, compareText } from './indexOrder.js';

/** more changes than this between two reads and re-sorting beats splicing */
const MAX_SPLICES_BETWEEN_READS = 256;

export class SortedIds {
  private readonly members = new Set<string>();
  private sorted: string[] | null = null;
  private splicesSinceRead = 0;

  get size(): number {
    return this.members.size;
  }

  has(id: string): boolean {
    return this.members.has(id);
  }

  add(id: string): void {
    if (this.members.has(id)) return;
    this.members.add(id);
    if (this.sorted === null) return;
    if (++this.splicesSinceRead > MAX_SPLICES_BETWEEN_READS) {
      this.sorted = null;
      return;
    }
    this.sorted.splice(lowerBound(this.sorted, id), 0, id);
  }

  delete(id: string): void {
    if (!this.members.delete(id)) return;
    if (this.sorted === null) return;
    if (++this.splicesSinceRead > MAX_SPLICES_BETWEEN_READS) {
      this.sorted = null;
      return;
    }
    this.sorted.splice(lowerBound(this.sorted, id), 1);
  }

  /** a fresh array the caller may keep or change */
  toArray(): string[] {
    this.splicesSinceRead = 0;
    // the default sort compares strings by UTF-16 code units, the same order as `<` in lowerBound
    this.sorted ??= [...this.members].sort();
    return this.sorted.slice();
  }
}

function lowerBound(sorted: readonly string[], id: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < id) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** entries per chunk of SortedEntries before it splits in two: a splice moves at most this many pointers */
const MAX_CHUNK = 512;

interface Chunk {
  /** parallel arrays, ascending by (value, id) */
  values: string[];
  ids: string[];
}

interface Position {
  chunk: number;
  at: number;
}

/**
 * The entries (value, id) of one index, in code point order (./indexOrder.ts): a sorted list cut into
 * chunks of at most MAX_CHUNK, so an insert or removal is a binary search over the chunks, one within a chunk
 * and a splice of at most MAX_CHUNK pointers — O(log n + MAX_CHUNK) whatever the size of the index, where one
 * flat sorted array would move half the index on every insert. Range reads seek in O(log n) and then walk;
 * counting sums the chunk sizes between the two ends (n / MAX_CHUNK additions).
 */
export class SortedEntries {
  private readonly chunks: Chunk[] = [];
  private entries = 0;
  /**
   * Entries added while the index was empty and not read since: loading at open and the first commit of a
   * rebuild fill an empty index with many entries at once, and one sort is cheaper than as many inserts.
   */
  private staged: Chunk | null = null;

  get size(): number {
    this.settle();
    return this.entries;
  }

  /** files `id` under `value`; nothing happens when it already is */
  add(value: string, id: string): void {
    if (this.chunks.length === 0) this.staged ??= { values: [], ids: [] };
    if (this.staged !== null) {
      this.staged.values.push(value);
      this.staged.ids.push(id);
      return;
    }
    let { chunk: index, at } = this.seek((v, i) => compareEntries(v, i, value, id) < 0);
    if (index === this.chunks.length) {
      // above every entry: the end of the last chunk
      index--;
      at = this.chunks[index]!.values.length;
    }
    const chunk = this.chunks[index]!;
    if (chunk.values[at] === value && chunk.ids[at] === id) return;
    chunk.values.splice(at, 0, value);
    chunk.ids.splice(at, 0, id);
    this.entries++;
    if (chunk.values.length > MAX_CHUNK) {
      const half = chunk.values.length >>> 1;
      this.chunks.splice(index + 1, 0, { values: chunk.values.splice(half), ids: chunk.ids.splice(half) });
    }
  }

  delete(value: string, id: string): void {
    this.settle();
    const { chunk: index, at } = this.seek((v, i) => compareEntries(v, i, value, id) < 0);
    const chunk = this.chunks[index];
    if (chunk === undefined || chunk.values[at] !== value || chunk.ids[at] !== id) return;
    chunk.values.splice(at, 1);
    chunk.ids.splice(at, 1);
    this.entries--;
    if (chunk.values.length === 0) this.chunks.splice(index, 1);
  }

  /** ids filed under exactly `value`, ascending */
  idsOf(value: string): string[] {
    this.settle();
    const ids: string[] = [];
    let { chunk, at } = this.seek((v) => compareText(v, value) < 0);
    for (; chunk < this.chunks.length; chunk++, at = 0) {
      const { values, ids: chunkIds } = this.chunks[chunk]!;
      for (; at < values.length; at++) {
        if (values[at] !== value) return ids;
        ids.push(chunkIds[at]!);
      }
    }
    return ids;
  }

  range(query: RangeQuery): RangePage {
    this.settle();
    const { from, to, limit } = query;
    const after = query.after ?? null;
    const entries: IndexEntry[] = [];
    if (!query.reverse) {
      // first entry at or above `from` and beyond `after`; stop at the first value above `to`
      const start = this.seek(
        (v, i) => (from !== undefined && compareText(v, from) < 0) || (after !== null && compareEntries(v, i, after.value, after.id) <= 0),
      );
      const end = to === undefined ? this.end() : this.seek((v) => compareText(v, to) <= 0);
      for (let { chunk, at } = start; entries.length <= limit && before({ chunk, at }, end); ) {
        const current = this.chunks[chunk]!;
        entries.push({ value: current.values[at]!, id: current.ids[at]! });
        at++;
        if (at === current.values.length) {
          chunk++;
          at = 0;
        }
      }
    } else {
      // walk down from the last entry at or below `to` and before `after`, to the first at or above `from`
      const start = from === undefined ? { chunk: 0, at: 0 } : this.seek((v) => compareText(v, from) < 0);
      const end = this.seek(
        (v, i) => (to === undefined || compareText(v, to) <= 0) && (after === null || compareEntries(v, i, after.value, after.id) < 0),
      );
      for (let { chunk, at } = end; entries.length <= limit && before(start, { chunk, at }); ) {
        if (at === 0) at = this.chunks[--chunk]!.values.length;
        at--;
        const current = this.chunks[chunk]!;
        entries.push({ value: current.values[at]!, id: current.ids[at]! });
      }
    }
    if (entries.length <= limit) return { entries, next: null };
    entries.pop();
    const last = entries.at(-1)!;
    return { entries, next: { value: last.value, id: last.id } };
  }

  count(bounds: IndexBounds = {}): number {
    this.settle();
    const { from, to } = bounds;
    const start = from === undefined ? { chunk: 0, at: 0 } : this.seek((v) => compareText(v, from) < 0);
    const end = to === undefined ? this.end() : this.seek((v) => compareText(v, to) <= 0);
    return Math.max(0, this.offsetOf(end) - this.offsetOf(start));
  }

  /** sorts the staged entries into chunks (the index was empty when they came), dropping repeats */
  private settle(): void {
    const staged = this.staged;
    if (staged === null) return;
    this.staged = null;
    const order = Array.from(staged.values, (_, index) => index);
    order.sort((a, b) => compareEntries(staged.values[a]!, staged.ids[a]!, staged.values[b]!, staged.ids[b]!));
    let chunk: Chunk = { values: [], ids: [] };
    let previous = -1;
    for (const index of order) {
      const value = staged.values[index]!;
      const id = staged.ids[index]!;
      if (previous !== -1 && staged.values[previous] === value && staged.ids[previous] === id) continue;
      previous = index;
      // chunks start half full, leaving room for inserts before the first split
      if (chunk.values.length === MAX_CHUNK >>> 1) {
        this.chunks.push(chunk);
        chunk = { values: [], ids: [] };
      }
      chunk.values.push(value);
      chunk.ids.push(id);
      this.entries++;
    }
    if (chunk.values.length > 0) this.chunks.push(chunk);
  }

  /** the first position whose entry is not `isBefore` (a predicate true for a prefix of the entries), or the end */
  private seek(isBefore: (value: string, id: string) => boolean): Position {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const { values, ids } = this.chunks[middle]!;
      const last = values.length - 1;
      if (isBefore(values[last]!, ids[last]!)) low = middle + 1;
      else high = middle;
    }
    if (low === this.chunks.length) return this.end();
    return { chunk: low, at: lowerBoundIn(this.chunks[low]!, isBefore) };
  }

  private end(): Position {
    return { chunk: this.chunks.length, at: 0 };
  }

  private offsetOf(position: Position): number {
    let offset = position.at;
    for (let chunk = 0; chunk < position.chunk; chunk++) offset += this.chunks[chunk]!.values.length;
    return offset;
  }
}

function before(a: Position, b: Position): boolean {
  return a.chunk < b.chunk || (a.chunk === b.chunk && a.at < b.at);
}

function lowerBoundIn(chunk: Chunk, isBefore: (value: string, id: string) => boolean): number {
  let low = 0;
  let high = chunk.values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isBefore(chunk.values[middle]!, chunk.ids[middle]!)) low = middle + 1;
    else high = middle;
  }
  return low;
}
