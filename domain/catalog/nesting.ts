/**
 * Nesting of JSON values and texts, measured without recursion: a value nested a million levels deep is
 * measured like any other (a recursive walk, JSON.stringify included, overflows the stack at a few thousand).
 */

/** events.md §2: no part of an event may nest deeper than this many levels of objects and arrays */
export const MAX_NESTING_DEPTH = 32;

/** the user-facing reason an over-deep event is refused (`invalid_envelope`) */
export const TOO_DEEP_MESSAGE = `事件嵌套层级超过 ${MAX_NESTING_DEPTH} 层（对象与数组合计，含 data 与扩展属性），请减少嵌套后重发`;

/**
 * How many levels of objects and arrays nest in `value`: 0 for a scalar, 1 for `{}`, `[]` or `{"a":1}`, 2 for
 * `{"a":[]}`. The walk stops as soon as it has seen more than `limit` levels and then answers that depth (limit + 1),
 * so the cost of a refusal does not grow with how deep the value goes. Only own enumerable members are walked,
 * as JSON.stringify does.
 */
export function nestingDepth(value: unknown, limit = Number.MAX_SAFE_INTEGER): number {
  if (value === null || typeof value !== 'object') return 0;
  let deepest = 0;
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const current = values.pop()!;
    const depth = depths.pop()!;
    if (depth > deepest) {
      deepest = depth;
      if (deepest > limit) return deepest;
    }
    const members: unknown[] = Array.isArray(current) ? current : Object.values(current);
    for (const member of members) {
      if (member !== null && typeof member === 'object') {
        values.push(member);
        depths.push(depth + 1);
      }
    }
  }
  return deepest;
}

/** more than MAX_NESTING_DEPTH levels anywhere in the value */
export const nestsTooDeep = (value: unknown): boolean => nestingDepth(value, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH;
