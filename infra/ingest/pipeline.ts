import { decideOn, deciderOf, expectedRevisionOf, loadStream, retryOnConflict, type AnyDecider, type StreamKind } from '../../application/commandHandler.js';
import { CATALOG, currentVersion, dataschemaOf, dataschemaProblem, publishedVersion, routeOf, toCommand, type CatalogType, type PublishedFact } from '../../domain/catalog/index.js';
import type { Agency, AgencyDirectory } from '../../domain/shared/agencies.js';
import { DomainError, type RejectionCode } from '../../domain/shared/errors.js';
import type { DomainEvent } from '../../domain/shared/events.js';
import type { Clock } from '../../ports/clock.js';
import {
  DuplicateEventError,
  ExpectedRevisionConflict,
  type AppendRequest,
  type Channel,
  type EventStore,
  type NewEvent,
} from '../../ports/eventStore.js';
import type { RejectionStore } from '../../ports/rejectionStore.js';
import { pairKey, type ParkedEvent, type ParkingChannel, type ParkingLot } from '../../ports/parkingLot.js';
import { createParkingAttendant, parkingQueue } from './parking.js';
import { nestsTooDeep, TOO_DEEP_MESSAGE } from '../../domain/catalog/nesting.js';
import { AGENCY_KIND_NAMES } from '../../domain/catalog/vocabulary.js';
import { StreamStateCache } from './streamState.js';
import { slices } from '../eventLoopSlices.js';
import type { Validator } from './validator.js';

export const MAX_EVENT_BYTES = 64 * 1024;
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
const CLOUD_EVENT_ATTRIBUTES = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'data', 'dataschema']);

/** One published event as it arrived: the parsed value (undefined if it did not parse) and its bytes. */
export interface IncomingEvent {
  value: unknown;
  raw: string;
}

export type IngestResult =
  | { id: string | null; status: 'accepted' | 'duplicate'; position: string }
  | { id: string | null; status: 'rejected'; code: RejectionCode; message: string }
  /** held until what it waits for is stored (events.md §5); code and message: the rejection it gets if that never comes */
  | { id: string | null; status: 'parked'; code: RejectionCode; message: string; parkedUntil: string };

/** Who sent the batch: a publisher principal over HTTP, or the topic's agency on Kafka. */
export interface Sender {
  agency: Agency;
  principal: string | null;
  channel: Exclude<Channel, 'platform' | 'graphql'>;
}

export interface PipelineDeps {
  store: EventStore;
  rejections: RejectionStore;
  validator: Validator;
  agencies: AgencyDirectory;
  copyNoticeRecipients: readonly string[];
  clock: Clock;
  /**
   * streams whose decided state is kept between batches (default 20,000; 0 keeps none): without it every
   * batch reads and folds each of its streams from the start, which grows with the length of the stream
   */
  streamCacheSize?: number;
  /**
   * events.md §5 `parked`: where events that wait for another agency's fact are held, and for how long (ms). Without
   * it such an event is rejected at once with the code it would end with.
   */
  parking?: {
    lot: ParkingLot;
    windowMs: number;
    /**
     * the channels whose parked events this process tries again (default: all): a gateway takes the HTTP ones and
     * leaves the Kafka ones to the ingest replicas, which report their rejections on the rejections topic
     */
    channels?: readonly ParkingChannel[];
  };
  /** a parked event came to an end (accepted, duplicate or rejected) when it was tried again: Kafka reports rejections */
  onParkedOutcome?(outcomes: readonly { event: ParkedEvent; result: IngestResult }[]): Promise<void>;
  /** the parking attendant's failures (it tries again on its next tick) */
  warn?(message: string): void;
}

const DEFAULT_STREAM_CACHE_SIZE = 20_000;
/**
 * Batches that arrive while one is being ingested are ingested together, up to about this many events: one
 * read of their idempotency keys, one append (one fsync) for all of them. Bounded so a burst of waiting batches
 * does not become one very long transaction.
 */
const MAX_GROUP_EVENTS = 4000;
/** the longest stretch of validating and deciding before the event loop may turn */
const SLICE_MS = 4;
/** after this many appends in a row that could not show they were the only write, the head is looked at… */
const UNPROVABLE_BEFORE_PAUSE = 5;
/** …only on every this-many-th attempt */
const HEAD_LOOK_EVERY = 100;

/** one published event with who sent it: a group may hold batches of several senders */
interface Item {
  incoming: IncomingEvent;
  sender: Sender;
  /** the event was parked and is being tried again */
  parked?: ParkedEvent;
}

/** a caller's batch waiting for its turn */
interface Submission {
  items: Item[];
  resolve(results: IngestResult[]): void;
  reject(error: unknown): void;
}

type Screened =
  | { kind: 'rejected'; code: RejectionCode; message: string }
  | { kind: 'fact'; fact: PublishedFact; key: string; extensions: Record<string, unknown>; dataschema: string | undefined };

interface StreamWork {
  decider: AnyDecider;
  state: unknown;
  /** revision of the last stored event when loaded; -1 = no stream */
  loadedRevision: number;
  pending: NewEvent[];
}

/**
 * validate → authorize → dedupe (source, id) → decide → append with expected revision.
 * One batch is applied in order: later events of a batch see the state left by earlier ones. The whole
 * batch is appended in one call; if another writer got there first the batch is decided again.
 */
export function createIngestPipeline(deps: PipelineDeps) {
  const { store, validator, agencies, clock } = deps;
  // Within one process batches run one at a time, in the order they arrived: no self-inflicted revision
  // conflicts, and a publisher's consecutive requests are applied in order. Batches that queue up behind a
  // running one are then ingested as one group, in arrival order (the same outcome as one after another).
  const waiting: Submission[] = [];
  let draining = false;
  const cache = new StreamStateCache(deps.streamCacheSize ?? DEFAULT_STREAM_CACHE_SIZE);
  // Kept states can skip the read of their stream only while nobody else writes to the store. `generation`
  // moves whenever that cannot be shown; `quietHead` is the store's head as of our last append (or last look,
  // if we appended nothing) when every event up to it is known — undefined when it is not.
  let generation = 0;
  let quietHead: bigint | null | undefined;
  // Appends in a row that could not show they were the only write. An engine whose positions have gaps
  // (EventStoreDB's are commit positions) never can, nor can a store another replica keeps writing to: then
  // the head is looked at only now and then, and kept streams are read as before.
  let unprovable = 0;

  function screen(incoming: IncomingEvent, sender: Sender): Screened {
    const bad = (code: RejectionCode, message: string): Screened => ({ kind: 'rejected', code, message });
    if (Buffer.byteLength(incoming.raw, 'utf8') > MAX_EVENT_BYTES) return bad('invalid_envelope', `单个事件超过 ${MAX_EVENT_BYTES / 1024} KiB 上限`);
    const v = incoming.value;
    // before anything else walks the value: nothing below (nor the store's canonical JSON) meets deeper nesting
    if (nestsTooDeep(v)) return bad('invalid_envelope', TOO_DEEP_MESSAGE);
    if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v)) return bad('invalid_envelope', '不是 CloudEvents 1.0 结构化 JSON 对象');
    const envelope = validator.envelope(v);
    if (!envelope.ok) return bad('invalid_envelope', `CloudEvents 信封不合规：${envelope.message}`);
    const e = v as Record<string, unknown> & { id: string; source: string; type: string; subject: string; time: string; data: Record<string, unknown> };
    if (e.source !== sender.agency.id) {
      return bad('unauthorized', `source "${e.source}" 不是发送方所属机构 "${sender.agency.id}"，只能以本机构名义发布`);
    }
    // the form of dataschema is the envelope's (events.md §2); whether the catalog has that version is checked with the data
    const schemaProblem = dataschemaProblem(e.type, e.dataschema);
    if (schemaProblem) return bad('invalid_envelope', schemaProblem);
    const key = `${e.source}/${e.id}`;
    const extensions = Object.fromEntries(Object.entries(e).filter(([k]) => !CLOUD_EVENT_ATTRIBUTES.has(k)));
    const fact: PublishedFact = { id: e.id, source: sender.agency, type: e.type, subject: e.subject, time: e.time, data: e.data };
    return { kind: 'fact', fact, key, extensions, dataschema: e.dataschema as string | undefined };
  }

  /**
   * checks that depend on the catalog and the clock; run after dedupe so a resend is always `duplicate`. On success
   * the fact with the catalog version it was published under.
   */
  function check(fact: PublishedFact, dataschema: string | undefined, now: Date): { code: RejectionCode; message: string } | { fact: PublishedFact } {
    const entry = CATALOG.get(fact.type);
    if (!entry) return { code: 'unknown_type', message: `未知事件类型 "${fact.type}"，请对照事件目录 (events.md §3)` };
    if (!entry.by.includes(fact.source.kind)) {
      return { code: 'unauthorized', message: `${fact.source.name}（${AGENCY_KIND_NAMES[fact.source.kind]}）无权发布 ${fact.type}` };
    }
    if (Date.parse(fact.time) - now.getTime() > FUTURE_TOLERANCE_MS) {
      return { code: 'future_time', message: `事件时间 ${fact.time} 晚于平台时间超过 5 分钟，请核对系统时钟` };
    }
    const version = publishedVersion(entry.type, dataschema);
    if (!version.ok) return { code: version.code, message: version.message };
    const data = validator.data(fact.type, fact.data, version.version);
    const named = dataschema === undefined ? fact.type : `${fact.type}（第 ${version.version} 版）`;
    if (data && !data.ok) return { code: 'invalid_data', message: `data 不符合 ${named} 的格式：${data.message}` };
    return { fact: { ...fact, version: version.version } };
  }

  async function attempt(items: Item[]): Promise<{ results: IngestResult[]; rejected: number[]; appended: boolean }> {
    const now = clock.now();
    // a batch of 1,000 events is 50–150 ms of validation and deciding: in slices, so /healthz and reads are answered between
    const pause = slices(SLICE_MS);
    const screened: Screened[] = [];
    for (const item of items) {
      await pause();
      screened.push(screen(item.incoming, item.sender));
    }
    const keys = screened.flatMap((s) => (s.kind === 'fact' ? [s.key] : []));
    const seen = keys.length > 0 ? await store.findByIdempotencyKeys(keys) : new Map<string, bigint>();
    // which (publisher, case) pairs of the new events have an event parked ahead of them
    const pairs = new Map<string, { source: string; subject: string }>();
    screened.forEach((sc, i) => {
      if (sc.kind === 'fact' && !items[i]!.parked) pairs.set(pairKey(sc.fact.source.id, sc.fact.subject), { source: sc.fact.source.id, subject: sc.fact.subject });
    });
    const queue = await parkingQueue(deps.parking?.lot, [...pairs.values()]);
    // Anyone else's write since our last append (a mutation, another replica or process) moves the head
    // past where ours left it: then no kept state is trusted without reading what came after it.
    const head = unprovable < UNPROVABLE_BEFORE_PAUSE || unprovable % HEAD_LOOK_EVERY === 0 ? await store.headPosition() : undefined;
    if (head === undefined || quietHead === undefined || head !== quietHead) generation += 1;
    quietHead = undefined; // until this attempt's append is known to be the only write since `head`
    const streams = new Map<string, StreamWork>();
    const contexts = new Map<Sender, { agencies: AgencyDirectory; copyNoticeRecipients: readonly string[]; now: string; principal: string | null }>();
    const ctxOf = (sender: Sender) => {
      let ctx = contexts.get(sender);
      if (!ctx) contexts.set(sender, (ctx = { agencies, copyNoticeRecipients: deps.copyNoticeRecipients, now: now.toISOString(), principal: sender.principal }));
      return ctx;
    };
    // per batch item: where its fact lands once appended (stream + index in that stream's pending list)
    const placed = new Map<number, { streamId: string; index: number }>();
    const inBatch = new Map<string, number>();
    const results: (IngestResult | { pendingDuplicateOf: number; id: string } | null)[] = [];

    for (let i = 0; i < screened.length; i++) {
      await pause();
      const s = screened[i]!;
      if (s.kind === 'rejected') {
        results.push({ id: idOf(items[i]!.incoming.value), status: 'rejected', code: s.code, message: s.message });
        continue;
      }
      const original = seen.get(s.key);
      if (original !== undefined) {
        results.push({ id: s.fact.id, status: 'duplicate', position: original.toString() });
        continue;
      }
      const earlier = inBatch.get(s.key);
      if (earlier !== undefined) {
        results.push({ pendingDuplicateOf: earlier, id: s.fact.id });
        continue;
      }
      const checked = check(s.fact, s.dataschema, now);
      if (!('fact' in checked)) {
        results.push({ id: s.fact.id, status: 'rejected', ...checked });
        continue;
      }
      const fact = checked.fact;
      const parked = items[i]!.parked;
      const pair = pairKey(fact.source.id, fact.subject);
      // the publisher's order (events.md §5): nothing of the same publisher and case overtakes an event still parked
      const ahead = queue.aheadOf(pair, parked !== undefined);
      if (ahead !== null) {
        const earlier = ahead.id === null ? '先发布的事件' : `先发布的事件「${ahead.id}」`;
        results.push(hold(s.fact.id, parked, pair, 'invalid_transition', `同一机关对本案${earlier}仍在暂存，等待其他机关的事实；本事件按发布顺序排在其后。`));
        continue;
      }
      try {
        const route = routeOf(fact);
        const work = streams.get(route.streamId) ?? (await load(route.streamId, route.kind));
        streams.set(route.streamId, work);
        const produced = decideOn(work, route.streamId, toCommand(fact, ctxOf(items[i]!.sender)));
        placed.set(i, { streamId: route.streamId, index: work.pending.length });
        produced.forEach((event, n) => work.pending.push(toNewEvent(event, { ...s, fact }, items[i]!.sender, n === 0)));
        inBatch.set(s.key, i);
        results.push(null);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        if (e.awaitsFact && deps.parking) results.push(hold(s.fact.id, parked, pair, e.code, e.message));
        else results.push({ id: s.fact.id, status: 'rejected', code: e.code, message: e.message });
      }
    }

    const requests: AppendRequest[] = [];
    for (const [streamId, work] of streams) {
      if (work.pending.length === 0) continue;
      requests.push({ streamId, expectedRevision: expectedRevisionOf(work.loadedRevision), events: work.pending });
    }
    const appended = requests.length > 0 ? await store.append(requests) : [];
    // packing a state takes a fraction of a millisecond (streamState.ts), and a group may have touched hundreds of streams
    for (const r of appended) {
      await pause();
      cache.set(r.streamId, { state: streams.get(r.streamId)!.state, revision: r.nextExpectedRevision, generation });
    }
    // Ours was the only write since `head` when our positions fill (head, head + n] exactly (SQLite: always,
    // unless someone else wrote; an engine whose positions have gaps just never skips a read).
    let count = 0n;
    let newest = 0n;
    for (const r of appended) {
      for (const p of r.positions) {
        count += 1n;
        if (p > newest) newest = p;
      }
    }
    if (head === undefined) unprovable += 1;
    else if (count === 0n) quietHead = head;
    else if (newest - (head ?? 0n) === count) {
      quietHead = newest;
      unprovable = 0;
    } else unprovable += 1;
    const positionsByStream = new Map(appended.map((r) => [r.streamId, r.positions]));
    const positionOf = (i: number): string => {
      const p = placed.get(i)!;
      return positionsByStream.get(p.streamId)![p.index]!.toString();
    };
    const final: IngestResult[] = results.map((r, i) => {
      if (r === null) return { id: (screened[i] as { fact: PublishedFact }).fact.id, status: 'accepted', position: positionOf(i) };
      if ('pendingDuplicateOf' in r) return { id: r.id, status: 'duplicate', position: positionOf(r.pendingDuplicateOf) };
      return r;
    });
    const rejected = final.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    return { results: final, rejected, appended: count > 0n };

    /**
     * An event that waits (parked now, or still when tried again) — unless it is being tried again after its window
     * passed: then it ends rejected with the code it waited under (events.md §5).
     */
    function hold(id: string, parked: ParkedEvent | undefined, pair: string, code: RejectionCode, message: string): IngestResult {
      if (parked && Date.parse(parked.parkedUntil) <= now.getTime()) {
        return { id, status: 'rejected', code: parked.code as RejectionCode, message: `${parked.message}（已暂存至 ${parked.parkedUntil}，仍未等到所需的事实，现予退回）` };
      }
      queue.hold(pair, id, parked !== undefined);
      return { id, status: 'parked', code, message, parkedUntil: parked?.parkedUntil ?? '' };
    }

    async function load(streamId: string, kind: StreamKind): Promise<StreamWork> {
      // from the state decided last time, the events stored since (usually none); from the start otherwise
      const cached = cache.get(streamId);
      // nobody else has written since the entry was current: it is the stream's state, no read needed
      if (cached && cached.generation === generation) return { decider: deciderOf(kind), state: cached.state, loadedRevision: cached.revision, pending: [] };
      const loaded = await loadStream(store, streamId, kind, cached);
      return { decider: loaded.decider, state: loaded.state, loadedRevision: loaded.revision, pending: [] };
    }
  }

  // Someone else appended to one of our streams, or stored one of our events, first: decide again.
  const conflict = (e: unknown): boolean => e instanceof ExpectedRevisionConflict || e instanceof DuplicateEventError;

  function run(items: Item[]): Promise<IngestResult[]> {
    return retryOnConflict(async () => {
      const { results, rejected, appended } = await attempt(items);
      await parkNew(items, results);
      if (appended && attendant) attendant.soon();
      if (rejected.length > 0) {
        const receivedAt = clock.now().toISOString();
        await deps.rejections.record(
          rejected.map((i) => {
            const r = results[i] as Extract<IngestResult, { status: 'rejected' }>;
            const { incoming, sender } = items[i]!;
            const value = incoming.value as Record<string, unknown> | undefined;
            return {
              agencyId: sender.agency.id,
              source: typeof value?.source === 'string' ? value.source : null,
              channel: sender.channel,
              receivedAt,
              code: r.code,
              message: r.message,
              eventId: r.id,
              eventType: typeof value?.type === 'string' ? value.type : null,
              raw: incoming.raw,
            };
          }),
        );
      }
      return results;
    }, conflict);
  }

  /** keeps the events parked for the first time (durably, before anyone is told) and fills in their windows */
  async function parkNew(items: readonly Item[], results: IngestResult[]): Promise<void> {
    if (!deps.parking) return;
    const fresh = results.flatMap((r, i) => (r.status === 'parked' && !items[i]!.parked ? [i] : []));
    if (fresh.length === 0) return;
    const receivedAt = clock.now();
    const parkedUntil = new Date(receivedAt.getTime() + deps.parking.windowMs).toISOString();
    const windows = await deps.parking.lot.park(
      fresh.map((i) => {
        const r = results[i] as Extract<IngestResult, { status: 'parked' }>;
        const { incoming, sender } = items[i]!;
        const e = incoming.value as { id: string; source: string; subject: string; type: string };
        return {
          key: `${e.source}/${e.id}`,
          source: e.source,
          eventId: e.id,
          subject: e.subject,
          type: e.type,
          agencyId: sender.agency.id,
          principal: sender.principal,
          channel: sender.channel,
          receivedAt: receivedAt.toISOString(),
          parkedUntil,
          code: r.code,
          message: r.message,
          raw: incoming.raw,
        };
      }),
    );
    for (const i of fresh) {
      const r = results[i] as Extract<IngestResult, { status: 'parked' }>;
      const e = items[i]!.incoming.value as { id: string; source: string };
      r.parkedUntil = windows.get(`${e.source}/${e.id}`) ?? parkedUntil;
    }
    attendant?.parked();
  }

  const attendant = deps.parking
    ? createParkingAttendant({
        lot: deps.parking.lot,
        ...(deps.parking.channels ? { channels: deps.parking.channels } : {}),
        store,
        agencies,
        clock,
        rejections: deps.rejections,
        submit,
        ...(deps.onParkedOutcome ? { onParkedOutcome: deps.onParkedOutcome } : {}),
        ...(deps.warn ? { warn: deps.warn } : {}),
      })
    : null;

  /** the waiting batches, oldest first, up to MAX_GROUP_EVENTS (always at least one) */
  function nextGroup(): Submission[] {
    const group = [waiting.shift()!];
    let size = group[0]!.items.length;
    while (waiting.length > 0 && size + waiting[0]!.items.length <= MAX_GROUP_EVENTS) {
      const next = waiting.shift()!;
      size += next.items.length;
      group.push(next);
    }
    return group;
  }

  async function ingestGroup(group: Submission[]): Promise<void> {
    if (group.length === 1) {
      const only = group[0]!;
      await run(only.items).then(only.resolve, only.reject);
      return;
    }
    let results: IngestResult[];
    try {
      results = await run(group.flatMap((s) => s.items));
    } catch {
      // One batch's failure must not become the others': each is ingested again on its own (what the group
      // had stored, if anything, is then answered `duplicate`, as on any resend), in the same order.
      for (const s of group) await run(s.items).then(s.resolve, s.reject);
      return;
    }
    let from = 0;
    for (const s of group) {
      s.resolve(results.slice(from, from + s.items.length));
      from += s.items.length;
    }
  }

  async function drain(): Promise<void> {
    try {
      while (waiting.length > 0) await ingestGroup(nextGroup());
    } finally {
      draining = false;
    }
  }

  function submit(items: Item[]): Promise<IngestResult[]> {
    return new Promise<IngestResult[]>((resolve, reject) => {
      waiting.push({ items, resolve, reject });
      if (draining) return;
      draining = true;
      // started on the next turn, so batches handed over together (Kafka partitions) start as one group
      setImmediate(() => void drain());
    });
  }

  return {
    /** results in request order, after accepted events are durable, parked ones are held and rejections are kept */
    ingest(batch: IncomingEvent[], sender: Sender): Promise<IngestResult[]> {
      return submit(batch.map((incoming) => ({ incoming, sender })));
    },
    /** stops trying parked events again (before the stores close); what is parked stays parked */
    async stop(): Promise<void> {
      await attendant?.stop();
    },
    /** resolves when the attendant has no pass in flight or asked for: for tests */
    parkingSettled(): Promise<void> {
      return attendant?.idle() ?? Promise.resolve();
    },
  };
}
export type IngestPipeline = ReturnType<typeof createIngestPipeline>;

function toNewEvent(event: DomainEvent, s: Extract<Screened, { kind: 'fact' }>, sender: Sender, isFact: boolean): NewEvent {
  if (isFact) {
    // Stored under the version it was published in (events.md §2), even the latest, so a later revision of the
    // catalog still knows it. An older version is stored as published: the decider decided on its current shape
    // (toCommand upcasts), which every read of the stored event gets again the same way (ports/currentShape.ts).
    const version = s.fact.version!;
    const current = version === currentVersion(s.fact.type as CatalogType);
    return {
      type: event.type,
      data: current ? (event.data as Record<string, unknown>) : s.fact.data,
      idempotencyKey: s.key,
      metadata: {
        source: s.fact.source.id,
        eventId: s.fact.id,
        principal: sender.principal,
        channel: sender.channel,
        time: event.time,
        subject: s.fact.subject,
        dataschema: dataschemaOf(s.fact.type, version),
        ...(Object.keys(s.extensions).length > 0 ? { extensions: s.extensions } : {}),
      },
    };
  }
  // a policy event the platform records because of the fact (e.g. a copy notice)
  return {
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: { source: event.source, eventId: null, principal: null, channel: 'platform', time: event.time, subject: s.fact.subject, causedBy: s.key },
  };
}

const idOf = (value: unknown): string | null => {
  const id = (value as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : null;
};
