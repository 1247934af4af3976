/**
 * Case states as the platform knew them at a moment (`case(id, asOf)`), without folding the whole stream on
 * every request.
 *
 * Stored events never change and a stream only grows, so the state after its first k events never changes
 * either: it is kept, in a bounded LRU, as a snapshot keyed by (stream, k), and a later request folds on from
 * the nearest snapshot below it instead of from the first event. What a request knows at `asOf` is every event
 * with recordedAt ≤ asOf; when that set is the first k events of the stream (recordedAt follows the append
 * order — the normal case) the snapshot path answers, otherwise (a clock that went back between appends) the
 * stream is folded from scratch exactly as before. `case(id, atRevision)` asks for the first atRevision + 1
 * events directly and takes the same snapshot path.
 *
 * A handoff's clock is a function of the handoff object alone (and of the fixed calendar and policy), and
 * `evolveCase` keeps the object of every handoff an event did not touch: clocks are memoised by handoff object,
 * so folding on only counts working days for handoffs that changed.
 */
import { caseDeadlines, evolveCase, handoffDeadline, handoffsOf, linkedCase, type CaseState, type DeadlineDeps, type Handoff, type HandoffDeadline } from '../../domain/catalog/index.js';
import { caseStream } from '../../domain/shared/events.js';
import { currentShape } from '../../ports/currentShape.js';
import type { EventStore, RecordedEvent } from '../../ports/eventStore.js';
import type { CaseDoc } from '../../projections/cases/cases.projection.js';

export interface CaseHistoryOptions {
  events: Pick<EventStore, 'readStream'>;
  deadlines: DeadlineDeps;
  /** streams whose recordedAt list and snapshots are kept (least recently asked for goes first) */
  maxStreams?: number;
  /** snapshots kept per stream, checkpoints included */
  maxSnapshotsPerStream?: number;
  /**
   * while folding, a state is also kept every this many events, so that another asOf on the same stream folds
   * at most this many events on top of one
   */
  checkpointEvery?: number;
}

/**
 * A case as it was: its document as the case read model would have held it then, and its whole handoffs (in the order
 * they were requested) with their clocks then — what the handoff board held of them.
 */
export interface CaseThen {
  doc: CaseDoc;
  handoffs: readonly { handoff: Handoff; deadline: HandoffDeadline | null }[];
}

export interface CaseHistory {
  /** the case after the events recorded at or before `limit` (ms since the epoch); null when there was none yet */
  caseAt(caseId: string, limit: number): Promise<CaseThen | null>;
  /**
   * the case after its events 0..`revision` (`case(id, atRevision)`): unlike `caseAt`, this tells apart events
   * recorded in the same millisecond (one append's batch shares its recordedAt). null when the stream has no
   * such revision (yet) or the case did not exist after it; `revision` must be a non-negative integer.
   */
  caseAtRevision(caseId: string, revision: number): Promise<CaseThen | null>;
}

interface Snapshot {
  /** the state after the stream's first `count` events */
  readonly count: number;
  readonly state: CaseState;
  /** its clocks, computed the first time this snapshot is an answer */
  doc: CaseThen | null | undefined;
}

interface StreamHistory {
  /** Date.parse(recordedAt) of each revision seen so far (NaN for an unreadable one: never ≤ any limit) */
  readonly recordedAt: number[];
  /** by count; Map order is use order, oldest first */
  readonly snapshots: Map<number, Snapshot>;
}

/**
 * A snapshot of a case with h handoffs costs about one h-entry map (the handoff objects themselves are shared
 * between the snapshots of a stream), so the bound is roughly maxStreams × maxSnapshotsPerStream such maps.
 */
export const CASE_HISTORY_DEFAULTS = { maxStreams: 32, maxSnapshotsPerStream: 16, checkpointEvery: 128 } as const;

/** the case fold's input: the stored event in the current shape of its type (ports/currentShape.ts) */
const toInput = (stored: RecordedEvent, caseId: string) => {
  const event = currentShape(stored);
  return { type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source, subject: caseId };
};

export function createCaseHistory(options: CaseHistoryOptions): CaseHistory {
  const { events, deadlines } = options;
  const maxStreams = options.maxStreams ?? CASE_HISTORY_DEFAULTS.maxStreams;
  const maxSnapshots = Math.max(1, options.maxSnapshotsPerStream ?? CASE_HISTORY_DEFAULTS.maxSnapshotsPerStream);
  const checkpointEvery = Math.max(1, options.checkpointEvery ?? CASE_HISTORY_DEFAULTS.checkpointEvery);
  const streams = new Map<string, StreamHistory>();
  const clocks = new WeakMap<Handoff, HandoffDeadline | null>();

  const clockOf = (handoff: Handoff): HandoffDeadline | null => {
    let clock = clocks.get(handoff);
    if (clock === undefined) {
      clock = handoffDeadline(handoff, deadlines);
      clocks.set(handoff, clock);
    }
    return clock;
  };

  const docOf = (state: CaseState): CaseThen | null => {
    if (state.status === 'none') return null;
    return {
      doc: { state: linkedCase(state), deadlines: caseDeadlines(state, deadlines) },
      handoffs: handoffsOf(state).map((handoff) => ({ handoff, deadline: clockOf(handoff) })),
    };
  };

  const historyOf = (streamId: string): StreamHistory => {
    let history = streams.get(streamId);
    if (history) streams.delete(streamId);
    else history = { recordedAt: [], snapshots: new Map() };
    streams.set(streamId, history);
    while (streams.size > maxStreams) streams.delete(streams.keys().next().value!);
    return history;
  };

  const keep = (history: StreamHistory, snapshot: Snapshot): void => {
    history.snapshots.delete(snapshot.count);
    history.snapshots.set(snapshot.count, snapshot);
    while (history.snapshots.size > maxSnapshots) history.snapshots.delete(history.snapshots.keys().next().value!);
  };

  /** the snapshot with the most events, at most `count` */
  const nearest = (history: StreamHistory, count: number): Snapshot | null => {
    let best: Snapshot | null = null;
    for (const snapshot of history.snapshots.values()) if (snapshot.count <= count && (!best || snapshot.count > best.count)) best = snapshot;
    return best;
  };

  /** the known events, when they are the stream's first k events: k; otherwise null */
  const knownPrefix = (recordedAt: readonly number[], limit: number): number | null => {
    let count = 0;
    while (count < recordedAt.length && recordedAt[count]! <= limit) count += 1;
    for (let r = count + 1; r < recordedAt.length; r += 1) if (recordedAt[r]! <= limit) return null;
    return count;
  };

  /** the stream's history, its recordedAt list brought up to date; `fresh` = the events read past its known head */
  const refreshed = async (streamId: string): Promise<{ history: StreamHistory; fresh: RecordedEvent[] }> => {
    const history = historyOf(streamId);
    // events appended since this stream was last asked for (none, usually)
    const fresh = await events.readStream(streamId, { fromRevision: history.recordedAt.length });
    for (const event of fresh) {
      // another request may have added these meanwhile; only the next revision extends the list
      if (event.revision === history.recordedAt.length) history.recordedAt.push(Date.parse(event.recordedAt));
    }
    return { history, fresh };
  };

  /** the case after the stream's first `count` events, from the nearest snapshot below (kept as a snapshot) */
  const prefixDoc = async (caseId: string, streamId: string, history: StreamHistory, fresh: readonly RecordedEvent[], count: number): Promise<CaseThen | null> => {
    const base = nearest(history, count);
    if (base && base.count === count) {
      keep(history, base);
      if (base.doc === undefined) base.doc = docOf(base.state);
      return base.doc;
    }
    const from = base?.count ?? 0;
    if (base) keep(history, base);
    // a long stream gets its checkpoints spread out, so they never take more than half of its snapshots
    const every = Math.max(checkpointEvery, Math.ceil(count / Math.max(1, Math.floor(maxSnapshots / 2))));
    const first = fresh[0]?.revision;
    const missing =
      first !== undefined && first <= from && fresh.length >= count - first
        ? fresh.slice(from - first, count - first)
        : await events.readStream(streamId, { fromRevision: from, maxCount: count - from });
    if (missing.length !== count - from || missing.some((event, i) => event.revision !== from + i)) {
      throw new Error(`stream ${streamId}: expected revisions ${from}..${count - 1}, read ${missing.length} events`);
    }
    let state: CaseState = base?.state ?? { status: 'none' };
    for (const [i, event] of missing.entries()) {
      state = evolveCase(state, toInput(event, caseId));
      const folded = from + i + 1;
      if (folded % every === 0 && folded < count) keep(history, { count: folded, state, doc: undefined });
    }
    const snapshot: Snapshot = { count, state, doc: docOf(state) };
    keep(history, snapshot);
    return snapshot.doc ?? null;
  };

  return {
    async caseAt(caseId, limit) {
      const streamId = caseStream(caseId);
      const { history, fresh } = await refreshed(streamId);
      const count = knownPrefix(history.recordedAt, limit);
      if (count === null) {
        // recordedAt is not in revision order here: the known events are not a prefix, fold them all afresh
        const all = await events.readStream(streamId);
        let state: CaseState = { status: 'none' };
        for (const event of all) if (Date.parse(event.recordedAt) <= limit) state = evolveCase(state, toInput(event, caseId));
        return docOf(state);
      }
      return prefixDoc(caseId, streamId, history, fresh, count);
    },

    async caseAtRevision(caseId, revision) {
      if (!Number.isSafeInteger(revision) || revision < 0) throw new RangeError(`revision ${revision}: expected a non-negative integer`);
      const streamId = caseStream(caseId);
      const { history, fresh } = await refreshed(streamId);
      // a revision the stream does not have (yet): nothing was known after it
      if (revision >= history.recordedAt.length) return null;
      return prefixDoc(caseId, streamId, history, fresh, revision + 1);
    },
  };
}
