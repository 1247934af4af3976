/**
 * The one door stored events come through to be understood (events.md §2 "Versions"): each event's data in the
 * current shape of its type, upcast from the version it was stored under (domain/catalog/versions.ts). The case
 * and meeting folds (application/commandHandler.ts loadStream), the projection runner (every read model, rebuilds
 * and `liandong replay`), `case(id, asOf | atRevision)` and the case timeline read through it. What reads events
 * as stored — the audit (hashes are over the stored bytes) and the `history` of stored events — does not.
 */
import { upcastStored } from '../domain/catalog/versions.js';
import type { EventStore, RecordedEvent } from './eventStore.js';

/** the stored event with its data in the current shape; the same object when its version is the current one */
export function currentShape(event: RecordedEvent): RecordedEvent {
  const data = upcastStored(event.type, event.metadata.dataschema, event.data, event.metadata.time);
  return data === event.data ? event : { ...event, data };
}

const allCurrent = (events: RecordedEvent[]): RecordedEvent[] => {
  for (let i = 0; i < events.length; i++) {
    if (currentShape(events[i]!) !== events[i]) return events.map(currentShape);
  }
  return events;
};

/** The store as the domain reads it: every event it delivers (readStream, readAll, subscribe) in the current shape. */
export function readingCurrentShapes(store: EventStore): EventStore {
  return {
    append: (requests) => store.append(requests),
    readStream: async (streamId, options) => allCurrent(await store.readStream(streamId, options)),
    readAll: async (options) => allCurrent(await store.readAll(options)),
    subscribe: (options) => store.subscribe({ ...options, onEvent: (event) => options.onEvent(currentShape(event)) }),
    findByIdempotencyKeys: (keys) => store.findByIdempotencyKeys(keys),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
}
