/**
 * An optional capability of an EventStore adapter: its rows as the auditor (infra/audit/verify.ts) needs
 * them, with data and metadata as the stored text instead of parsed objects. A store that writes the
 * canonical texts its hashes were computed over (the SQLite store) lets the auditor hash what is stored
 * without parsing and re-serialising every event; stores without it (PostgreSQL, EventStoreDB) are
 * verified through the port's readAll.
 */
import type { EventMetadata, EventStore } from '../../ports/eventStore.js';
import type { ChainedEvent } from './eventHash.js';

/**
 * One stored event, as the columns come from the engine: no object per row beyond this array. The position
 * is a number: the source only offers rows while every position is a safe integer (see `chainRowsOf`).
 */
export type ChainRow = [
  position: number,
  streamId: string,
  revision: number,
  type: string,
  data: string,
  metadata: string,
  recordedAt: string,
  /** null when the stored hash is missing */
  hash: string | null,
  prevHash: string | null,
];

export interface ChainRowSource {
  /** the events with position > `after`, in position order, at most `maxCount` of them */
  readChainRows(after: number, maxCount: number): ChainRow[];
}

/** the store's row source, or null when it has none or its positions no longer fit a number exactly */
export function chainRowsOf(store: EventStore, head: bigint | null): ChainRowSource | null {
  const source = store as EventStore & Partial<ChainRowSource>;
  if (typeof source.readChainRows !== 'function') return null;
  if (head !== null && head > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return source as ChainRowSource;
}

/** the stored event, parsed as the store's readAll parses it (so a row that is not JSON fails the same way) */
export function chainedEventOfRow(row: ChainRow): ChainedEvent & { position: bigint; hash: string } {
  const [position, streamId, revision, type, data, metadata, recordedAt, hash, prevHash] = row;
  return {
    streamId,
    revision: Number(revision), // as readAll: a revision stored as text is read as a number
    position: BigInt(position),
    type,
    data: JSON.parse(data) as Record<string, unknown>,
    metadata: JSON.parse(metadata) as EventMetadata,
    recordedAt,
    hash: hash ?? '',
    prevHash,
  };
}
