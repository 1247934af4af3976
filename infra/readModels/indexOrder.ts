/**
 * The order of index entries both adapters share (ports/readModelStore.ts): by value, then id, each compared
 * by Unicode code point — the UTF-8 byte order Redis sorts members by.
 */
import type { IndexEntry, RangeQuery } from '../../ports/readModelStore.js';

/** a code unit that is a surrogate or in U+E000–U+FFFF */
const BEYOND_D7FF = /[\ud800-\uffff]/;

/**
 * Code point order. JavaScript's `<` compares UTF-16 code units, which differs only where a character beyond
 * U+FFFF (a surrogate pair, e.g. a CJK Extension B ideograph) meets one in U+E000–U+FFFF (e.g. fullwidth
 * digits): by code point the former is higher, by code unit lower.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  // the native comparison where it is the same order (about twice as fast as the loop below, measured)
  if (!BEYOND_D7FF.test(a) || !BEYOND_D7FF.test(b)) return a < b ? -1 : 1;
  const length = Math.min(a.length, b.length);
  for (let at = 0; at < length; at++) {
    const x = a.charCodeAt(at);
    const y = b.charCodeAt(at);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return codePointRank(x) - codePointRank(y);
    return x - y;
  }
  return a.length - b.length;
}

/** surrogates (0xD800–0xDFFF) above 0xE000–0xFFFF, each range keeping its own order */
function codePointRank(unit: number): number {
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

export function compareEntries(aValue: string, aId: string, bValue: string, bId: string): number {
  return compareText(aValue, bValue) || compareText(aId, bId);
}

/** throws a RangeError for a query no adapter can answer, so both refuse the same ones */
export function checkRangeQuery(query: RangeQuery): void {
  if (!Number.isSafeInteger(query.limit) || query.limit < 1) {
    throw new RangeError(`findRange: limit must be a positive integer, not ${String(query.limit)}`);
  }
  const after: IndexEntry | null | undefined = query.after;
  if (after !== undefined && after !== null && (typeof after.value !== 'string' || typeof after.id !== 'string')) {
    throw new RangeError('findRange: after must be { value, id } (the next of a previous page) or null');
  }
}
