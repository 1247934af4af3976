import type { ChangeFeed } from '../../ports/changeFeed.js';
import type { DocumentWrite, ReadModelStore } from '../../ports/readModelStore.js';

/**
 * A read-model store that tells a change feed what each commit changed in the watched collections, once the commit
 * has succeeded — so a subscriber reading the documents on hearing of it finds them committed. Only the live store
 * the runner commits to is wrapped; a rebuild's target is a fresh store nobody reads.
 *
 * A failed publish is reported, not thrown: the commit stands, and a live view misses one change rather than the
 * projection stopping (the feed is at most once, ports/changeFeed.ts).
 */
export function publishingReadModels(store: ReadModelStore, options: { feed: ChangeFeed; collections: readonly string[]; onPublishError?: (error: unknown) => void }): ReadModelStore {
  const watched = new Set(options.collections);
  const changedIds = (writes: readonly DocumentWrite[]): Map<string, Set<string>> => {
    const byCollection = new Map<string, Set<string>>();
    for (const write of writes) {
      if (!watched.has(write.collection)) continue;
      let ids = byCollection.get(write.collection);
      if (!ids) byCollection.set(write.collection, (ids = new Set()));
      ids.add(write.id);
    }
    return byCollection;
  };
  return {
    get: (collection, id) => store.get(collection, id),
    getMany: (collection, ids) => store.getMany(collection, ids),
    findIds: (collection, index, value) => store.findIds(collection, index, value),
    findRange: (collection, index, query) => store.findRange(collection, index, query),
    countRange: (collection, index, bounds) => store.countRange(collection, index, bounds),
    listIds: (collection) => store.listIds(collection),
    checkpoint: (projection) => store.checkpoint(projection),
    reset: (projections, collections) => store.reset(projections, collections),
    close: () => store.close(),
    ...(store.rebuildBufferDocuments === undefined ? {} : { rebuildBufferDocuments: store.rebuildBufferDocuments }),
    ...(store.holdsEventLoop === undefined ? {} : { holdsEventLoop: store.holdsEventLoop }),
    async commit(projection, position, writes) {
      await store.commit(projection, position, writes);
      for (const [collection, ids] of changedIds(writes)) {
        await options.feed.publish({ collection, ids: [...ids] }).catch((error: unknown) => options.onPublishError?.(error));
      }
    },
  };
}
