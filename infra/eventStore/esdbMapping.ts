/**
 * The pure half of the EventStoreDB adapter: how the port's revisions, positions, idempotency keys,
 * metadata and errors map onto EventStoreDB's, with no connection involved (unit-tested in
 * test/unit/eventStore/esdbMapping.spec.ts). docs/decisions.md, "Event store (EventStoreDB)", explains
 * the choices.
 */
import { createHash } from 'node:crypto';
import { ErrorType } from '@eventstore/db-client';
import { ExpectedRevisionConflict, type EventMetadata, type ExpectedRevision, type NewEvent } from '../../ports/eventStore.js';

// ── revisions ────────────────────────────────────────────────────────────────────────────────────────

export type EsdbExpectedRevision = 'no_stream' | 'any' | bigint;
/** what EventStoreDB reports as a stream's current revision in a WrongExpectedVersion answer */
export type EsdbCurrentRevision = 'no_stream' | bigint;

export function toEsdbExpectedRevision(expected: ExpectedRevision): EsdbExpectedRevision {
  if (expected === 'no_stream' || expected === 'any') return expected;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new RangeError(`expected revision must be a non-negative integer, 'no_stream' or 'any', got ${String(expected)}`);
  }
  return BigInt(expected);
}

/** EventStoreDB revision (uint64) → the port's revision (a JS number); `no_stream` → null */
export function fromEsdbRevision(revision: EsdbCurrentRevision): number | null {
  if (revision === 'no_stream') return null;
  if (revision < 0n || revision > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`stream revision ${revision} is outside the range this program handles`);
  }
  return Number(revision);
}

export function revisionMatches(expected: ExpectedRevision, actual: number | null): boolean {
  if (expected === 'any') return true;
  return expected === 'no_stream' ? actual === null : actual === expected;
}

// ── positions ────────────────────────────────────────────────────────────────────────────────────────

/** EventStoreDB's position of a record in `$all`: byte offsets in the transaction log */
export interface EsdbPosition {
  commit: bigint;
  prepare: bigint;
}

const UINT64_MAX = (1n << 64n) - 1n;

/**
 * `$all` is ordered by (commit, prepare). The events of one append share their commit position and
 * differ in their prepare position, so neither number alone is a unique event position, and prepare
 * alone cannot be turned back into a position to resume from. Both fit in 64 bits each, so
 * `commit · 2⁶⁴ + prepare` is unique, strictly increasing in `$all` order (it *is* the lexicographic
 * order), and decodes back exactly.
 */
export function encodePosition(position: EsdbPosition): bigint {
  const { commit, prepare } = position;
  // uint64 max is what servers before 22.6 send for "no position" (stream reads); never a real offset
  if (commit < 0n || commit >= UINT64_MAX || prepare < 0n || prepare >= UINT64_MAX) {
    throw new RangeError(`not an EventStoreDB log position: commit ${commit}, prepare ${prepare}`);
  }
  return (commit << 64n) | prepare;
}

/**
 * Whether a read returned a real log position. Servers before 22.6 leave it out of stream reads: absent,
 * or the protocol's defaults (0/0, which is the log's first record and never an event; uint64 max).
 */
export const hasLogPosition = (position: EsdbPosition | undefined): position is EsdbPosition =>
  position !== undefined &&
  !(position.commit === 0n && position.prepare === 0n) &&
  position.commit < UINT64_MAX &&
  position.prepare < UINT64_MAX;

export function decodePosition(position: bigint): EsdbPosition {
  if (position < 0n || position >> 128n !== 0n) {
    throw new RangeError(`position ${position} was not made by the EventStoreDB adapter (it must be a 128-bit unsigned value)`);
  }
  return { commit: position >> 64n, prepare: position & UINT64_MAX };
}

// ── idempotency keys ─────────────────────────────────────────────────────────────────────────────────

/** namespace of the event ids derived from idempotency keys (a fixed random UUID) */
export const IDEMPOTENCY_NAMESPACE = '90e5117d-97bf-41a3-ae5b-73aef7262ac6';

/** RFC 4122 §4.3 name-based UUID, version 5 (SHA-1) */
export function uuidV5(name: string, namespace: string): string {
  const namespaceHex = namespace.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(namespaceHex)) throw new RangeError(`not a UUID: ${namespace}`);
  const bytes = createHash('sha1').update(Buffer.from(namespaceHex, 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The event id of an event with an idempotency key: the same key always gives the same id, so a retry
 * of the very same write is also recognised by EventStoreDB's own (per-stream, recent-window) check.
 */
export const eventIdForIdempotencyKey = (key: string): string => uuidV5(key, IDEMPOTENCY_NAMESPACE);

/**
 * One small stream per key holds its claims (the global "has this key been stored?" index). A plain
 * stream name, not `$…`: system streams need `$admins` rights; the events in it have `$`-types, so the
 * adapter's system-event filter hides them from `$all` readers.
 */
export const idempotencyStreamOf = (key: string): string =>
  `${IDEMPOTENCY_STREAM_PREFIX}${createHash('sha256').update(key, 'utf8').digest('hex')}`;
export const IDEMPOTENCY_STREAM_PREFIX = 'liandong.idempotency-';
export const CLAIMED_TYPE = '$liandong.idempotency-claimed';
export const RELEASED_TYPE = '$liandong.idempotency-released';

/** where the event carrying the key will be: stream, revision and event id */
export interface ClaimTarget {
  streamId: string;
  revision: number;
  eventId: string;
}

export interface ClaimData extends ClaimTarget {
  idempotencyKey: string;
}

export interface ReleaseData {
  /** revision (in the key's stream) of the claim this releases */
  claimRevision: number;
}

/** a record of a key's stream, as read back */
export type IndexRecord =
  | { kind: 'claimed'; indexRevision: number; createdAt: Date; target: ClaimTarget }
  | { kind: 'released'; indexRevision: number; claimRevision: number };

export function parseIndexRecord(type: string, indexRevision: number, createdAt: Date, data: unknown): IndexRecord | null {
  if (typeof data !== 'object' || data === null) return null;
  const fields = data as Record<string, unknown>;
  if (type === CLAIMED_TYPE) {
    const { streamId, revision, eventId } = fields;
    if (typeof streamId !== 'string' || typeof eventId !== 'string' || !Number.isSafeInteger(revision)) return null;
    return { kind: 'claimed', indexRevision, createdAt, target: { streamId, revision: revision as number, eventId } };
  }
  if (type === RELEASED_TYPE && Number.isSafeInteger(fields.claimRevision)) {
    return { kind: 'released', indexRevision, claimRevision: fields.claimRevision as number };
  }
  return null;
}

/** claims not undone by a release, oldest first: the only places the key's event can be */
export function liveClaims(records: readonly IndexRecord[]): Extract<IndexRecord, { kind: 'claimed' }>[] {
  const released = new Set(records.flatMap((record) => (record.kind === 'released' ? [record.claimRevision] : [])));
  return records.filter((record): record is Extract<IndexRecord, { kind: 'claimed' }> => record.kind === 'claimed' && !released.has(record.indexRevision));
}

/**
 * A key whose last record is an unreleased claim is being stored by someone right now — unless the claim
 * is older than the claim timeout, when its writer is taken to have died before (or without) appending.
 */
export function claimIsPending(records: readonly IndexRecord[], nowMs: number, claimTimeoutMs: number): boolean {
  const last = records.at(-1);
  return last !== undefined && last.kind === 'claimed' && nowMs - last.createdAt.getTime() < claimTimeoutMs;
}

// ── events and metadata ──────────────────────────────────────────────────────────────────────────────

/** `$`-streams and `$`-types are EventStoreDB's own (and the adapter's idempotency records) */
export const isSystemEvent = (streamId: string, type: string): boolean => streamId.startsWith('$') || type.startsWith('$');

/** the JSON metadata stored with every event (EventStoreDB's own `created` is the server's clock) */
export type StoredMetadata = {
  platform: EventMetadata;
  idempotencyKey: string | null;
  /** from the adapter's injected clock: the same source as the SQLite and PostgreSQL adapters */
  recordedAt: string;
  /** the stream's hash chain (eventHash.ts); '' when a stored event lacks it */
  hash: string;
  prevHash: string | null;
};

export const toStoredMetadata = (
  event: NewEvent,
  recordedAt: string,
  chain: { hash: string; prevHash: string | null },
): StoredMetadata => ({
  platform: event.metadata,
  idempotencyKey: event.idempotencyKey ?? null,
  recordedAt,
  hash: chain.hash,
  prevHash: chain.prevHash,
});

/** null for an event this adapter did not write (another application sharing the database) */
export function parseStoredMetadata(value: unknown): StoredMetadata | null {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return null;
  const { platform, idempotencyKey, recordedAt, hash, prevHash } = value as Record<string, unknown>;
  if (typeof platform !== 'object' || platform === null || typeof recordedAt !== 'string') return null;
  if (idempotencyKey !== null && typeof idempotencyKey !== 'string') return null;
  return {
    platform: platform as EventMetadata,
    idempotencyKey,
    recordedAt,
    hash: typeof hash === 'string' ? hash : '',
    prevHash: typeof prevHash === 'string' ? prevHash : null,
  };
}

// ── errors ───────────────────────────────────────────────────────────────────────────────────────────

/** EventStoreDB could not be reached, or did not answer in time; the operation may be retried */
export class EventStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/** the connection string's user may not do what the adapter asked */
export class EventStoreAccessDeniedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreAccessDeniedError';
  }
}

/** `esdb://admin:changeit@host:2113?tls=false` → `host:2113`, for messages (no credentials) */
export function describeEndpoint(connectionString: string): string {
  const match = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?]*)/i.exec(connectionString.trim());
  return match?.[1] ? match[1] : '(unparseable connection string)';
}

// gRPC status codes (the client does not convert every transport failure into its own error classes)
const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_ABORTED = 10;
const GRPC_UNAVAILABLE = 14;
const GRPC_UNAUTHENTICATED = 16;

const errorTypeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string'
    ? (error as { type: string }).type
    : undefined;

const grpcCodeOf = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number'
    ? (error as { code: number }).code
    : undefined;

export const isWrongExpectedVersion = (error: unknown): boolean => errorTypeOf(error) === ErrorType.WRONG_EXPECTED_VERSION;
export const isStreamNotFound = (error: unknown): boolean => errorTypeOf(error) === ErrorType.STREAM_NOT_FOUND;

/** WrongExpectedVersionError → the port's conflict, with the stream's actual revision */
export function conflictFromWrongExpectedVersion(error: unknown, streamId: string, expected: ExpectedRevision): ExpectedRevisionConflict {
  const actual = (error as { actualVersion?: unknown }).actualVersion;
  const current: EsdbCurrentRevision = typeof actual === 'bigint' ? actual : 'no_stream';
  return new ExpectedRevisionConflict(streamId, expected, fromEsdbRevision(current));
}

/**
 * A client error → one that says what went wrong in this deployment's terms. Conflicts are translated
 * where the expected revision is known (conflictFromWrongExpectedVersion); anything unrecognised is
 * returned unchanged.
 */
export function translateEsdbError(error: unknown, context: { endpoint: string; operation: string }): Error {
  const { endpoint, operation } = context;
  const type = errorTypeOf(error);
  const code = grpcCodeOf(error);
  const detail = error instanceof Error && error.message ? `: ${error.message}` : '';
  if (
    type === ErrorType.UNAVAILABLE ||
    type === ErrorType.NOT_LEADER ||
    (type === undefined && code === GRPC_UNAVAILABLE)
  ) {
    return new EventStoreUnavailableError(
      `EventStoreDB at ${endpoint} is not reachable (${operation})${detail}. Check EVENTSTORE_URL and that the server (or the cluster leader) is up.`,
      { cause: error },
    );
  }
  if (
    type === ErrorType.DEADLINE_EXCEEDED ||
    type === ErrorType.TIMEOUT ||
    (type === undefined && (code === GRPC_DEADLINE_EXCEEDED || code === GRPC_ABORTED))
  ) {
    return new EventStoreUnavailableError(`EventStoreDB at ${endpoint} did not answer in time (${operation})${detail}.`, { cause: error });
  }
  if (type === ErrorType.CANCELLED || (type === undefined && code === GRPC_CANCELLED)) {
    return new EventStoreUnavailableError(`EventStoreDB at ${endpoint} cancelled the call (${operation})${detail}.`, { cause: error });
  }
  if (type === ErrorType.ACCESS_DENIED || (type === undefined && (code === GRPC_UNAUTHENTICATED || code === GRPC_PERMISSION_DENIED))) {
    return new EventStoreAccessDeniedError(
      `EventStoreDB at ${endpoint} denied access (${operation})${detail}. The user in EVENTSTORE_URL needs read on $all and write on ` +
        `the case-, meeting- and ${IDEMPOTENCY_STREAM_PREFIX}… streams.`,
      { cause: error },
    );
  }
  if (type === ErrorType.STREAM_DELETED) {
    const streamName = (error as { streamName?: unknown }).streamName;
    return new Error(`stream ${String(streamName)} has been deleted in EventStoreDB (${operation}); liandong never deletes streams`, { cause: error });
  }
  if (type === ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED) {
    const limit = (error as { maxAppendSize?: unknown }).maxAppendSize;
    return new Error(`append exceeds EventStoreDB's maximum append size (${String(limit)} bytes) (${operation})`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
