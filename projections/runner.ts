/**
 * Runs projections: catches each one up from its own checkpoint, then follows the event store live, and
 * rebuilds them into another store on demand.
 *
 * Events are applied in batches. Per projection and batch, every touched document is read once (one
 * getMany per collection), evolved in memory through all of the batch's events, and written once, in one
 * commit together with the checkpoint — so a document touched 100 times costs one read and one write, and
 * a crash between batches loses nothing and applies nothing twice (the checkpoint and the documents move
 * together; each document's `_position` guards re-delivery besides). A rebuild goes further: its target is
 * a fresh store nobody reads, so it keeps the documents in memory across batches (up to
 * `rebuildBufferDocuments`) and commits them far less often — each document written once per commit.
 *
 * A projection whose evolve (or keys) throws is stopped where it failed — a poison event: the same event
 * would fail the same way again. The events before the failing one are committed, its checkpoint stays just
 * below it, the error is logged with the position, and status()/lag()/waitFor() report it. The other
 * projections carry on. Restarting the process retries it.
 *
 * A projection whose read-model store fails (a read or a commit) is treated by the kind of error
 * (ports/transientStoreError.ts): a *transient* one (a full disk, an I/O error, a lost connection,
 * a busy database) is retried — the projection pauses (status().retrying, not ready), waits a growing pause
 * (`retry.initialDelayMs` doubling up to `retry.maxDelayMs`, each drawn between half and all of it), and
 * then applies again from its checkpoint up to where the others are, for as long as it takes; the other
 * projections carry on meanwhile, and waitFor() waits rather than rejects. A *permanent* store error stops
 * the projection like a poison event. Nothing is applied twice or skipped either way: a failed commit
 * changed nothing (documents and checkpoint move together), and a retry starts from the checkpoint.
 * A rebuild does not retry: it rejects, and is started again from the reset.
 */
import { readingCurrentShapes } from '../ports/currentShape.js';
import type { EventStore, RecordedEvent, Subscription } from '../ports/eventStore.js';
import type { DocumentWrite, ReadModelStore } from '../ports/readModelStore.js';
import { isTransientStoreError } from '../ports/transientStoreError.js';
import { positionOf, withPosition, type Projection } from './projection.js';

export interface ProjectionProgress {
  /** unset: all projections together (the runner reports once per batch) */
  projection?: string;
  /** the last position applied */
  position: bigint;
  /** the highest position known to exist (the head when the catch-up or rebuild started, or later) */
  head: bigint | null;
}

export interface ProjectionLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface ProjectionRunnerDeps<Ctx> {
  store: EventStore;
  readModels: ReadModelStore;
  projections: readonly Projection<Ctx>[];
  ctx: Ctx;
  /** events per batch while catching up and rebuilding (default 10,000); live batches are what has arrived, up to this many */
  batchSize?: number;
  /** after every applied batch, while catching up, live and (unless rebuild is given its own) rebuilding */
  onProgress?(progress: ProjectionProgress): void;
  logger?: ProjectionLogger;
  /** after the live subscription fails (event store unreachable), how long before subscribing again (default 1000) */
  resubscribeDelayMs?: number;
  /**
   * rebuild only: documents kept in memory across batches before they are committed (default: what the
   * target store asks for, else 20,000). A rebuild fills a store nobody reads yet, so it evolves documents
   * through many batches and writes each one once per commit instead of once per batch; this bounds how
   * many it holds (and writes at once).
   */
  rebuildBufferDocuments?: number;
  /** how transient store errors are retried (see the top of this file) */
  retry?: ProjectionRetryOptions;
  /**
   * Live and catch-up work, per projection: how long one piece of it may hold the event loop, timed until its commit is
   * handed to the store (default 4 ms with a store that holds the loop — ReadModelStore.holdsEventLoop —, else
   * Infinity). A slice of
   * events is applied to each projection in pieces, each committed on its own with a turn of the event loop after it;
   * a projection whose last piece took longer than this gets smaller ones (down to one event), and one that took less
   * than half of it gets larger ones again (up to the whole slice). Infinity: whole slices (what tests that count
   * commits per slice ask for). The documents are the same whatever the pieces: only how often they are committed
   * changes.
   */
  pieceBudgetMs?: number;
  /** the clock pieces are timed by (default performance.now; tests pass their own) */
  now?: () => number;
  /**
   * What the documents depend on besides the events (the working-day calendar and deadline policy of `ctx`), as a
   * string that changes when they do (infra/calendar/fingerprint.ts). It is kept in the read-model store beside each
   * projection's checkpoint; at start, a projection built under another one (or none) is reset and built again from
   * the first event — deadlines.md rule 7: a year added to the calendar recomputes every due date at the next start.
   * Unset: not checked.
   */
  contextVersion?: string;
  /**
   * Told, before the rebuild starts, which projections are rebuilt because they were built under another context
   * version (none stored counts too, except on a store that has never been built) or by another revision of their
   * evolve (Projection.revision) — for the operator's startup line.
   */
  onContextRebuild?: (rebuilt: readonly OutdatedProjection[]) => void;
}

export interface ProjectionRetryOptions {
  /** the pause after the first failure (default 250 ms); it doubles after each further one */
  initialDelayMs?: number;
  /** the longest pause (default 30,000 ms): a disk that has room again is used within this */
  maxDelayMs?: number;
  /** jitter, in [0, 1): a pause is half its nominal length plus this fraction of the other half (default Math.random) */
  random?: () => number;
  /** where pauses are waited (default the global timers; tests fire them by hand) */
  timers?: { setTimeout(callback: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  /** which store errors are retried (default isTransientStoreError); the others stop the projection */
  isTransient?: (error: unknown) => boolean;
}

/** a projection pausing after a transient store error, to try again */
export interface ProjectionRetry {
  /** the first event not applied (its checkpoint is below it) */
  position: bigint;
  /** store failures in a row so far; the retry waited for is the attempt-th */
  attempt: number;
  /** what failed: reading documents or committing them */
  operation: 'read' | 'write';
  message: string;
  error: unknown;
  /** the pause before this retry */
  delayMs: number;
}

export interface ProjectionFailure {
  /** the event it failed on (its checkpoint is below it) */
  position: bigint;
  message: string;
  error: unknown;
}

export interface ProjectionStatus {
  name: string;
  /** last position applied; null before the first */
  checkpoint: bigint | null;
  /** set once the projection has stopped on an error */
  failure: ProjectionFailure | null;
  /** set while the projection pauses after a transient store error, to try again */
  retrying: ProjectionRetry | null;
}

export interface ProjectionRunner {
  /** resolves once every projection has caught up with the head as it was; live following continues */
  start(): Promise<void>;
  /** stops following; what was already delivered is applied first */
  stop(): Promise<void>;
  /**
   * Resolves once every projection has applied everything up to `position` (read-after-write: wait for the
   * position an append returned before answering a query). Rejects with ProjectionFailedError if a
   * projection stopped before reaching it, or ProjectionTimeoutError after `timeoutMs` (default 5000).
   * `projections` narrows the wait to the named ones (the read models a query reads), so one broken
   * projection does not hold up answers that do not depend on it.
   */
  waitFor(position: bigint, timeoutMs?: number, projections?: readonly string[]): Promise<void>;
  /** head − the slowest projection's checkpoint (0 when all are current) */
  lag(): Promise<bigint>;
  /** each projection's checkpoint, failure and retry, for readiness and metrics */
  status(): ProjectionStatus[];
  /**
   * Resets the projections' collections and checkpoints in `into` and applies every event from the start.
   * Rejects with ProjectionFailedError on the first projection error (after committing the events before
   * it); a rebuild that stopped is started again from the reset. Does not touch the live store.
   */
  rebuild(into: ReadModelStore, onProgress?: (progress: ProjectionProgress) => void): Promise<void>;
}

export class ProjectionFailedError extends Error {
  constructor(
    readonly projection: string,
    readonly position: bigint,
    cause: unknown,
  ) {
    super(`projection ${projection} failed at position ${position}: ${describe(cause)}`, { cause });
    this.name = 'ProjectionFailedError';
  }
}

export class ProjectionTimeoutError extends Error {
  constructor(
    readonly position: bigint,
    readonly timeoutMs: number,
    readonly slowest: { name: string; checkpoint: bigint | null },
  ) {
    super(
      `projections did not reach position ${position} within ${timeoutMs} ms ` +
        `(slowest: ${slowest.name} at ${slowest.checkpoint ?? 'nothing applied'})`,
    );
    this.name = 'ProjectionTimeoutError';
  }
}

const DEFAULT_BATCH_SIZE = 10_000;
/**
 * How long one projection's piece of a live slice may take: `/healthz` must answer within 20 ms at p99 during an
 * ingest, and a piece is synchronous work with the embedded store. Whole 250-event slices took up to 32 ms for the
 * board and 428 ms for the `cases` projection on the benchmark's 1,000-event case (a 300 KB document evolved per event).
 * 4 ms, growing by half: during the quick workload's HTTP ingest, 0–2 pieces over 20 ms (8 ms, doubling: 11–14), the
 * /healthz p99 25–30 ms (whole slices: 38–47), at 9 % less ingest throughput (docs/benchmarks.md).
 */
const DEFAULT_PIECE_BUDGET_MS = 4;
/**
 * Live and catch-up batches are applied this many events at a time per projection, with an event-loop turn
 * between two applications: a few milliseconds of synchronous work each with the embedded store.
 */
const LIVE_SLICE_EVENTS = 250;
/**
 * Turns of the event loop handed out one at a time: each call resolves in a turn of its own, after the loop has polled
 * I/O (setImmediate runs after the poll phase; one queued while the check phase runs waits for the next turn), in the
 * order asked. The projections of a slice take their pieces through it side by side, so one projection's piece is
 * evolved while another's commit is written in the store's thread, and still no two pieces share a turn.
 */
export function eventLoopTurns(): () => Promise<void> {
  const waiting: (() => void)[] = [];
  let scheduled = false;
  const handOut = (): void => {
    scheduled = false;
    waiting.shift()?.();
    if (waiting.length > 0) {
      scheduled = true;
      setImmediate(handOut);
    }
  };
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (!scheduled) {
        scheduled = true;
        setImmediate(handOut);
      }
    });
}
const DEFAULT_WAIT_TIMEOUT_MS = 5000;
const DEFAULT_RESUBSCRIBE_DELAY_MS = 1000;
const DEFAULT_RETRY_INITIAL_DELAY_MS = 250;
const DEFAULT_RETRY_MAX_DELAY_MS = 30_000;
/**
 * Above the full benchmark's 10,000 cases: a rebuild of a store that size commits once at the end. Every
 * batch of 10,000 events touches nearly every case once, so a smaller buffer would be flushed every batch and
 * write each case once per event again.
 */
const DEFAULT_REBUILD_BUFFER_DOCUMENTS = 20_000;

const consoleLogger: ProjectionLogger = {
  info: (message) => console.log(`[projections] ${message}`),
  error: (message, fields) => console.error(`[projections] ${message}`, fields?.['error'] ?? ''),
};

/** one projection's progress through the event order */
interface Track<Ctx> {
  readonly projection: Projection<Ctx>;
  readonly handles: ReadonlySet<string>;
  readonly collections: ReadonlySet<string>;
  checkpoint: bigint | null;
  failure: ProjectionFailure | null;
  retrying: ProjectionRetry | null;
  /** the pending pause before the next retry */
  retryTimer: unknown;
  /** events per piece of a live or catch-up slice (applyInPieces): LIVE_SLICE_EVENTS until a piece takes too long */
  pieceEvents: number;
}

/** where applyBatch reports what stopped a track: the projection's own code, or the read-model store */
type FailureReport<Ctx> = (track: Track<Ctx>, position: bigint, error: unknown, source: 'projection' | 'read' | 'write') => void;

interface Waiter {
  position: bigint;
  tracks: readonly Track<unknown>[];
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export function createProjectionRunner<Ctx>(deps: ProjectionRunnerDeps<Ctx>): ProjectionRunner {
  const { readModels, projections, ctx } = deps;
  // every projection (live, rebuild, replay) sees each event in the current shape of its type (events.md §2)
  const store = readingCurrentShapes(deps.store);
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const logger = deps.logger ?? consoleLogger;
  const resubscribeDelayMs = deps.resubscribeDelayMs ?? DEFAULT_RESUBSCRIBE_DELAY_MS;
  const checkBuffer = (documents: number): number => {
    if (!Number.isInteger(documents) || documents < 1) throw new RangeError(`rebuildBufferDocuments must be a positive integer, got ${documents}`);
    return documents;
  };
  if (deps.rebuildBufferDocuments !== undefined) checkBuffer(deps.rebuildBufferDocuments);
  checkProjections(projections);
  const initialDelayMs = deps.retry?.initialDelayMs ?? DEFAULT_RETRY_INITIAL_DELAY_MS;
  const maxDelayMs = deps.retry?.maxDelayMs ?? Math.max(DEFAULT_RETRY_MAX_DELAY_MS, initialDelayMs);
  if (!(initialDelayMs > 0) || !Number.isFinite(initialDelayMs)) throw new RangeError(`retry.initialDelayMs must be a positive number, got ${initialDelayMs}`);
  if (!(maxDelayMs >= initialDelayMs) || !Number.isFinite(maxDelayMs)) throw new RangeError(`retry.maxDelayMs must be at least retry.initialDelayMs, got ${maxDelayMs}`);
  const random = deps.retry?.random ?? Math.random;
  const timers = deps.retry?.timers ?? {
    setTimeout: (callback: () => void, ms: number): unknown => setTimeout(callback, ms),
    clearTimeout: (handle: unknown): void => clearTimeout(handle as NodeJS.Timeout),
  };
  const isTransient = deps.retry?.isTransient ?? isTransientStoreError;
  const pieceBudgetMs = deps.pieceBudgetMs ?? (readModels.holdsEventLoop === true ? DEFAULT_PIECE_BUDGET_MS : Infinity);
  if (!(pieceBudgetMs > 0)) throw new RangeError(`pieceBudgetMs must be a positive number, got ${pieceBudgetMs}`);
  const now = deps.now ?? (() => performance.now());

  const tracks = projections.map(newTrack);
  const waiters = new Set<Waiter>();
  let checkpointsLoaded = false;
  let started = false;
  let stopping = false;
  let catchingUp: Promise<void> | null = null;
  let subscription: Subscription | null = null;
  let resubscribeTimer: NodeJS.Timeout | null = null;
  /** every healthy projection has applied everything up to here */
  let cursor: bigint | null = null;
  let head: bigint | null = null;

  // live: the subscription hands events over one at a time; they are applied in batches of whatever has
  // arrived by the next turn of the event loop, one batch at a time
  let buffer: RecordedEvent[] = [];
  let flushScheduled: NodeJS.Immediate | null = null;
  /**
   * Every batch (catch-up, live, a retry's) is applied through here, one at a time: between two of them
   * every healthy track has applied everything up to `cursor`, which is where a retrying track rejoins.
   */
  let applying: Promise<void> = Promise.resolve();
  const nextTurn = eventLoopTurns();
  const exclusive = (work: () => Promise<void>): Promise<void> => {
    const next = applying.then(work);
    applying = next.catch(() => undefined);
    return next;
  };

  /** the tracks that take each batch as it comes */
  const healthy = (): Track<Ctx>[] => tracks.filter((track) => track.failure === null && track.retrying === null);
  /** the tracks not stopped: healthy, or pausing to retry */
  const following = (): Track<Ctx>[] => tracks.filter((track) => track.failure === null);

  const settleWaiters = (): void => {
    for (const waiter of waiters) {
      const outcome = progressTowards(waiter.tracks, waiter.position);
      if (outcome === 'waiting') continue;
      waiters.delete(waiter);
      clearTimeout(waiter.timer);
      if (outcome === 'reached') waiter.resolve();
      else waiter.reject(outcome);
    }
  };

  const loadCheckpoints = async (): Promise<void> => {
    for (const track of tracks) track.checkpoint = await readModels.checkpoint(track.projection.name);
    checkpointsLoaded = true;
    settleWaiters();
  };

  const cancelRetry = (track: Track<Ctx>): void => {
    if (track.retryTimer !== null) timers.clearTimeout(track.retryTimer);
    track.retryTimer = null;
  };

  const fail = (track: Track<Ctx>, position: bigint, error: unknown): void => {
    cancelRetry(track);
    track.retrying = null;
    track.failure = { position, message: describe(error), error };
    logger.error(`projection ${track.projection.name} stopped at position ${position}: ${describe(error)}`, {
      projection: track.projection.name,
      position: position.toString(),
      checkpoint: track.checkpoint?.toString() ?? null,
      error,
    });
    settleWaiters();
  };

  /** the pause before the attempt-th retry: the nominal one doubles from initialDelayMs up to maxDelayMs; half of it is jitter */
  const pauseBefore = (attempt: number): number => {
    const nominal = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt - 1, 60));
    return nominal / 2 + (nominal / 2) * Math.min(Math.max(random(), 0), 1);
  };

  /** a projection error or a permanent store error stops the track; a transient store error pauses it to retry */
  const report: FailureReport<Ctx> = (track, position, error, source) => {
    if (source === 'projection' || !isTransient(error)) return fail(track, position, error);
    const attempt = (track.retrying?.attempt ?? 0) + 1;
    const delayMs = pauseBefore(attempt);
    track.retrying = { position, attempt, operation: source, message: describe(error), error, delayMs };
    logger.error(
      `projection ${track.projection.name}: ${source === 'write' ? 'committing' : 'reading'} read models failed at position ${position} ` +
        `(transient), retry ${attempt} in ${Math.round(delayMs)} ms: ${describe(error)}`,
      { projection: track.projection.name, position: position.toString(), checkpoint: track.checkpoint?.toString() ?? null, attempt, error },
    );
    cancelRetry(track);
    // a stopped runner retries nothing; start() begins again from the checkpoints
    if (stopping) return;
    track.retryTimer = timers.setTimeout(() => {
      track.retryTimer = null;
      void retry(track);
    }, delayMs);
  };

  /**
   * After a retrying track's pause: applies the events from its checkpoint up to `cursor` (where the healthy
   * tracks are), batch by batch, and then it takes the batches as they come again. A failure on the way
   * reports again (a longer pause, or a stop).
   */
  const retry = (track: Track<Ctx>): Promise<void> =>
    exclusive(async () => {
      const target = cursor;
      for (;;) {
        const pausing = track.retrying;
        if (stopping || pausing === null || track.failure !== null) return;
        if (target === null || (track.checkpoint !== null && track.checkpoint >= target)) break;
        let events: RecordedEvent[];
        try {
          events = await store.readAll({ after: track.checkpoint, maxCount: batchSize });
        } catch (error) {
          report(track, pausing.position, error, 'read');
          return;
        }
        const due = events.slice(0, firstAfter(events, target));
        // in slices, as the live batches are: each slice is one commit
        for (let from = 0; from < due.length; from += LIVE_SLICE_EVENTS) {
          await applyInPieces(track, due.slice(from, from + LIVE_SLICE_EVENTS));
          // failed again: a new pause (or a stop) was reported
          if (track.retrying !== pausing || track.failure !== null) return;
        }
        if (due.length < events.length || events.length < batchSize) break;
      }
      const attempts = track.retrying?.attempt ?? 0;
      track.retrying = null;
      logger.info(`projection ${track.projection.name} applies again after ${attempts} retries, at ${track.checkpoint ?? 'the beginning'}`);
      settleWaiters();
    }).catch((error: unknown) => logger.error(`retrying projection ${track.projection.name} failed: ${describe(error)}`, { error }));

  /**
   * Applies events to every healthy projection, a slice at a time: the projections take their pieces of the slice side
   * by side, one piece per turn of the event loop (issue 14: with the embedded store a batch is synchronous work, and
   * 10,000 events through nine projections held `/healthz`, ingest acknowledgements and GraphQL for seconds), so one
   * evolves while another's commit is written in the store's thread. Each projection keeps its own checkpoint and
   * documents, so the order between them within a slice changes nothing.
   */
  const applyToAll = async (events: readonly RecordedEvent[]): Promise<void> => {
    for (let from = 0; from < events.length; from += LIVE_SLICE_EVENTS) {
      const slice = from === 0 && events.length <= LIVE_SLICE_EVENTS ? events : events.slice(from, from + LIVE_SLICE_EVENTS);
      await Promise.all(healthy().map((track) => applyInPieces(track, slice)));
      cursor = slice.at(-1)!.position;
      if (head === null || cursor > head) head = cursor;
      settleWaiters();
      deps.onProgress?.({ position: cursor, head });
    }
  };

  /**
   * One projection's share of a slice, in pieces of `track.pieceEvents` events, each in a turn of the event loop of its own,
   * the size following how long the last piece took (ProjectionRunnerDeps.pieceBudgetMs). A piece that stops the
   * projection or pauses it again (an error reported) ends its share: the rest waits for the retry, or for a restart.
   * A retry's catch-up comes through here too, its track still paused (`retrying` set) until it has caught up.
   */
  const applyInPieces = async (track: Track<Ctx>, slice: readonly RecordedEvent[]): Promise<void> => {
    const pausing = track.retrying;
    // The slice's documents stay in memory from piece to piece and are committed once, at its end: a piece committed
    // on its own wrote a document again for each piece that touched it, and made the store's thread begin and end a
    // transaction per piece while the event loop waited. The waiters are answered per slice either way (applyToAll).
    // Measured: the quick HTTP ingest's throughput did not move beyond its spread (docs/decisions.md, stop 39).
    const buffer = newBuffer(Number.POSITIVE_INFINITY);
    for (let at = 0; at < slice.length; ) {
      await nextTurn();
      const size = Math.min(track.pieceEvents, slice.length - at);
      const piece = at === 0 && size === slice.length ? slice : slice.slice(at, at + size);
      const started = now();
      await applyBatch(track, piece, readModels, ctx, report, buffer);
      const tookMs = now() - started;
      // a piece that failed says nothing about how long one takes: the size stays for the next attempt
      if (track.failure !== null || track.retrying !== pausing) return;
      track.pieceEvents = nextPieceSize(track.pieceEvents, size, tookMs, pieceBudgetMs);
      at += size;
    }
    // the commit's serialising in a turn of its own; the store's thread writes it while the loop is free
    await nextTurn();
    await commitAndWait(track, buffer, readModels, report);
  };

  const flush = (): Promise<void> =>
    exclusive(async () => {
      if (buffer.length === 0) return;
      const events = buffer;
      buffer = [];
      try {
        await applyToAll(events);
      } catch (error) {
        // applyBatch catches projection and store errors itself; this is a bug in the runner
        logger.error(`applying live events failed: ${describe(error)}`, { error });
      }
    });

  const subscribeLive = (): void => {
    // a retrying track needs the cursor to move on (it catches up to it), so it keeps the subscription too
    if (stopping || following().length === 0) return;
    subscription = store.subscribe({
      after: cursor,
      onEvent: (event) => {
        buffer.push(event);
        // backpressure: a burst is applied in full batches, and the subscription waits for each
        if (buffer.length >= batchSize) return flush();
        flushScheduled ??= setImmediate(() => {
          flushScheduled = null;
          void flush();
        });
      },
      onError: (error) => {
        subscription = null;
        if (stopping) return;
        logger.error(`event subscription failed, subscribing again in ${resubscribeDelayMs} ms: ${describe(error)}`, { error });
        resubscribeTimer = setTimeout(() => {
          resubscribeTimer = null;
          // resume after what was delivered and applied
          void flush().then(subscribeLive);
        }, resubscribeDelayMs);
      },
    });
  };

  /** resets the projections whose documents were computed under another context (or an unknown one) or by another revision */
  const resetOutdated = async (version: string): Promise<void> => {
    const wanted = contextVersionPosition(version);
    const rebuilt: OutdatedProjection[] = [];
    for (const track of tracks) {
      const { name, collections } = track.projection;
      const marker = contextVersionCheckpoint(name);
      const revisionMarker = revisionCheckpoint(name);
      const revision = BigInt(track.projection.revision ?? 1);
      const sameContext = (await readModels.checkpoint(marker)) === wanted;
      // a store built before revisions were kept has none: it was built by revision 1
      const sameRevision = ((await readModels.checkpoint(revisionMarker)) ?? 1n) === revision;
      if (sameContext && sameRevision) continue;
      if (track.checkpoint !== null) {
        const because = sameRevision ? 'context' : 'revision';
        logger.info(
          because === 'context'
            ? `projection ${name} was built under another calendar or deadline policy: rebuilding it from the first event`
            : `projection ${name} was built by another revision of its evolve: rebuilding it from the first event`,
        );
        rebuilt.push({ name, because });
      }
      await readModels.reset([name, marker, revisionMarker], collections);
      await readModels.commit(marker, wanted, []);
      if (revision !== 1n) await readModels.commit(revisionMarker, revision, []);
      track.checkpoint = null;
    }
    if (rebuilt.length > 0) deps.onContextRebuild?.(rebuilt);
  };

  const catchUp = async (): Promise<void> => {
    // a start after a stop retries projections that had failed or were pausing
    for (const track of tracks) {
      cancelRetry(track);
      track.failure = null;
      track.retrying = null;
    }
    await loadCheckpoints();
    if (deps.contextVersion !== undefined) await resetOutdated(deps.contextVersion);
    head = await store.headPosition();
    for (const track of tracks) {
      if (track.checkpoint !== null && (head === null || track.checkpoint > head)) {
        fail(
          track,
          track.checkpoint,
          new Error(
            `its checkpoint ${track.checkpoint} is beyond the event store's head ${head ?? '(empty store)'}: ` +
              'the read models were built from other events; rebuild them',
          ),
        );
      }
    }
    const running = healthy();
    if (running.length === 0) return;
    cursor = minimum(running.map((track) => track.checkpoint));
    logger.info(`catching up from ${cursor ?? 'the beginning'} to ${head ?? 'the empty head'}`);
    while (!stopping) {
      const events = await store.readAll({ after: cursor, maxCount: batchSize });
      await exclusive(() => applyToAll(events));
      // with every track stopped or pausing, live following moves the cursor on (retries catch up to it)
      if (events.length < batchSize || healthy().length === 0) break;
    }
  };

  return {
    async start() {
      if (started) throw new Error('projection runner already started');
      started = true;
      stopping = false;
      catchingUp = catchUp();
      await catchingUp;
      subscribeLive();
    },

    async stop() {
      if (!started) return;
      stopping = true;
      await catchingUp?.catch(() => undefined);
      for (const track of tracks) cancelRetry(track);
      if (resubscribeTimer !== null) clearTimeout(resubscribeTimer);
      resubscribeTimer = null;
      await subscription?.stop();
      subscription = null;
      if (flushScheduled !== null) clearImmediate(flushScheduled);
      flushScheduled = null;
      await flush();
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`projection runner stopped before position ${waiter.position}`));
      }
      waiters.clear();
      started = false;
    },

    waitFor(position, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS, names) {
      const awaited = names === undefined ? tracks : tracks.filter((track) => names.includes(track.projection.name));
      const unknown = names?.find((name) => !tracks.some((track) => track.projection.name === name));
      if (unknown !== undefined) return Promise.reject(new Error(`no projection named ${unknown}`));
      const outcome = checkpointsLoaded || awaited.length === 0 ? progressTowards(awaited, position) : 'waiting';
      if (outcome === 'reached') return Promise.resolve();
      if (outcome !== 'waiting') return Promise.reject(outcome);
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          position,
          tracks: awaited,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            const slowest = slowestOf(awaited);
            reject(new ProjectionTimeoutError(position, timeoutMs, { name: slowest.projection.name, checkpoint: slowest.checkpoint }));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },

    async lag() {
      if (tracks.length === 0) return 0n;
      if (!checkpointsLoaded) await loadCheckpoints();
      const latest = (await store.headPosition()) ?? 0n;
      const slowest = minimum(tracks.map((track) => track.checkpoint)) ?? 0n;
      return latest > slowest ? latest - slowest : 0n;
    },

    status() {
      return tracks.map((track) => ({ name: track.projection.name, checkpoint: track.checkpoint, failure: track.failure, retrying: track.retrying }));
    },

    async rebuild(into, onProgress = deps.onProgress) {
      if (into === readModels && started) throw new Error('stop the runner before rebuilding into its own store');
      const limit = checkBuffer(deps.rebuildBufferDocuments ?? into.rebuildBufferDocuments ?? DEFAULT_REBUILD_BUFFER_DOCUMENTS);
      const rebuilding = projections.map(newTrack);
      let failed: ProjectionFailedError | null = null;
      const stopOnFailure = (track: Track<Ctx>, position: bigint, error: unknown): void => {
        fail(track, position, error);
        failed ??= new ProjectionFailedError(track.projection.name, position, error);
      };
      await into.reset(
        projections.map((projection) => projection.name),
        projections.flatMap((projection) => projection.collections),
      );
      // The target is a fresh store nobody reads, and a rebuild that stops half-way (a crash, an error)
      // starts again with reset(): so documents stay in memory across batches and are committed together,
      // each written once per commit instead of once per batch. A projection's documents and checkpoint
      // still move together in every commit.
      const buffers = new Map(rebuilding.map((track) => [track, newBuffer(limit)]));
      let known = await store.headPosition();
      let after: bigint | null = null;
      for (;;) {
        const events = await store.readAll({ after, maxCount: batchSize });
        await Promise.all(rebuilding.map((track) => applyBatch(track, events, into, ctx, stopOnFailure, buffers.get(track)!)));
        if (failed !== null) throw failed;
        const last = events.at(-1);
        if (last !== undefined) {
          after = last.position;
          if (known === null || after > known) known = after;
          onProgress?.({ position: after, head: known });
        }
        if (events.length < batchSize) break;
      }
      await Promise.all(rebuilding.map((track) => commitAndWait(track, buffers.get(track)!, into, stopOnFailure)));
      if (failed !== null) throw failed;
    },
  };
}

/**
 * Where a projection's context version is kept: the checkpoint of a companion name, whose position is a hash of the
 * version. The port has no other place for a projection's metadata, and a checkpoint moves atomically and is dropped
 * by reset() like the projection's own.
 */
export const contextVersionCheckpoint = (projection: string): string => `${projection}#context`;

/** where the revision that built a projection's documents is kept (absent: revision 1), beside its context version */
export const revisionCheckpoint = (projection: string): string => `${projection}#revision`;

/** a projection the runner rebuilds at start, and why: another calendar or deadline policy, or another revision of its evolve */
export interface OutdatedProjection {
  name: string;
  because: 'context' | 'revision';
}

/** FNV-1a (64-bit) of the version's UTF-16 units, cut to 52 bits and never 0: a position every store keeps exactly */
export function contextVersionPosition(version: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < version.length; i++) hash = ((hash ^ BigInt(version.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return (hash & 0xfffffffffffffn) | 1n;
}

/** a document of the batch being applied */
interface Entry {
  /** the current document: the stored one, or what evolve returned last */
  doc: unknown | null;
  /** position of the last event applied to it */
  position: bigint | null;
  /** index entries named by evolve during this batch (merged); undefined keeps the stored ones */
  indexes: Record<string, readonly string[]> | undefined;
  changed: boolean;
  /** deleted during this batch: a re-created document must not inherit the old index entries */
  deleted: boolean;
}

/** collection → id → document */
type DocumentCache = Map<string, Map<string, Entry>>;

/**
 * Documents applied in memory and not yet committed: a rebuild's, across batches; a live slice's, across its pieces
 * (committed at the slice's end). A full buffer is handed to the store and the next events are applied while the store
 * commits it (for the embedded store, in its writer's thread): until that commit has answered, its documents are read
 * from `committing`, not from the store, and the next commit of the same projection waits for it — so at most two
 * buffers' documents are in memory, and commits keep their order.
 */
interface DocumentBuffer {
  cache: DocumentCache;
  /** entries in `cache` */
  documents: number;
  /** commit once `documents` reaches this */
  readonly limit: number;
  /** the last event applied in memory: the checkpoint of the next commit */
  applied: bigint | null;
  /** the first event applied since the last commit (where the track stops if that commit fails) */
  uncommittedFrom: bigint | null;
  /** the last commit handed to the store: its documents (read from here until `committed` has seen the answer), and whether it succeeded */
  committing: { readonly cache: DocumentCache; readonly done: Promise<boolean> } | null;
}

function newBuffer(limit: number): DocumentBuffer {
  return { cache: new Map(), documents: 0, limit, applied: null, uncommittedFrom: null, committing: null };
}

/**
 * Applies the events past the buffer's (or else the track's) last applied event into the buffer, which is handed to the
 * store once it is full; the caller commits the rest (commitAndWait). Never rejects: a failure stops the track at the
 * failing event (reported through `fail`) after committing the events before it.
 */
async function applyBatch<Ctx>(
  track: Track<Ctx>,
  events: readonly RecordedEvent[],
  readModels: ReadModelStore,
  ctx: Ctx,
  fail: FailureReport<Ctx>,
  buffer: DocumentBuffer,
): Promise<void> {
  const { projection, handles, collections } = track;
  const start = firstAfter(events, buffer.applied ?? track.checkpoint);
  if (start === events.length) return;
  const cache = buffer.cache;

  // 1. which documents the batch touches
  const touching: Touching[number][] = [];
  const wanted = new Map<string, Set<string>>();
  let failure: { index: number; error: unknown } | null = null;
  for (let index = start; index < events.length; index++) {
    const event = events[index]!;
    if (!handles.has(event.type)) continue;
    try {
      const keys = projection.keys(event, ctx);
      for (const [collection, id] of keys) {
        if (!collections.has(collection)) throw new Error(`collection ${collection} is not among the projection's collections`);
        if (cache.get(collection)?.has(id)) continue;
        let ids = wanted.get(collection);
        if (ids === undefined) wanted.set(collection, (ids = new Set()));
        ids.add(id);
      }
      if (keys.length > 0) touching.push({ index, event, keys });
    } catch (error) {
      failure = { index, error };
      break;
    }
  }

  // 2. read each document once (the buffer may hold it already, or the commit it is handing over)
  try {
    for (const [collection, ids] of wanted) {
      let entries = cache.get(collection);
      if (entries === undefined) cache.set(collection, (entries = new Map()));
      const handedOver = buffer.committing?.cache.get(collection);
      const list: string[] = [];
      for (const id of ids) {
        const committed = handedOver?.get(id);
        if (committed === undefined) list.push(id);
        // as the store will hold it: a deleted document is absent
        else entries.set(id, { doc: committed.doc, position: committed.doc === null ? null : committed.position, indexes: undefined, changed: false, deleted: false });
      }
      buffer.documents += ids.size;
      if (list.length === 0) continue;
      const docs = await readModels.getMany<unknown>(collection, list);
      list.forEach((id, at) => {
        const doc = docs[at] ?? null;
        entries.set(id, { doc, position: positionOf(doc), indexes: undefined, changed: false, deleted: false });
      });
    }
  } catch (error) {
    fail(track, events[start]!.position, error, 'read');
    return;
  }

  // 3. evolve in memory: document by document, else (an evolve threw) event by event to find where
  if (!evolveByDocument(projection, touching, cache, ctx)) failure = evolveInOrder(projection, touching, cache, ctx, failure);

  // 4. what was applied, up to the event before a failure, stays in the buffer (committed when it is full)
  const end = failure === null ? events.length : failure.index;
  if (end > start) {
    buffer.applied = events[end - 1]!.position;
    buffer.uncommittedFrom ??= events[start]!.position;
  }
  // a failing event: what was applied before it is committed (and answered) before the failure is reported
  if (failure !== null && !(await commitAndWait(track, buffer, readModels, fail))) return;
  if (failure === null && buffer.documents >= buffer.limit && !(await handOver(track, buffer, readModels, fail))) return;
  if (failure !== null) fail(track, events[failure.index]!.position, failure.error, 'projection');
}

/** a batch's events that touch documents of the projection, with where they are in the batch and what they touch */
type Touching = readonly { index: number; event: RecordedEvent; keys: readonly (readonly [string, string])[] }[];

/**
 * Applies the batch's events one document at a time, each document's in event order: documents are independent
 * (evolve reads one document and the event), so the result is what the event order gives. Why: a document's
 * versions between two of its events then live for microseconds rather than across thousands of other events, and a
 * version that outlives a scavenge is copied by the collector (over a quarter of a rebuild's event loop went to it).
 * False, with every document as it was, when an evolve throws: the caller then applies the events in order, which
 * stops at the failing event with the events before it applied.
 */
function evolveByDocument<Ctx>(projection: Projection<Ctx>, touching: Touching, cache: DocumentCache, ctx: Ctx): boolean {
  const documents = new Map<Entry, { collection: string; id: string; events: RecordedEvent[] }>();
  for (const { event, keys } of touching) {
    for (const [collection, id] of keys) {
      const entry = cache.get(collection)!.get(id)!;
      const document = documents.get(entry);
      if (document === undefined) documents.set(entry, { collection, id, events: [event] });
      else document.events.push(event);
    }
  }
  const before: [Entry, Entry][] = [];
  try {
    for (const [entry, { collection, id, events }] of documents) {
      before.push([entry, { ...entry }]);
      for (const event of events) evolveEntry(projection, entry, event, ctx, collection, id);
    }
    return true;
  } catch {
    for (const [entry, was] of before) Object.assign(entry, was);
    return false;
  }
}

/** Applies the events in order, each event to all its documents or (it throws) to none; returns the failure, if any. */
function evolveInOrder<Ctx>(
  projection: Projection<Ctx>,
  touching: Touching,
  cache: DocumentCache,
  ctx: Ctx,
  failure: { index: number; error: unknown } | null,
): { index: number; error: unknown } | null {
  for (const { index, event, keys } of touching) {
    if (failure !== null && index >= failure.index) break;
    const undo: [Entry, Entry][] = [];
    try {
      for (const [collection, id] of keys) evolveEntry(projection, cache.get(collection)!.get(id)!, event, ctx, collection, id, undo);
    } catch (error) {
      for (const [entry, before] of undo.reverse()) Object.assign(entry, before);
      return { index, error };
    }
  }
  return failure;
}

/** One event applied to one document in memory; `undo` (if given) gets the entry as it was before a change. */
function evolveEntry<Ctx>(projection: Projection<Ctx>, entry: Entry, event: RecordedEvent, ctx: Ctx, collection: string, id: string, undo?: [Entry, Entry][]): void {
  // already applied: a re-delivered event, or a key listed twice
  if (entry.position !== null && event.position <= entry.position) return;
  const result = projection.evolve(entry.doc, event, ctx, collection);
  const doc = result.doc;
  if (doc === entry.doc && result.indexes === undefined) return;
  if (doc !== null && (typeof doc !== 'object' || Array.isArray(doc))) {
    throw new TypeError(`evolve returned ${Array.isArray(doc) ? 'an array' : typeof doc} for ${collection}/${id}; documents are JSON objects`);
  }
  undo?.push([entry, { ...entry }]);
  entry.doc = doc;
  entry.position = event.position;
  entry.changed = true;
  if (doc === null) {
    entry.deleted = true;
    entry.indexes = undefined;
  } else if (result.indexes !== undefined) {
    entry.indexes = { ...entry.indexes, ...result.indexes };
  }
}

/**
 * Hands what a buffer holds to the store as one commit and empties the buffer, without waiting for the store's
 * answer (the buffer's `committing` keeps the documents until then); waits first for the commit handed over before.
 * False (after `fail`) when that earlier commit failed.
 */
async function handOver<Ctx>(
  track: Track<Ctx>,
  buffer: DocumentBuffer,
  readModels: ReadModelStore,
  fail: FailureReport<Ctx>,
): Promise<boolean> {
  if (!(await committed(buffer))) return false;
  const { cache, applied, uncommittedFrom } = buffer;
  if (uncommittedFrom !== null && applied !== null) {
    // called in a microtask over the captured buffer: a synchronous throw (writesOf) becomes this commit's failure
    const answer = Promise.resolve()
      .then(() => readModels.commit(track.projection.name, applied, writesOf(cache, track.projection)))
      .then(
        () => {
          track.checkpoint = applied;
          return true;
        },
        (error: unknown) => {
          fail(track, uncommittedFrom, error, 'write');
          return false;
        },
      );
    buffer.committing = { cache, done: answer };
  }
  buffer.cache = new Map();
  buffer.documents = 0;
  buffer.uncommittedFrom = null;
  return true;
}

/** hands the buffer over and waits for the store's answer (the end of a rebuild, a failing event); false when a commit failed */
async function commitAndWait<Ctx>(track: Track<Ctx>, buffer: DocumentBuffer, readModels: ReadModelStore, fail: FailureReport<Ctx>): Promise<boolean> {
  return (await handOver(track, buffer, readModels, fail)) && (await committed(buffer));
}

/** waits for the commit a buffer handed over, if any; false when it failed */
async function committed(buffer: DocumentBuffer): Promise<boolean> {
  const committing = buffer.committing;
  if (committing === null) return true;
  const succeeded = await committing.done;
  if (buffer.committing === committing) buffer.committing = null;
  return succeeded;
}

/** the writes of the documents evolved since they were read; every one names the projection's range-only and counted indexes */
function writesOf(cache: DocumentCache, { rangeIndexes, countedGroups }: Pick<Projection<unknown>, 'rangeIndexes' | 'countedGroups'>): DocumentWrite[] {
  const writes: DocumentWrite[] = [];
  const kinds: Pick<DocumentWrite, 'rangeIndexes' | 'countedGroups'> = {
    ...(rangeIndexes !== undefined && rangeIndexes.length > 0 ? { rangeIndexes } : {}),
    ...(countedGroups !== undefined ? { countedGroups } : {}),
  };
  for (const [collection, entries] of cache) {
    for (const [id, entry] of entries) {
      if (!entry.changed) continue;
      if (entry.doc === null) {
        writes.push({ collection, id, doc: null, ...kinds });
        continue;
      }
      if (entry.deleted) writes.push({ collection, id, doc: null, ...kinds });
      const write: DocumentWrite = { collection, id, doc: withPosition(entry.doc, entry.position!), ...kinds };
      if (entry.indexes !== undefined) write.indexes = entry.indexes;
      writes.push(write);
    }
  }
  return writes;
}

function newTrack<Ctx>(projection: Projection<Ctx>): Track<Ctx> {
  return {
    projection,
    handles: new Set(projection.canHandle),
    collections: new Set(projection.collections),
    checkpoint: null,
    failure: null,
    retrying: null,
    retryTimer: null,
    pieceEvents: LIVE_SLICE_EVENTS,
  };
}

/**
 * The next piece size, from how long the last piece took: over the budget, in proportion (a piece of 250 events that
 * took 32 ms against 8 becomes 62); under half of it, a full-sized piece grows by half (up to a whole slice) — slowly,
 * since a projection's next slow stretch (the long case's events) comes without warning; else unchanged.
 */
export function nextPieceSize(current: number, lastSize: number, tookMs: number, budgetMs: number): number {
  if (tookMs > budgetMs) return Math.max(1, Math.min(current, Math.floor((lastSize * budgetMs) / tookMs)));
  if (tookMs < budgetMs / 2 && lastSize === current) return Math.min(LIVE_SLICE_EVENTS, Math.ceil(current * 1.5));
  return current;
}

/** names are checkpoint keys and collections are reset per projection: neither may be shared */
function checkProjections<Ctx>(projections: readonly Projection<Ctx>[]): void {
  const names = new Set<string>();
  const owners = new Map<string, string>();
  for (const { name, collections } of projections) {
    if (names.has(name)) throw new Error(`two projections are named ${name}`);
    names.add(name);
    for (const collection of collections) {
      const owner = owners.get(collection);
      if (owner !== undefined) throw new Error(`collection ${collection} belongs to both ${owner} and ${name}`);
      owners.set(collection, name);
    }
  }
}

/** index of the first event with position > after (events are in position order) */
function firstAfter(events: readonly RecordedEvent[], after: bigint | null): number {
  if (after === null) return 0;
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (events[middle]!.position <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** the smallest checkpoint; null if any projection has applied nothing */
function minimum(checkpoints: readonly (bigint | null)[]): bigint | null {
  let smallest: bigint | null = null;
  for (const checkpoint of checkpoints) {
    if (checkpoint === null) return null;
    if (smallest === null || checkpoint < smallest) smallest = checkpoint;
  }
  return smallest;
}

function slowestOf<Ctx>(tracks: readonly Track<Ctx>[]): Track<Ctx> {
  return tracks.reduce((slowest, track) =>
    track.checkpoint === null || (slowest.checkpoint !== null && track.checkpoint < slowest.checkpoint) ? track : slowest,
  );
}

function progressTowards<Ctx>(tracks: readonly Track<Ctx>[], position: bigint): 'reached' | 'waiting' | ProjectionFailedError {
  let outcome: 'reached' | 'waiting' = 'reached';
  for (const track of tracks) {
    if (track.checkpoint !== null && track.checkpoint >= position) continue;
    if (track.failure !== null) return new ProjectionFailedError(track.projection.name, track.failure.position, track.failure.error);
    outcome = 'waiting';
  }
  return outcome;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
