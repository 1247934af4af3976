import type { EventStore } from '../../ports/eventStore.js';

/**
 * The store seen through this port only: whatever else an adapter offers (SQLite's raw-row reads …) is hidden,
 * so a caller takes its generic path. `close` does nothing: the view does not own the store.
 */
export function portOnly(store: EventStore): EventStore {
  return {
    append: (requests) => store.append(requests),
    readStream: (streamId, options) => store.readStream(streamId, options),
    readAll: (options) => store.readAll(options),
    subscribe: (options) => store.subscribe(options),
    findByIdempotencyKeys: (keys) => store.findByIdempotencyKeys(keys),
    headPosition: () => store.headPosition(),
    close: () => Promise.resolve(),
  };
}
