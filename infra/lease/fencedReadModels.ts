import { wrapReadModelStore, type ReadModelStore } from '../../ports/readModelStore.js';

/**
 * The read model store as a lease holder writes through it: every commit and reset first passes `fence`
 * (which throws LeaseLostError once the term is over), so a holder that has lost its lease stops writing
 * before its next batch rather than after the next checkpoint conflict. Reads and the store's hints pass straight
 * through (before wrapReadModelStore, the Redis store's smaller rebuild buffer was lost here).
 *
 * The check and the commit are two steps; a holder that stalls between them for longer than the TTL is
 * caught by the store itself (the Redis store's checkpoint fencing, CheckpointConflictError).
 */
export function fencedReadModelStore(store: ReadModelStore, fence: () => Promise<void>): ReadModelStore {
  return wrapReadModelStore(store, {
    async commit(projection, position, writes) {
      await fence();
      await store.commit(projection, position, writes);
    },
    async reset(projections, collections) {
      await fence();
      await store.reset(projections, collections);
    },
  });
}
