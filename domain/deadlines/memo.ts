/**
 * Answers of a pure function remembered by key, at most `limit` of them: past it the memo starts afresh (cheaper than
 * an LRU, and an answer never goes stale). Callers store only answers — a computation that throws stores nothing — and
 * never `undefined`, which `get` uses for "not known".
 */
export interface Memo<K, V> {
  get(key: K): V | undefined;
  /** stores the answer and returns it */
  remember(key: K, value: V): V;
}

export function boundedMemo<K, V>(limit: number): Memo<K, V> {
  const answers = new Map<K, V>();
  return {
    get: (key) => answers.get(key),
    remember(key, value) {
      if (answers.size >= limit) answers.clear();
      answers.set(key, value);
      return value;
    },
  };
}
