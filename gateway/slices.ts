/**
 * Long answers in pieces, so that one operation never holds the event loop for long (gateway/turnstile.ts): a
 * dossier at 1,000,000 events lists 1,581 attention items (the benchmark's), about 30 ms of work in one stretch.
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
