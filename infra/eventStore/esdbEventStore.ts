/**
 * The EventStore port on EventStoreDB / KurrentDB (gRPC client @eventstore/db-client, server ≥ 22.10).
 *
 * - Streams keep their names (`case-<id>`, `meeting-<id>`); data and metadata are JSON. The metadata is
 *   `{ platform, idempotencyKey, recordedAt, hash, prevHash }`, recordedAt from the injected clock
 *   (EventStoreDB's own `created` is the server's clock and is not used for it), the hash chain computed
 *   here against the stream's last event, which the exact expected revision of every append pins down.
 * - EventStoreDB has no multi-stream transaction: a call is checked as a whole first (expected
 *   revisions, idempotency keys), then appended stream by stream, in request order. A conflict that
 *   arises between the check and the append (another writer got in) can leave the call's earlier streams
 *   appended; the ingest pipeline's retry re-decides and finds those events by their idempotency keys.
 * - Idempotency keys are global through one claim stream per key, written before the event
 *   (`liandong.idempotency-<sha256(key)>`, expected revision: no stream / the stream's last record).
 * - Positions are `commit · 2⁶⁴ + prepare` of EventStoreDB's `$all` position (esdbMapping.ts).
 *
 * docs/decisions.md, "Event store (EventStoreDB)", explains each choice and what it costs.
 */
import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  NO_STREAM,
  START,
  excludeSystemEvents,
  type AllStreamSubscription,
  type AppendResult as EsdbAppendResult,
  type JSONEventData,
  type ReadPosition,
} from '@eventstore/db-client';
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../clock.js';
import { canonicalJson } from '../../ports/canonicalJson.js';
import { eventHashFromCanonical } from './eventHash.js';
import {
  DuplicateEventError,
  ExpectedRevisionConflict,
  type AppendRequest,
  type AppendResult,
  type EventStore,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../ports/eventStore.js';
import {
  CLAIMED_TYPE,
  RELEASED_TYPE,
  claimIsPending,
  conflictFromWrongExpectedVersion,
  decodePosition,
  describeEndpoint,
  encodePosition,
  eventIdForIdempotencyKey,
  fromEsdbRevision,
  hasLogPosition,
  idempotencyStreamOf,
  isStreamNotFound,
  isSystemEvent,
  isWrongExpectedVersion,
  liveClaims,
  parseIndexRecord,
  parseStoredMetadata,
  revisionMatches,
  toStoredMetadata,
  translateEsdbError,
  type ClaimData,
  type ClaimTarget,
  type EsdbPosition,
  type IndexRecord,
  type ReleaseData,
} from './esdbMapping.js';

export interface EsdbEventStoreOptions {
  /** e.g. `esdb://127.0.0.1:2113?tls=false` (EVENTSTORE_URL) */
  connectionString: string;
  clock?: Clock;
  /**
   * How long an idempotency claim without its event counts as "being appended right now". After that its
   * writer is taken to have died between claim and append, and the key may be claimed again. Must be well
   * above the append deadline plus the clock skew between this process and the server.
   */
  claimTimeoutMs?: number;
  /**
   * Deadline of each append (default 10 s). The client gives streaming reads no deadline of its own; a
   * dead connection under a read is detected by gRPC keep-alive (10 s + 10 s by default).
   */
  deadlineMs?: number;
}

/** the part of the client the adapter uses (a test can hand in a stand-in) */
export type EsdbClient = Pick<EventStoreDBClient, 'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'>;

const DEFAULT_CLAIM_TIMEOUT_MS = 30_000;
const DEFAULT_DEADLINE_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** records per `$all` read (system records included, which are filtered out here) */
const READ_PAGE = 1000;
const HEAD_PAGE = 100;
/** parallel reads/claims of one call; gRPC multiplexes them over one connection */
const PARALLEL = 32;
/** an `any` append with idempotency keys needs an exact revision for its claims: retries on a race */
const ANY_ATTEMPTS = 10;
const CLAIM_ATTEMPTS = 5;

/** Connects, checks the server answers, and returns the store; close() disconnects. */
export async function openEsdbEventStore(options: EsdbEventStoreOptions): Promise<EventStore> {
  const endpoint = describeEndpoint(options.connectionString);
  let client: EventStoreDBClient;
  try {
    client = EventStoreDBClient.connectionString(options.connectionString);
  } catch (error) {
    throw new Error(`EVENTSTORE_URL is not a valid EventStoreDB connection string (${endpoint}): ${String(error)}`, { cause: error });
  }
  try {
    // reading $all needs what the adapter needs anyway: a reachable leader and read rights on $all
    await withTimeout(drain(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })), CONNECT_TIMEOUT_MS);
  } catch (error) {
    await client.dispose().catch(() => undefined);
    throw translateEsdbError(error, { endpoint, operation: 'connecting' });
  }
  return createEsdbEventStore(client, { ...options, endpoint });
}

/** The adapter on an already connected client; it owns the client (close() disposes it). */
export function createEsdbEventStore(
  client: EsdbClient,
  options: Omit<EsdbEventStoreOptions, 'connectionString'> & { endpoint: string },
): EventStore {
  const clock = options.clock ?? systemClock;
  const claimTimeoutMs = options.claimTimeoutMs ?? DEFAULT_CLAIM_TIMEOUT_MS;
  const deadline = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const { endpoint } = options;
  const translate = (error: unknown, operation: string): Error => translateEsdbError(error, { endpoint, operation });

  // ── reads ──────────────────────────────────────────────────────────────────────────────────────────

  type EsdbEvent = {
    streamId: string;
    id: string;
    revision: bigint;
    type: string;
    created: Date;
    isJson: boolean;
    data: unknown;
    metadata: unknown;
    position?: EsdbPosition;
  };

  /** events of a stream as EventStoreDB has them; [] when the stream does not exist */
  async function readRaw(streamId: string, from: bigint | typeof START | typeof END, maxCount: number, direction: 'forwards' | 'backwards' = 'forwards'): Promise<EsdbEvent[]> {
    if (maxCount <= 0) return [];
    try {
      const resolved = await drain(client.readStream(streamId, { fromRevision: from, maxCount, direction, deadline }));
      return resolved.flatMap((entry) => (entry.event ? [entry.event as EsdbEvent] : []));
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw translate(error, `reading ${streamId}`);
    }
  }

  /** the stream's last revision and the hash the next event chains onto; null for no stream */
  async function streamHead(streamId: string): Promise<StreamHead | null> {
    const [last] = await readRaw(streamId, END, 1, BACKWARDS);
    if (last === undefined) return null;
    const hash = parseStoredMetadata(last.metadata)?.hash;
    return { revision: fromEsdbRevision(last.revision)!, hash: hash ? hash : null };
  }

  function positionOf(event: EsdbEvent): bigint {
    if (!hasLogPosition(event.position)) {
      throw new Error(`EventStoreDB at ${endpoint} returned ${event.streamId}@${event.revision} without its log position: the adapter needs server 22.10 or later`);
    }
    return encodePosition(event.position);
  }

  /** null for EventStoreDB's own events, the adapter's idempotency records and other applications' events */
  function toRecordedEvent(event: EsdbEvent): RecordedEvent | null {
    if (isSystemEvent(event.streamId, event.type) || !event.isJson) return null;
    const stored = parseStoredMetadata(event.metadata);
    if (stored === null) return null;
    return {
      streamId: event.streamId,
      revision: fromEsdbRevision(event.revision)!,
      position: positionOf(event),
      type: event.type,
      data: event.data as Record<string, unknown>,
      metadata: stored.platform,
      recordedAt: stored.recordedAt,
      idempotencyKey: stored.idempotencyKey,
      hash: stored.hash,
      prevHash: stored.prevHash,
    };
  }

  /** events of `$all` with position > after, at most maxCount (null: all) */
  async function readAllAfter(after: bigint | null, maxCount: number | null): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    // records at or before the cursor have been seen (a forward read from a position includes it)
    let cursor = after;
    let from: ReadPosition = after === null ? START : decodePosition(after);
    while (maxCount === null || events.length < maxCount) {
      const wanted = maxCount === null ? READ_PAGE : Math.min(READ_PAGE, Math.max(maxCount - events.length + 1, 16));
      let page: EsdbEvent[];
      try {
        page = (await drain(client.readAll({ fromPosition: from, maxCount: wanted, deadline }))).flatMap((entry) =>
          entry.event ? [entry.event as EsdbEvent] : [],
        );
      } catch (error) {
        throw translate(error, 'reading $all');
      }
      for (const raw of page) {
        const position = positionOf(raw);
        if (cursor !== null && position <= cursor) continue;
        cursor = position;
        const recorded = toRecordedEvent(raw);
        if (recorded !== null) events.push(recorded);
        if (maxCount !== null && events.length === maxCount) break;
      }
      if (page.length < wanted) break;
      from = page.at(-1)!.position!;
    }
    return events;
  }

  async function headPosition(): Promise<bigint | null> {
    let from: ReadPosition = END;
    for (;;) {
      let page: EsdbEvent[];
      try {
        page = (await drain(client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: HEAD_PAGE, deadline }))).flatMap((entry) =>
          entry.event ? [entry.event as EsdbEvent] : [],
        );
      } catch (error) {
        throw translate(error, 'reading the head of $all');
      }
      let head: bigint | null = null;
      for (const raw of page) {
        const recorded = toRecordedEvent(raw);
        if (recorded !== null && (head === null || recorded.position > head)) head = recorded.position;
      }
      if (head !== null) return head;
      if (page.length < HEAD_PAGE) return null;
      from = page.at(-1)!.position!;
    }
  }

  // ── idempotency keys ───────────────────────────────────────────────────────────────────────────────

  interface StreamHead {
    revision: number;
    /** null when the last event has no stored hash */
    hash: string | null;
  }

  type KeyState =
    | { status: 'stored'; position: bigint }
    | { status: 'pending' }
    /** indexRevision: the key stream's last revision, the expected revision of the next claim */
    | { status: 'free'; indexRevision: number | null };

  async function readIndex(key: string): Promise<IndexRecord[]> {
    const raw = await readRaw(idempotencyStreamOf(key), START, Number.MAX_SAFE_INTEGER);
    return raw.flatMap((event) => {
      const record = parseIndexRecord(event.type, fromEsdbRevision(event.revision)!, event.created, event.data);
      return record === null ? [] : [record];
    });
  }

  /** the position of the claimed event if it is in its stream where the claim said it would be */
  async function fulfilled(target: ClaimTarget): Promise<bigint | null> {
    const [event] = await readRaw(target.streamId, BigInt(target.revision), 1);
    return event !== undefined && event.id === target.eventId ? positionOf(event) : null;
  }

  async function keyState(key: string): Promise<KeyState> {
    const records = await readIndex(key);
    for (const claim of liveClaims(records)) {
      const position = await fulfilled(claim.target);
      if (position !== null) return { status: 'stored', position };
    }
    // Date.now(), not the injected clock: claims are timed by the server's `created`, in real time
    if (claimIsPending(records, Date.now(), claimTimeoutMs)) return { status: 'pending' };
    return { status: 'free', indexRevision: records.at(-1)?.indexRevision ?? null };
  }

  /** waits while another writer is between claiming the key and appending its event */
  async function settledKeyState(key: string): Promise<Exclude<KeyState, { status: 'pending' }>> {
    // twice the timeout covers a server clock somewhat ahead of ours; beyond that something is wrong
    const giveUpAt = Date.now() + 2 * claimTimeoutMs;
    for (let pause = 10; ; pause = Math.min(pause * 2, 500)) {
      const state = await keyState(key);
      if (state.status !== 'pending') return state;
      if (Date.now() > giveUpAt) {
        throw new Error(`idempotency key ${key} has been claimed for over ${2 * claimTimeoutMs} ms without its event appearing; is the server clock ahead?`);
      }
      await sleep(pause);
    }
  }

  interface Claim {
    key: string;
    indexRevision: number;
  }

  async function claim(key: string, target: ClaimTarget, known: KeyState | undefined): Promise<Claim> {
    let state = known?.status === 'free' ? known : await settledKeyState(key);
    for (let attempt = 1; ; attempt++) {
      if (state.status === 'stored') throw new DuplicateEventError(key);
      const data: ClaimData = { idempotencyKey: key, ...target };
      try {
        const result = await client.appendToStream(idempotencyStreamOf(key), jsonEvent(randomUUID(), CLAIMED_TYPE, data, undefined), {
          expectedRevision: state.indexRevision === null ? NO_STREAM : BigInt(state.indexRevision),
          deadline,
        });
        return { key, indexRevision: fromEsdbRevision(result.nextExpectedRevision)! };
      } catch (error) {
        if (!isWrongExpectedVersion(error)) throw translate(error, `claiming idempotency key ${key}`);
        // another writer claimed (or released) the key since we looked
        if (attempt >= CLAIM_ATTEMPTS) throw new DuplicateEventError(key);
        state = await settledKeyState(key);
      }
    }
  }

  /** best effort: an unreleased claim only delays the key's next claimer until the claim times out */
  async function release(claims: readonly Claim[]): Promise<void> {
    await mapLimit(claims, PARALLEL, async ({ key, indexRevision }) => {
      const data: ReleaseData = { claimRevision: indexRevision };
      await client
        .appendToStream(idempotencyStreamOf(key), jsonEvent(randomUUID(), RELEASED_TYPE, data, undefined), {
          expectedRevision: BigInt(indexRevision),
          deadline,
        })
        .catch(() => undefined);
    });
  }

  /** all or none: on a failure, the claims already made are released */
  async function claimAll(items: readonly { key: string; target: ClaimTarget }[], known: ReadonlyMap<string, KeyState>): Promise<Claim[]> {
    const outcomes = await mapLimit(items, PARALLEL, ({ key, target }) =>
      claim(key, target, known.get(key)).then(
        (made) => ({ ok: true as const, made }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    );
    const made = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.made] : []));
    const failure = outcomes.find((outcome) => !outcome.ok);
    if (failure !== undefined && !failure.ok) {
      await release(made);
      throw failure.error;
    }
    return made;
  }

  async function findPositions(keys: readonly string[]): Promise<Map<string, bigint>> {
    const unique = [...new Set(keys)];
    const states = await mapLimit(unique, PARALLEL, (key) => keyState(key));
    const found = new Map<string, bigint>();
    unique.forEach((key, index) => {
      const state = states[index]!;
      if (state.status === 'stored') found.set(key, state.position);
    });
    return found;
  }

  // ── appends ────────────────────────────────────────────────────────────────────────────────────────

  /**
   * One request, as one EventStoreDB append. The append always names an exact expected revision, even for
   * `any`: the hash chain and the idempotency claims depend on the revision each event gets.
   */
  async function appendOne(
    request: AppendRequest,
    knownHead: StreamHead | null,
    keyStates: Map<string, KeyState>,
    recordedAt: string,
  ): Promise<{ result: AppendResult; head: StreamHead | null }> {
    const { streamId, events, expectedRevision } = request;
    if (events.length === 0) return { result: { streamId, nextExpectedRevision: knownHead?.revision ?? -1, positions: [] }, head: knownHead };
    const eventIds = events.map((event) => (event.idempotencyKey === undefined ? randomUUID() : eventIdForIdempotencyKey(event.idempotencyKey)));
    const canonical = events.map((event) => ({ data: canonicalJson(event.data), metadata: canonicalJson(event.metadata) }));
    const keyed = events.flatMap((event, index) => (event.idempotencyKey === undefined ? [] : [{ key: event.idempotencyKey, index }]));

    let head = knownHead;
    for (let attempt = 1; ; attempt++) {
      const base = head?.revision ?? -1;
      let prevHash = head === null ? null : head.hash;
      const proposed = events.map((event, index) => {
        const hash = eventHashFromCanonical(canonical[index]!.data, canonical[index]!.metadata, {
          streamId,
          revision: base + 1 + index,
          type: event.type,
          time: event.metadata.time,
          recordedAt,
          prevHash,
        });
        const stored = toStoredMetadata(event, recordedAt, { hash, prevHash });
        prevHash = hash;
        return jsonEvent(eventIds[index]!, event.type, event.data, stored);
      });
      const claims = await claimAll(
        keyed.map(({ key, index }) => ({ key, target: { streamId, revision: base + 1 + index, eventId: eventIds[index]! } })),
        keyStates,
      );
      let written: EsdbAppendResult;
      try {
        written = await write(streamId, proposed, head === null ? NO_STREAM : BigInt(head.revision));
      } catch (error) {
        // anything else (a timeout, a lost connection) leaves the claims: the append may have happened
        if (!isWrongExpectedVersion(error)) throw error;
        await release(claims);
        const conflict = conflictFromWrongExpectedVersion(error, streamId, expectedRevision);
        if (expectedRevision !== 'any' || attempt >= ANY_ATTEMPTS) throw conflict;
        head = await streamHead(streamId);
        // the releases moved the keys' streams on: look again
        keyStates = new Map();
        continue;
      }
      const result = await finish(request, eventIds, written);
      return { result, head: { revision: result.nextExpectedRevision, hash: prevHash } };
    }
  }

  async function write(streamId: string, proposed: JSONEventData[], expected: typeof NO_STREAM | bigint): Promise<EsdbAppendResult> {
    try {
      return await client.appendToStream(streamId, proposed, { expectedRevision: expected, deadline });
    } catch (error) {
      if (isWrongExpectedVersion(error)) throw error;
      throw translate(error, `appending to ${streamId}`);
    }
  }

  /** the append answers only the last revision: the events' positions are read back */
  async function finish(request: AppendRequest, eventIds: readonly string[], written: EsdbAppendResult): Promise<AppendResult> {
    const last = fromEsdbRevision(written.nextExpectedRevision)!;
    const first = last - request.events.length + 1;
    const stored = await readRaw(request.streamId, BigInt(first), request.events.length);
    if (stored.length !== eventIds.length || stored.some((event, index) => event.id !== eventIds[index])) {
      throw new Error(`EventStoreDB reported ${request.streamId}@${first}..${last} appended, but the events there are not the ones written`);
    }
    return { streamId: request.streamId, nextExpectedRevision: last, positions: stored.map(positionOf) };
  }

  async function append(requests: AppendRequest[]): Promise<AppendResult[]> {
    if (requests.length === 0) return [];
    const recordedAt = clock.now().toISOString();

    // 1. a key twice in the call
    const keys: string[] = [];
    const seen = new Set<string>();
    for (const request of requests) {
      for (const event of request.events) {
        if (event.idempotencyKey === undefined) continue;
        if (seen.has(event.idempotencyKey)) throw new DuplicateEventError(event.idempotencyKey);
        seen.add(event.idempotencyKey);
        keys.push(event.idempotencyKey);
      }
    }

    // 2. expected revisions, as the streams are now (and as the call's earlier requests will leave them)
    const streamIds = [...new Set(requests.map((request) => request.streamId))];
    const heads = new Map<string, StreamHead | null>();
    (await mapLimit(streamIds, PARALLEL, streamHead)).forEach((head, index) => heads.set(streamIds[index]!, head));
    const projected = new Map([...heads].map(([streamId, head]) => [streamId, head?.revision ?? null]));
    for (const { streamId, expectedRevision, events } of requests) {
      const actual = projected.get(streamId) ?? null;
      if (!revisionMatches(expectedRevision, actual)) throw new ExpectedRevisionConflict(streamId, expectedRevision, actual);
      if (events.length > 0) projected.set(streamId, (actual ?? -1) + events.length);
    }

    // 3. keys stored by earlier calls (waiting out a writer that is storing one right now)
    const keyStates = new Map<string, KeyState>();
    (await mapLimit(keys, PARALLEL, settledKeyState)).forEach((state, index) => keyStates.set(keys[index]!, state));
    const duplicate = keys.find((key) => keyStates.get(key)!.status === 'stored');
    if (duplicate !== undefined) throw new DuplicateEventError(duplicate);

    // 4. stream by stream; from here a failure can leave earlier streams of the call appended
    const results: AppendResult[] = [];
    for (const request of requests) {
      const { result, head } = await appendOne(request, heads.get(request.streamId) ?? null, keyStates, recordedAt);
      heads.set(request.streamId, head);
      results.push(result);
    }
    return results;
  }

  // ── subscriptions ──────────────────────────────────────────────────────────────────────────────────

  interface RunningSubscription extends Subscription {
    readonly ended: Promise<void>;
  }

  function startSubscription(options: SubscribeOptions): RunningSubscription {
    let stopped = false;
    let source: AllStreamSubscription | null = null;

    const closeSource = async (): Promise<void> => {
      const open = source;
      source = null;
      if (open === null) return;
      // the client swallows its own cancellation and never ends the stream: destroy it as well
      await open.unsubscribe().catch(() => undefined);
      open.destroy();
    };

    const deliver = async (): Promise<void> => {
      // asked before subscribing: "everything stored when it started"
      const headAtStart = await headPosition();
      let checkpoint = options.after;
      let caughtUp = false;
      const noteProgress = (): void => {
        if (caughtUp || (headAtStart !== null && (checkpoint === null || checkpoint < headAtStart))) return;
        caughtUp = true;
        options.onCaughtUp?.();
      };
      noteProgress();
      if (stopped) return;
      // positions given to a subscription are exclusive: it starts with the first event after the checkpoint
      const subscription = client.subscribeToAll({
        fromPosition: checkpoint === null ? START : decodePosition(checkpoint),
        filter: excludeSystemEvents(),
      });
      source = subscription;
      try {
        for await (const resolved of subscription) {
          if (stopped) return;
          const raw = (resolved as { event?: EsdbEvent }).event;
          if (raw === undefined) continue;
          const recorded = toRecordedEvent(raw);
          if (recorded === null || (checkpoint !== null && recorded.position <= checkpoint)) continue;
          await options.onEvent(recorded);
          checkpoint = recorded.position;
          noteProgress();
        }
      } catch (error) {
        if (stopped) return;
        throw translate(error, 'subscribing to $all');
      }
      if (!stopped) throw new Error(`the EventStoreDB subscription to $all at ${endpoint} ended without being stopped`);
    };

    const ended = deliver()
      .catch((error: unknown) => {
        // a failed onEvent is not acknowledged: the consumer resubscribes from its last checkpoint
        stopped = true;
        reportError(options, error);
      })
      .finally(closeSource);

    return {
      ended,
      stop: async () => {
        stopped = true;
        await closeSource();
        await ended;
      },
    };
  }

  // ── the port ───────────────────────────────────────────────────────────────────────────────────────

  const subscriptions = new Set<RunningSubscription>();
  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('event store is closed');
  };

  return {
    async append(requests) {
      assertOpen();
      return append(requests);
    },

    async readStream(streamId, options: ReadStreamOptions = {}) {
      assertOpen();
      const raw = await readRaw(streamId, BigInt(options.fromRevision ?? 0), options.maxCount ?? Number.MAX_SAFE_INTEGER);
      return raw.flatMap((event) => {
        const recorded = toRecordedEvent(event);
        return recorded === null ? [] : [recorded];
      });
    },

    async readAll(options: ReadAllOptions = {}) {
      assertOpen();
      if (options.maxCount === 0) return [];
      return readAllAfter(options.after ?? null, options.maxCount ?? null);
    },

    subscribe(options) {
      assertOpen();
      const subscription = startSubscription(options);
      subscriptions.add(subscription);
      void subscription.ended.then(() => subscriptions.delete(subscription));
      return { stop: () => subscription.stop() };
    },

    async findByIdempotencyKeys(keys) {
      assertOpen();
      return findPositions(keys);
    },

    async headPosition() {
      assertOpen();
      return headPosition();
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      await client.dispose();
    },
  };
}

function jsonEvent(id: string, type: string, data: Record<string, unknown> | object, metadata: object | undefined): JSONEventData {
  return {
    id,
    contentType: 'application/json',
    type,
    data: data as Record<string, unknown>,
    metadata: metadata as Record<string, unknown> | undefined,
  };
}

/** all items of a client read; the read's error (StreamNotFoundError, a lost connection) is thrown */
async function drain<T>(read: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of read) items.push(item);
  return items;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 4 /* DEADLINE_EXCEEDED */ })), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function reportError(options: SubscribeOptions, error: unknown): void {
  if (!options.onError) {
    process.emitWarning(`event subscription stopped: ${String(error)}`, 'SubscriptionError');
    return;
  }
  try {
    options.onError(error);
  } catch {
    // the handler's own failure has nowhere better to go; the subscription has already stopped
  }
}
