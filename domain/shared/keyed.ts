/**
 * A map keyed by ids (a case's handoffs by handoff id) with one entry set: a new object, the others' values kept.
 *
 * Not `{ ...map, [key]: value }`: V8 gives an object literal a hidden class per set of keys, and the keys here are ids
 * unique to the city — every case's map has keys no other has, so every spread made hidden classes of its own (and a
 * rebuild spent a fifth of its fold making them). A null-prototype object is kept as a hash table instead, and copying
 * one takes a third of the time. Entries keep their insertion order, as with a spread (and JSON keeps it).
 */
export function withEntry<V>(map: Readonly<Record<string, V>>, key: string, value: V): Record<string, V> {
  const next = Object.create(null) as Record<string, V>;
  for (const k in map) next[k] = map[k]!;
  next[key] = value;
  return next;
}
