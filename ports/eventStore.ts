/**
 * The EventStore port. Every engine (SQLite embedded, PostgreSQL, EventStoreDB) implements it and runs
 * the same contract suite (test/contract/eventStore.contract.ts).
 *
 * Positions are the store's global order: strictly increasing, never reused, and a reader that has
 * seen position P never later sees a new event with a position ≤ P (no "late commits" behind a reader).
 * They are bigint in code and decimal strings on the wire.
 */

export type Channel = 'http' | 'kafka' | 'graphql' | 'platform';

/** Platform metadata kept with every stored event (graphql.md StoredEvent). */
export interface EventMetadata {
  /** publishing agency id; null for the platform's own events */
  source: string | null;
  /** the CloudEvent id (null for mutations and platform events) */
  eventId: string | null;
  /** the configured principal name that sent it, or the organizer who ran the mutation */
  principal: string | null;
  channel: Channel;
  /** envelope time: when it happened at the agency (RFC 3339) */
  time: string;
  /** CloudEvent subject, when there is one */
  subject?: string;
  /**
   * `urn:liandong:<type>:<version>`: the catalog version the fact was published under (events.md §2), written for
   * every published fact since revision 2 — absent on events stored before it (version 1) and on the platform's
   * own events. Read paths upcast by it (currentShape.ts).
   */
  dataschema?: string;
  /** unknown extra CloudEvent attributes, kept verbatim (events.md §2) */
  extensions?: Record<string, unknown>;
  /** position of the event that caused this one (policy events) */
  causedBy?: string;
}

export interface NewEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  /**
   * Forever-unique key, e.g. `${source}/${cloudEventId}`. Appending a key that exists fails the whole
   * append with DuplicateEventError — the caller then answers `duplicate` with the original position.
   */
  idempotencyKey?: string;
}

export interface RecordedEvent {
  streamId: string;
  /** 0-based revision within the stream */
  revision: number;
  position: bigint;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  /** when the platform stored it (RFC 3339, UTC) */
  recordedAt: string;
  idempotencyKey: string | null;
  /**
   * The stream's hash chain (eventHash.ts, docs/audit.md), computed by the store inside the append
   * transaction and kept with the event: SHA-256 (hex) of the canonical form of streamId, revision, type,
   * time, recordedAt, data, metadata and prevHash. Read back as stored, never recomputed, so an auditor
   * (infra/audit/verify.ts) can compare; an empty string means the stored value is missing.
   */
  hash: string;
  /** `hash` of the previous revision of the same stream; null for revision 0 */
  prevHash: string | null;
}

/**
 * `no_stream`: the stream must not exist; a number: the revision of the stream's last event;
 * `any`: no check (platform use only).
 */
export type ExpectedRevision = number | 'no_stream' | 'any';

export interface AppendRequest {
  streamId: string;
  expectedRevision: ExpectedRevision;
  events: NewEvent[];
}

export interface AppendResult {
  streamId: string;
  /** revision of the stream's last event after the append */
  nextExpectedRevision: number;
  /** positions of the appended events, in order */
  positions: bigint[];
}

export interface ReadStreamOptions {
  /** first revision to return (default 0) */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** exclusive: return events with position > after (default: from the beginning) */
  after?: bigint | null;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** exclusive checkpoint: deliver events with position > after; null = from the beginning */
  after: bigint | null;
  /** called in position order, one call at a time; the next call waits for the promise */
  onEvent(event: RecordedEvent): Promise<void> | void;
  /** called once the subscription has delivered everything stored when it started */
  onCaughtUp?(): void;
  /**
   * The subscription has ended because onEvent threw (that event is not acknowledged) or the engine
   * failed; nothing more is delivered. Resubscribe from the last checkpoint to resume.
   */
  onError?(error: unknown): void;
}

export interface Subscription {
  /**
   * stop delivering; resolves once no onEvent call is in flight (so awaiting it from inside onEvent
   * never resolves — call it without awaiting there)
   */
  stop(): Promise<void>;
}

export interface EventStore {
  /**
   * Append to one or more streams. All requests of one call are applied atomically where the engine
   * allows it (SQLite, PostgreSQL: one transaction; EventStoreDB: per stream) and are durable when the
   * promise resolves. Throws ExpectedRevisionConflict or DuplicateEventError and then appends nothing.
   */
  append(requests: AppendRequest[]): Promise<AppendResult[]>;
  /** events of one stream in revision order; [] for a stream that does not exist */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** events of every stream in position order */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribe(options: SubscribeOptions): Subscription;
  /** original positions for idempotency keys that exist */
  findByIdempotencyKeys(keys: readonly string[]): Promise<Map<string, bigint>>;
  /** the highest stored position, or null for an empty store */
  headPosition(): Promise<bigint | null>;
  close(): Promise<void>;
}

export class ExpectedRevisionConflict extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | null,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${actual === null ? 'no stream' : actual}`);
    this.name = 'ExpectedRevisionConflict';
  }
}

export class DuplicateEventError extends Error {
  constructor(readonly idempotencyKey: string) {
    super(`idempotency key ${idempotencyKey} already stored`);
    this.name = 'DuplicateEventError';
  }
}
