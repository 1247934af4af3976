/**
 * Long answers in pieces, so that one operation never holds the event loop for long (gateway/turnstile.ts): a
 * dossier at 1,000,000 events lists ~2,800 attention items, about 30 ms of work if done in one stretch.
 * Each helper calls `pause()` between pieces; the turnstile decides whether the loop polls I/O first.
 */

/** items per piece: a few hundred items of a list are well under the turnstile's 4 ms */
export const SLICE_ITEMS = 250;

/**
 * A list handed to graphql-js a slice at a time. graphql-js completes every item of a list (the fields asked under
 * it) in one synchronous pass, except items that are promises: it completes those when they resolve. So the first
 * slice is given as it is and each later slice resolves after a pause, and completing the list becomes a series of
 * short stretches. The answer is the same list in the same order.
 */
export function inSlices<T>(items: readonly T[], pause: () => Promise<void>, size = SLICE_ITEMS): (T | Promise<T>)[] {
  if (items.length <= size) return [...items];
  const out: (T | Promise<T>)[] = items.slice(0, size);
  let gate: Promise<void> = Promise.resolve();
  for (let start = size; start < items.length; start += size) {
    gate = gate.then(pause);
    const open = gate;
    for (let i = start; i < Math.min(start + size, items.length); i++) out.push(open.then(() => items[i]!));
  }
  return out;
}

/** `fn` over `items` a slice at a time, pausing between slices */
export async function forEachSlice<T>(items: readonly T[], pause: () => Promise<void>, fn: (slice: readonly T[]) => void | Promise<void>, size = SLICE_ITEMS): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    if (start > 0) await pause();
    await fn(items.slice(start, start + size));
  }
}

/** characters of JSON written between two pauses */
const PIECE_CHARS = 64 * 1024;
/** containers this deep and deeper are written by one JSON.stringify each: an answer, its data, a field, its list (`data.meeting.attention`, `data.handoffs.nodes`) are walked, the items not */
const WALKED_DEPTH = 4;

/**
 * `JSON.stringify(value)` (the same text), written in pieces: the containers near the top (an answer's `data`, its
 * fields, their lists) are walked, everything below them is one JSON.stringify per value, and after every 64 KB the
 * writer pauses. An 800 KB answer is then a dozen short stretches instead of one long one.
 */
export async function stringifyInSlices(value: unknown, pause: () => Promise<void>): Promise<string> {
  const parts: string[] = [];
  let written = 0;
  const write = async (text: string): Promise<void> => {
    parts.push(text);
    written += text.length;
    if (written >= PIECE_CHARS) {
      written = 0;
      await pause();
    }
  };
  const walked = (v: unknown, depth: number): v is object =>
    depth < WALKED_DEPTH && typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
  const walk = async (v: object, depth: number): Promise<void> => {
    if (Array.isArray(v)) {
      await write('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) await write(',');
        const item: unknown = v[i];
        if (walked(item, depth + 1)) await walk(item, depth + 1);
        // what JSON.stringify writes for an item it cannot write (undefined, a function)
        else await write(JSON.stringify(item) ?? 'null');
      }
      await write(']');
      return;
    }
    await write('{');
    let first = true;
    for (const [key, field] of Object.entries(v)) {
      const text = walked(field, depth + 1) ? null : JSON.stringify(field);
      // a field JSON.stringify leaves out (undefined, a function) is left out here too
      if (text === undefined) continue;
      await write(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      if (text === null) await walk(field as object, depth + 1);
      else await write(text);
    }
    await write('}');
  };
  if (!walked(value, 0)) return JSON.stringify(value);
  await walk(value, 0);
  return parts.join('');
}
