/**
 * The read-model change feed (graphql.md revision 2 `Subscription`): after a projection's commit, which documents
 * of which collection it changed. Published by whoever commits the read models (the projections runner's store,
 * infra/readModels/publishingReadModels.ts) and followed by whoever serves subscriptions, which reads the documents
 * again — a change names documents, it does not carry them, so a listener always sees what is committed and a
 * message stays small however large the document.
 *
 * Delivery is at most once and only to listeners present when it is published: a live view that reconnects asks
 * for the current state again (the console refetches), it does not replay missed changes.
 */
export interface ReadModelChange {
  /** the collection the documents live in (e.g. `clocks`, `cases`) */
  collection: string;
  /** ids of the documents the commit wrote or deleted */
  ids: readonly string[];
}

export type ChangeListener = (change: ReadModelChange) => void;

export interface ChangeFeed {
  /** resolves once the change is handed over (not once every listener has handled it) */
  publish(change: ReadModelChange): Promise<void>;
  /** calls `listener` for every change published from now on, until the returned function is called */
  subscribe(listener: ChangeListener): () => void;
  /**
   * Resolves once this process's listeners hear what is published from now on, wherever it is published
   * (across processes a subscription takes a round trip to be in place). Call after subscribe.
   */
  listening(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The in-process feed: the embedded program projects and serves in one process. A listener that throws is
 * skipped, not allowed to stop the others (or the commit that published).
 */
export function createInProcessChangeFeed(onListenerError: (error: unknown) => void = () => undefined): ChangeFeed {
  const listeners = new Set<ChangeListener>();
  return {
    publish: async (change) => {
      for (const listener of [...listeners]) {
        try {
          listener(change);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
    subscribe: (listener) => {
      // a wrapper per subscription, so the same function subscribed twice is two subscriptions
      const own: ChangeListener = (change) => listener(change);
      listeners.add(own);
      return () => void listeners.delete(own);
    },
    listening: async () => undefined,
    close: async () => listeners.clear(),
  };
}
