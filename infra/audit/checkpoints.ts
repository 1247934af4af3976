/**
 * Signed checkpoints (docs/audit.md "Checkpoints"): now and then the platform seals the whole store — a
 * Merkle root (RFC 6962) over every stream's head, plus a digest of the global order since the previous
 * checkpoint — signs it with its Ed25519 key and appends it as an event to the stream `audit-checkpoints`.
 * A stream's hash chain cannot show that its newest events, or the whole stream, were deleted; a checkpoint
 * that remembers the head can.
 *
 * The stream name has no `$`: EventStoreDB reserves `$`-streams for itself. The event type is not one any
 * projection handles, and ingest only writes case and meeting streams, so nothing else reads it.
 */
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock } from '../../ports/clock.js';
import { canonicalJson } from '../../ports/canonicalJson.js';
import { ExpectedRevisionConflict, type EventStore, type RecordedEvent } from '../../ports/eventStore.js';
import { slices } from '../eventLoopSlices.js';
import { chainRowsOf, type ChainRowSource } from '../eventStore/chainRows.js';
import { leafHash, merkleRootOfLeafHashes, merkleRootOfLeafHashesInSlices } from './merkle.js';
import type { CheckpointSigner } from './signingKey.js';

export const CHECKPOINT_STREAM = 'audit-checkpoints';
export const CHECKPOINT_EVENT_TYPE = 'audit.checkpoint';
export const CHECKPOINT_FORMAT = 'liandong-checkpoint/1';

/** a stream head as a checkpoint lists it: [streamId, revision, position (decimal), hash] */
export type HeadEntry = [streamId: string, revision: number, position: string, hash: string];

/** what is signed: the checkpoint event's data without `signature` */
export interface CheckpointBody {
  format: typeof CHECKPOINT_FORMAT;
  /** covers every event (other than checkpoints) with a position ≤ this; decimal */
  position: string;
  /** the previous checkpoint's `position` ("0" for the first): this one adds (previousPosition, position] */
  previousPosition: string;
  /** events covered in all, checkpoints not counted */
  eventCount: number;
  /** streams covered in all (the Merkle tree's leaves) */
  streamCount: number;
  /** hex RFC 6962 Merkle Tree Hash over every stream head, leaves in stream-id order */
  root: string;
  /** hex SHA-256 over the lines `<position> <hash>\n` of each event in (previousPosition, position], in order */
  eventsDigest: string;
  /** the heads that moved in (previousPosition, position], in stream-id order */
  heads: HeadEntry[];
  /** `hash` of the previous checkpoint event; null for the first */
  previous: string | null;
  /** which key signed (signingKey.ts keyIdOf) */
  keyId: string;
  /** RFC 3339 UTC */
  signedAt: string;
}

export interface CheckpointData extends CheckpointBody {
  /** base64 Ed25519 signature over the UTF-8 bytes of canonicalJson(body) */
  signature: string;
}

export const isCheckpointStream = (streamId: string): boolean => streamId === CHECKPOINT_STREAM;

/** the bytes that are signed */
export const signedMessage = (body: CheckpointBody): Buffer => Buffer.from(canonicalJson(body), 'utf8');

/** the Merkle leaf of one head: the UTF-8 bytes of canonicalJson([streamId, revision, "position", hash]) */
export const headLeaf = (entry: HeadEntry): Buffer => leafHash(canonicalJson(entry));

export interface StreamHead {
  revision: number;
  position: bigint;
  hash: string;
}

/**
 * Every stream's head, with the Merkle leaf of each kept so a root costs one pass of inner nodes. Used by
 * the writer (heads now) and the verifier (heads a checkpoint promised).
 */
export class HeadSet {
  private readonly heads = new Map<string, StreamHead & { leaf: Buffer }>();
  private sorted: string[] | null = [];

  get size(): number {
    return this.heads.size;
  }

  get(streamId: string): StreamHead | undefined {
    return this.heads.get(streamId);
  }

  set(streamId: string, head: StreamHead): void {
    if (!this.heads.has(streamId)) this.sorted = null;
    this.heads.set(streamId, { ...head, leaf: headLeaf([streamId, head.revision, head.position.toString(), head.hash]) });
  }

  entry(streamId: string): HeadEntry {
    const head = this.heads.get(streamId)!;
    return [streamId, head.revision, head.position.toString(), head.hash];
  }

  /** hex MTH over the leaves in stream-id order (UTF-16 code units, as JavaScript and RFC 8785 sort) */
  root(): string {
    this.sorted ??= [...this.heads.keys()].sort();
    return merkleRootOfLeafHashes(this.sorted.map((streamId) => this.heads.get(streamId)!.leaf)).toString('hex');
  }

  /** root(), letting the event loop turn at `pause` while hashing (a checkpoint of a city seals tens of thousands of streams) */
  async rootInSlices(pause: () => Promise<void>): Promise<string> {
    this.sorted ??= [...this.heads.keys()].sort();
    await pause();
    return (await merkleRootOfLeafHashesInSlices(this.sorted.map((streamId) => this.heads.get(streamId)!.leaf), pause)).toString('hex');
  }
}

/** reads a checkpoint event's data, or says what is wrong with it */
export function parseCheckpoint(event: RecordedEvent): CheckpointData | string {
  if (event.type !== CHECKPOINT_EVENT_TYPE) return `类型为 ${event.type}，不是 ${CHECKPOINT_EVENT_TYPE}`;
  const data = event.data as Partial<CheckpointData>;
  if (data.format !== CHECKPOINT_FORMAT) return `格式 ${String(data.format)} 未知`;
  const decimal = (value: unknown): boolean => typeof value === 'string' && /^(0|[1-9]\d*)$/.test(value);
  const hex64 = (value: unknown): boolean => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
  if (!decimal(data.position) || !decimal(data.previousPosition)) return 'position / previousPosition 不是十进制整数';
  if (!Number.isSafeInteger(data.eventCount) || !Number.isSafeInteger(data.streamCount)) return 'eventCount / streamCount 不是整数';
  if (!hex64(data.root) || !hex64(data.eventsDigest)) return 'root / eventsDigest 不是 SHA-256 十六进制串';
  if (data.previous !== null && !hex64(data.previous)) return 'previous 不是 SHA-256 十六进制串';
  if (typeof data.keyId !== 'string' || typeof data.signature !== 'string' || typeof data.signedAt !== 'string') return '缺少 keyId / signature / signedAt';
  const headsValid =
    Array.isArray(data.heads) &&
    data.heads.every(
      (entry) =>
        Array.isArray(entry) &&
        entry.length === 4 &&
        typeof entry[0] === 'string' &&
        Number.isSafeInteger(entry[1]) &&
        decimal(entry[2]) &&
        typeof entry[3] === 'string',
    );
  if (!headsValid) return 'heads 格式不对';
  return data as CheckpointData;
}

export const bodyOf = ({ signature: _signature, ...body }: CheckpointData): CheckpointBody => body;

export interface WrittenCheckpoint {
  /** the checkpoint event's own position */
  position: bigint;
  /** it covers every event up to here */
  covers: bigint;
  eventCount: number;
  streamCount: number;
  /** events added since the previous checkpoint */
  added: number;
  root: string;
  keyId: string;
}

export interface CheckpointWriter {
  /**
   * Seals everything stored now; resolves null when nothing new was stored since the last checkpoint.
   * Calls are queued, one at a time.
   */
  write(): Promise<WrittenCheckpoint | null>;
}

export interface CheckpointWriterDeps {
  store: EventStore;
  signer: CheckpointSigner;
  clock: Clock;
  /** events read per page (default 1,000: a page is read in one go, on the event loop for the embedded store) */
  pageSize?: number;
  /** the longest stretch of work between two turns of the event loop, in ms (default SLICE_MS; 0 turns at every pause) */
  sliceMs?: number;
}

/**
 * The longest stretch of a checkpoint's own work (setting heads, hashing the tree, signing) before the event loop may
 * turn: what verify.ts allows its slices. A head costs a canonical JSON and a SHA-256, so 10,000 moved streams were
 * about 40 ms in one go.
 */
const SLICE_MS = 10;

/** heads.set of every entry, pausing (a turn of the event loop once the slice's time is up) between two */
async function setHeadsInSlices(heads: HeadSet, entries: ReadonlyMap<string, StreamHead>, pause: () => Promise<void>): Promise<void> {
  for (const [streamId, head] of entries) {
    heads.set(streamId, head);
    await pause();
  }
}

interface WriterState {
  heads: HeadSet;
  /** position the last checkpoint covers, null before the first */
  covered: bigint | null;
  eventCount: number;
  /** the checkpoint stream's last revision and hash */
  revision: number | null;
  lastHash: string | null;
}

/**
 * Builds each checkpoint from the previous one (read back from the checkpoint stream once, then kept in
 * memory) plus the events after it, so a checkpoint costs the events since the last one and one pass over
 * the heads, not a read of the whole store. Another process writing a checkpoint meanwhile makes the
 * append conflict; the writer then reloads and tries once more.
 */
export function createCheckpointWriter(deps: CheckpointWriterDeps): CheckpointWriter {
  const { store, signer, clock } = deps;
  const pageSize = deps.pageSize ?? 1000;
  const sliceMs = deps.sliceMs ?? SLICE_MS;
  let state: WriterState | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  const load = async (): Promise<WriterState> => {
    const loaded: WriterState = { heads: new HeadSet(), covered: null, eventCount: 0, revision: null, lastHash: null };
    const pause = slices(sliceMs);
    // each stream's head as the newest checkpoint listing it has it; hashed into leaves once, at the end
    const newest = new Map<string, StreamHead>();
    for (let from = 0; ; ) {
      const page = await store.readStream(CHECKPOINT_STREAM, { fromRevision: from, maxCount: 100 });
      for (const event of page) {
        const checkpoint = parseCheckpoint(event);
        if (typeof checkpoint === 'string') throw new Error(`检查点 ${event.position} 无法读取：${checkpoint}（请先运行 liandong audit verify）`);
        for (const [streamId, revision, position, hash] of checkpoint.heads) newest.set(streamId, { revision, position: BigInt(position), hash });
        loaded.covered = BigInt(checkpoint.position);
        loaded.eventCount = checkpoint.eventCount;
        loaded.revision = event.revision;
        loaded.lastHash = event.hash;
      }
      if (page.length < 100) break;
      from = page.at(-1)!.revision + 1;
      await pause();
    }
    await setHeadsInSlices(loaded.heads, newest, pause);
    return loaded;
  };

  const attempt = async (): Promise<WrittenCheckpoint | null> => {
    const current = (state ??= await load());
    const digest = createHash('sha256');
    let added = 0;
    let last = current.covered;
    // each moved stream's newest head (a busy stream moves many times between checkpoints, and its leaf is a hash
    // of its own); applied to the heads just before the append; if anything fails from there on, writeOnce throws
    // the whole state away and the next call reloads it from the store
    const pending = new Map<string, StreamHead>();
    const rows = chainRowsOf(store, await store.headPosition());
    for (let after = current.covered; ; ) {
      const page = await sealedPage(store, rows, after, pageSize);
      for (const event of page) {
        if (isCheckpointStream(event.streamId)) continue;
        pending.set(event.streamId, { revision: event.revision, position: event.position, hash: event.hash });
        digest.update(`${event.position} ${event.hash}\n`);
        added += 1;
        last = event.position;
      }
      if (page.length < pageSize) break;
      after = page.at(-1)!.position;
      // a page at a time, each in a turn of the event loop of its own: ten minutes of a busy city's events are
      // hundreds of thousands, and the platform answers `/healthz`, ingest and GraphQL meanwhile
      await nextTurn();
    }
    if (added === 0 || last === null) return null;

    // a leaf hash per moved stream, then the tree over every stream: in slices, like the pages above (the first
    // checkpoint of a store seals all of it, and a whole city's streams took seconds in one go)
    const pause = slices(sliceMs);
    await setHeadsInSlices(current.heads, pending, pause);
    const root = await current.heads.rootInSlices(pause);
    const body: CheckpointBody = {
      format: CHECKPOINT_FORMAT,
      position: last.toString(),
      previousPosition: (current.covered ?? 0n).toString(),
      eventCount: current.eventCount + added,
      streamCount: current.heads.size,
      root,
      eventsDigest: digest.digest('hex'),
      heads: [...pending.keys()].sort().map((streamId) => current.heads.entry(streamId)),
      previous: current.lastHash,
      keyId: signer.keyId,
      signedAt: clock.now().toISOString(),
    };
    const data: CheckpointData = { ...body, signature: signer.sign(signedMessage(body)).toString('base64') };
    // the body was written out once to be signed, and the append writes it out again to hash it: not in one stretch
    await pause();
    const [result] = await store.append([
      {
        streamId: CHECKPOINT_STREAM,
        expectedRevision: current.revision ?? 'no_stream',
        events: [
          {
            type: CHECKPOINT_EVENT_TYPE,
            data: data as unknown as Record<string, unknown>,
            metadata: { source: null, eventId: null, principal: null, channel: 'platform', time: body.signedAt },
          },
        ],
      },
    ]);
    const [written] = await store.readStream(CHECKPOINT_STREAM, { fromRevision: result!.nextExpectedRevision, maxCount: 1 });
    current.covered = last;
    current.eventCount = body.eventCount;
    current.revision = result!.nextExpectedRevision;
    current.lastHash = written!.hash;
    return {
      position: result!.positions[0]!,
      covers: last,
      eventCount: body.eventCount,
      streamCount: body.streamCount,
      added,
      root: body.root,
      keyId: signer.keyId,
    };
  };

  const writeOnce = async (): Promise<WrittenCheckpoint | null> => {
    try {
      return await attempt();
    } catch (error) {
      // the in-memory heads may be ahead of the stored checkpoints now: start again from the store
      state = null;
      if (!(error instanceof ExpectedRevisionConflict)) throw error;
      return attempt().catch((retryError: unknown) => {
        state = null;
        throw retryError;
      });
    }
  };

  return {
    write() {
      const run = queue.then(writeOnce, writeOnce);
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

/** what a checkpoint needs of an event */
interface SealedEvent {
  streamId: string;
  revision: number;
  position: bigint;
  hash: string;
}

/**
 * The events after `after`: the stored rows where the store offers them (chainRows.ts: no event's data is parsed, which
 * was most of the time a checkpoint took), else the port's readAll.
 */
async function sealedPage(store: EventStore, rows: ChainRowSource | null, after: bigint | null, pageSize: number): Promise<SealedEvent[]> {
  if (rows === null) return store.readAll({ after, maxCount: pageSize });
  // a missing hash reads as readAll reads it: ''
  return rows.readChainRows(Number(after ?? 0n), pageSize).map(([position, streamId, revision, , , , , hash]) => ({ streamId, revision: Number(revision), position: BigInt(position), hash: hash ?? '' }));
}

export interface CheckpointSchedule {
  /** stops the timer, waits for a checkpoint in progress, then writes a last one (nothing if nothing is new) */
  stop(): Promise<WrittenCheckpoint | null>;
}

/** writes a checkpoint every `intervalMs` (when something new was stored); failures are logged and retried next time */
export function scheduleCheckpoints(deps: {
  writer: CheckpointWriter;
  intervalMs: number;
  onWritten?(checkpoint: WrittenCheckpoint): void;
  onError(error: unknown): void;
}): CheckpointSchedule {
  const timer = setInterval(() => {
    deps.writer.write().then((written) => written && deps.onWritten?.(written), deps.onError);
  }, deps.intervalMs);
  // a pending checkpoint must not keep a stopping process alive
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      return deps.writer.write();
    },
  };
}
