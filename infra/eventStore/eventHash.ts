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
import type { EventMetadata } from '../../ports/eventStore.js';
import { canonicalJson } from '../../ports/canonicalJson.js';

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

/** the separator between data and metadata in the chained text */
const METADATA_MEMBER = ',"metadata":';
/** `time` sorts after every other metadata member, so canonical metadata text ends with this member */
const TIME_MEMBER = ',"time":"';

/**
 * The hash of a stored event straight from its stored data and metadata texts, as if they were the
 * canonical texts (what the SQLite store writes): no parsing, and the `time` member copied from the end of
 * the metadata text. The auditor's fast path: only a result EQUAL to the stored hash proves anything.
 * Anything else (texts written before they were stored canonical, or changed since; and, as a shortcut
 * here, fields with characters JSON escapes) must be checked the slow way, by canonicalising the parsed
 * values (`eventHash`); null says so at once.
 *
 * Why a match proves the stored event is the one that was hashed: the text is `{"data":D,"metadata":M`
 * followed by members whose values contain no quote or backslash of their own, so those members can only
 * line up with the original ones, value for value. The one way two different (D, M) pairs give the same
 * text is by moving the split between them, which needs `,"metadata":` inside D or M: those get null.
 */
export function eventHashFromStoredText(data: string, metadata: string, event: Omit<ChainedFields, 'time'>): string | null {
  if (data.includes(METADATA_MEMBER) || metadata.includes(METADATA_MEMBER)) return null;
  const at = metadata.lastIndexOf(TIME_MEMBER);
  if (at < 0 || !metadata.endsWith('"}') || !storedTypesFit(event)) return null;
  const timeMember = metadata.slice(at, -1); // ,"time":"…"
  if (timeMember.indexOf('"', TIME_MEMBER.length) !== timeMember.length - 1 || timeMember.includes('\\')) return null;
  const { prevHash } = event;
  // one template, "…" instead of JSON.stringify: this runs for every event verified (JSON.stringify
  // here was a third of the time of building the text)
  return sha256Hex(
    `{"data":${data},"metadata":${metadata},"prevHash":${prevHash === null ? 'null' : plainQuoted(prevHash)},"recordedAt":${plainQuoted(event.recordedAt)}` +
      `,"revision":${event.revision},"streamId":${plainQuoted(event.streamId)}${timeMember},"type":${plainQuoted(event.type)}}`,
  );
}

/** a SQLite column holds whatever was written into it: anything but the port's types goes the slow way */
const storedTypesFit = ({ streamId, revision, type, recordedAt, prevHash }: Omit<ChainedFields, 'time'>): boolean =>
  typeof streamId === 'string' &&
  typeof revision === 'number' &&
  typeof type === 'string' &&
  typeof recordedAt === 'string' &&
  (prevHash === null || typeof prevHash === 'string');

/**
 * `"text"` for a string without quote or backslash, else JSON.stringify's form. Unlike JSON.stringify it
 * leaves control characters as they are: such a text then does not match, and the event takes the slow path.
 */
const plainQuoted = (text: string): string => (text.includes('"') || text.includes('\\') ? JSON.stringify(text) : `"${text}"`);

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
