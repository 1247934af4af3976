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
