/**
 * Projections are data (style.md shape 6): which events they read, which documents an event touches,
 * and a pure evolve per document. The runner (runner.ts) does everything with I/O: reading events,
 * loading and caching documents, committing documents and checkpoint together, idempotency.
 */
import type { RecordedEvent } from '../ports/eventStore.js';
import type { CountedGroups } from '../ports/readModelStore.js';

/** Lookups a projection needs besides the event (agency registry, calendar…), passed in by the composition root. */
export interface ProjectionContext {
  [k: string]: unknown;
}

/** The document key an event touches. */
export type DocumentKey = readonly [collection: string, id: string];

export interface Evolved {
  /** the document after the event; null deletes it (and its index entries) */
  doc: unknown | null;
  /**
   * index name → values the document is found under. Each index named replaces the document's previous
   * entries for that index; indexes not named keep theirs; omit to keep all.
   */
  indexes?: Record<string, readonly string[]>;
}

export interface Projection<Ctx = unknown> {
  /** the checkpoint's name: renaming a projection rebuilds it from the start */
  name: string;
  /**
   * Which version of its evolve built the stored documents (default 1). Raise it when the same events would now give
   * other documents (a new field, a rule the law changed): at the next start the runner rebuilds the projection from
   * the first event, so a deployment never serves documents of two versions side by side.
   */
  revision?: number;
  /** event types it handles; others are skipped (but the checkpoint still advances) */
  canHandle: readonly string[];
  /** every collection it writes, and only those: a rebuild resets exactly these */
  collections: readonly string[];
  /**
   * Indexes (of any of its collections) read only with findRange / countRange: the store keeps only their ordered
   * entries (DocumentWrite.rangeIndexes). Changing this list needs a rebuild: rename the projection.
   */
  rangeIndexes?: readonly string[];
  /**
   * Indexes counted per group (DocumentWrite.countedGroups): a count the gateway asks for a whole group — a board lane
   * of every handoff the city ever had — is then a lookup, not a walk. May change without a rebuild.
   */
  countedGroups?: Readonly<Record<string, CountedGroups>>;
  /** which documents an event touches; [] for none. Every collection must be in `collections`. */
  keys(event: RecordedEvent, ctx: Ctx): readonly DocumentKey[];
  /**
   * Pure: the document after the event. `doc` is the stored document (frozen — build a new one) or null,
   * and carries the runner's `_position` field, which evolve may ignore. Returning the same `doc` object
   * without `indexes` means "no change" and writes nothing.
   */
  evolve(doc: unknown | null, event: RecordedEvent, ctx: Ctx, collection: string): Evolved;
}

/**
 * The field the runner adds to every document it writes: the position (decimal string) of the last event
 * applied to it. An event at or below it is never applied again, so a re-delivered event is harmless.
 */
export const POSITION_FIELD = '_position';

/**
 * Folds events through a projection in memory, the way the runner would (same skipping, same `_position`),
 * for given-events/then-document tests: `projectEvents(p, events, ctx).get('cases')?.get('c-1')?.doc`.
 */
export function projectEvents<Ctx>(
  projection: Projection<Ctx>,
  events: readonly RecordedEvent[],
  ctx: Ctx,
): Map<string, Map<string, { doc: unknown; indexes: Record<string, readonly string[]> }>> {
  const handles = new Set(projection.canHandle);
  const collections = new Map<string, Map<string, { doc: unknown; indexes: Record<string, readonly string[]> }>>();
  for (const event of events) {
    if (!handles.has(event.type)) continue;
    for (const [collection, id] of projection.keys(event, ctx)) {
      if (!projection.collections.includes(collection)) {
        throw new Error(`projection ${projection.name} wrote to undeclared collection ${collection}`);
      }
      let docs = collections.get(collection);
      if (docs === undefined) collections.set(collection, (docs = new Map()));
      const current = docs.get(id);
      if (current !== undefined && positionOf(current.doc) !== null && positionOf(current.doc)! >= event.position) continue;
      const result = projection.evolve(current?.doc ?? null, event, ctx, collection);
      if (result.doc === null) {
        docs.delete(id);
        continue;
      }
      if (result.doc === current?.doc && result.indexes === undefined) continue;
      docs.set(id, {
        doc: withPosition(result.doc, event.position),
        indexes: { ...current?.indexes, ...result.indexes },
      });
    }
  }
  return collections;
}

/** the `_position` of a stored document, null for a document without one */
export function positionOf(doc: unknown): bigint | null {
  if (typeof doc !== 'object' || doc === null) return null;
  const position = (doc as Record<string, unknown>)[POSITION_FIELD];
  return typeof position === 'string' ? BigInt(position) : null;
}

/** a copy of `doc` stamped with the position of the last event applied to it */
export function withPosition(doc: unknown, position: bigint): Record<string, unknown> {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new TypeError(`a projection document must be a JSON object, got ${Array.isArray(doc) ? 'an array' : typeof doc}`);
  }
  return { ...(doc as Record<string, unknown>), [POSITION_FIELD]: position.toString() };
}
