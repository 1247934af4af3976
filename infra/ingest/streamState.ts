import type { DomainEvent } from '../../domain/shared/events.js';
import type { RecordedEvent } from '../eventStore/eventStore.js';

/** The domain's view of a stored event: the fact, with envelope time and publisher from the metadata. */
export const toDomainEvent = (e: RecordedEvent): DomainEvent & { subject: string } => ({
  type: e.type,
  data: e.data,
  time: e.metadata.time,
  source: e.metadata.source,
  // the stream's own id (case or meeting id): published data does not repeat it
  subject: e.streamId.slice(e.streamId.indexOf('-') + 1),
});
