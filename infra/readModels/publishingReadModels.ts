import type { ChangeFeed } from '../../ports/changeFeed.js';
import { wrapReadModelStore, type DocumentWrite, type ReadModelStore } from '../../ports/readModelStore.js';

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
  return wrapReadModelStore(store, {
    async commit(projection, position, writes) {
      await store.commit(projection, position, writes);
      for (const [collection, ids] of changedIds(writes)) {
        await options.feed.publish({ collection, ids: [...ids] }).catch((error: unknown) => options.onPublishError?.(error));
      }
    },
  });
}
