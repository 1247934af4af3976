/**
 * The per-stream hash chain (graphql.md StoredEvent `hash` / `prevHash`; docs/audit.md "Event hash").
 *
 *   hash = lower-case hex SHA-256 of the UTF-8 bytes of the canonical JSON (canonicalJson.ts, RFC 8785) of
 *   { streamId, revision, type, time, recordedAt, data, metadata, prevHash }
 *
 * where `time` is metadata.time (the envelope time), `recordedAt` the store's RFC 3339 UTC timestamp (so
 * `case(asOf)` cannot be moved by editing it) and `prevHash` the hash of the stream's previous revision, or
 * null for revision 0. The global position is deliberately left out: it is assigned by the engine (an
 * EventStoreDB commit position is only known after the write) and changes when a store is copied to another
 * engine, while a stream's chain must survive that. The global order is sealed by the signed checkpoints
 * instead (infra/audit/checkpoints.ts).
 *
 * The stores compute it inside their append transaction, after reading the stream's last hash under the
 * write lock, so two appends can never chain onto the same predecessor.
 */
import { hash } from 'node:crypto';
import type { EventMetadata } from './eventStore.js';
import { canonicalJson } from './canonicalJson.js';

export interface ChainedEvent {
  streamId: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  /** RFC 3339 UTC, as stored */
  recordedAt: string;
  prevHash: string | null;
}

/** everything but data and metadata, with `time` taken out of the metadata */
export interface ChainedFields {
  streamId: string;
  revision: number;
  type: string;
  time: string;
  recordedAt: string;
  prevHash: string | null;
}

/** the exact bytes that are hashed (UTF-8 of this string) */
export function canonicalEventText(event: ChainedEvent): string {
  return chainedText(canonicalJson(event.data), canonicalJson(event.metadata), { ...event, time: event.metadata.time });
}

export function eventHash(event: ChainedEvent): string {
  return sha256Hex(canonicalEventText(event));
}

/**
 * The same hash from data and metadata already in canonical form, so an adapter can canonicalize before it
 * takes its write lock and do only the cheap part (one string and one SHA-256) under it.
 */
export function eventHashFromCanonical(
  canonicalData: string,
  canonicalMetadata: string,
  event: ChainedFields,
): string {
  return sha256Hex(chainedText(canonicalData, canonicalMetadata, event));
}

/**
 * The canonical object written by hand: its keys in RFC 8785 order (data < metadata < prevHash <
 * recordedAt < revision < streamId < time < type). test/unit/audit/eventHash.spec.ts checks that this
 * equals canonicalJson of the object.
 */
function chainedText(data: string, metadata: string, event: ChainedFields): string {
  const { time } = event;
  if (typeof time !== 'string') throw new TypeError(`event ${event.streamId}@${event.revision} has no metadata.time`);
  return (
    `{"data":${data},"metadata":${metadata},"prevHash":${event.prevHash === null ? 'null' : JSON.stringify(event.prevHash)}` +
    `,"recordedAt":${JSON.stringify(event.recordedAt)},"revision":${JSON.stringify(event.revision)}` +
    `,"streamId":${JSON.stringify(event.streamId)},"time":${JSON.stringify(time)},"type":${JSON.stringify(event.type)}}`
  );
}

// one-shot crypto.hash: about half the cost of createHash().update().digest() for inputs this small
const sha256Hex = (text: string): string => hash('sha256', text, 'hex');
