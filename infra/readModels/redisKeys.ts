/**
 * Key layout of the Redis read model store. `P` is the deployment's key prefix (e.g. `liandong:prod:`);
 * collection, projection, index and value names are escaped so that none of them contains `:` (or `%`,
 * `{`, `}`), which makes every key parse one way and keeps one collection's keys apart from another's
 * even when one name is a prefix of the other.
 *
 *   P cp:<projection>                  string  checkpoint, decimal
 *   P c:<collection>:doc               hash    id → document JSON            (get: HGET, getMany: HMGET)
 *   P c:<collection>:ids               zset    every id, score 0             (listIds: ZRANGE, byte order)
 *   P c:<collection>:entries           hash    id → {"index":["value",…]}    the document's index entries
 *   P c:<collection>:ix                set     "<index>:<value>" of every index key written since the last reset,
 *                                              and "<index>" of every range-only index written since (no value keys)
 *   P c:<collection>:ix:<index>:<value> zset   ids filed under index = value, score 0 (findIds: ZRANGE);
 *                                              none for a range-only index (DocumentWrite.rangeIndexes)
 *   P c:<collection>:rx:<index>        zset    "<value>\0<id>" of every entry of the index, score 0
 *                                              (findRange: ZRANGEBYLEX, countRange: ZLEXCOUNT; see rangeMember)
 *
 * Escaping `{` and `}` leaves a hash tag in the prefix (`liandong:{prod}:`) as the only one, so every key of a
 * deployment can be put in one Redis Cluster slot if ever wanted (a commit's MULTI spans collections).
 */

const ESCAPED = /[%:{}]/g;
const ESCAPES: Record<string, string> = { '%': '%25', ':': '%3A', '{': '%7B', '}': '%7D' };

export function escapeKeyPart(part: string): string {
  return part.replace(ESCAPED, (character) => ESCAPES[character]!);
}

/** the member of a collection's index registry that names the index key for `index` = `value` */
export function indexMember(index: string, value: string): string {
  return `${escapeKeyPart(index)}:${escapeKeyPart(value)}`;
}

/** the registry member of a range-only index: its escaped name, without the ':' every value member has */
export function rangeIndexMember(index: string): string {
  return escapeKeyPart(index);
}

export function isRangeIndexMember(member: string): boolean {
  return !member.includes(':');
}

/**
 * The member of an index's range set for `id` filed under `value`: byte order of members is (value, id) order.
 * `value` ends at the first NUL, so a NUL or \x01 inside it is escaped (\0 → \x01\x01, \x01 → \x01\x02): each
 * character maps to a sequence of the same relative order and none is a prefix of another, so escaped values
 * compare as the values do, and the terminating \0 sorts below anything that continues a value. The id, last,
 * needs no escaping.
 */
export function rangeMember(value: string, id: string): string {
  return `${escapeRangeValue(value)}\0${id}`;
}

export function escapeRangeValue(value: string): string {
  return value.replace(/[\0\x01]/g, (character) => (character === '\0' ? '\x01\x01' : '\x01\x02'));
}

export function parseRangeMember(member: string): { value: string; id: string } {
  const end = member.indexOf('\0');
  if (end === -1) throw new Error(`read model store: index range member without a separator: ${member.slice(0, 100)}`);
  const value = member.slice(0, end).replace(/\x01([\x01\x02])/g, (_, escaped: string) => (escaped === '\x01' ? '\0' : '\x01'));
  return { value, id: member.slice(end + 1) };
}

export interface RedisReadModelKeys {
  checkpoint(projection: string): string;
  documents(collection: string): string;
  ids(collection: string): string;
  entries(collection: string): string;
  indexRegistry(collection: string): string;
  /** `member` as made by indexMember() */
  index(collection: string, member: string): string;
  /** the range set of an index */
  range(collection: string, index: string): string;
  /** the range set of the index an index registry member (indexMember or rangeIndexMember) belongs to */
  rangeOfIndexMember(collection: string, member: string): string;
}

export function redisReadModelKeys(prefix: string): RedisReadModelKeys {
  const collectionKey = (collection: string, suffix: string): string => `${prefix}c:${escapeKeyPart(collection)}:${suffix}`;
  return {
    checkpoint: (projection) => `${prefix}cp:${escapeKeyPart(projection)}`,
    documents: (collection) => collectionKey(collection, 'doc'),
    ids: (collection) => collectionKey(collection, 'ids'),
    entries: (collection) => collectionKey(collection, 'entries'),
    indexRegistry: (collection) => collectionKey(collection, 'ix'),
    index: (collection, member) => collectionKey(collection, `ix:${member}`),
    range: (collection, index) => collectionKey(collection, `rx:${escapeKeyPart(index)}`),
    // the escaped index, the member's part before its first ':' (all of a range-only index's member), has no ':' of its own
    rangeOfIndexMember: (collection, member) =>
      collectionKey(collection, `rx:${isRangeIndexMember(member) ? member : member.slice(0, member.indexOf(':'))}`),
  };
}
