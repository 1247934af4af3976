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

const isJsonSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The text of each element of a JSON array, exactly as it was sent (whitespace around it left out), read with one
 * pass over the characters. `text` must be JSON that JSON.parse accepted; null when it is not an array.
 */
export function arrayElementTexts(text: string): string[] | null {
  let i = 0;
  while (i < text.length && isJsonSpace(text.charCodeAt(i))) i += 1;
  if (text.charCodeAt(i) !== 0x5b /* [ */) return null;
  const elements: string[] = [];
  let depth = 0;
  let start = i + 1;
  let inString = false;
  for (; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i += 1;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b /* { */) depth += 1;
    else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth -= 1;
      if (depth === 0) {
        const last = text.slice(start, i).trim();
        if (last !== '' || elements.length > 0) elements.push(last);
        return elements;
      }
    } else if (c === 0x2c /* , */ && depth === 1) {
      elements.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return null;
}
