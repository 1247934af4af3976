/**
 * `liandong audit verify` and GraphQL `auditVerify` (docs/audit.md "Verification"): recomputes every
 * event's hash, follows every stream's chain, checks every checkpoint's signature and Merkle root, and
 * compares what the store holds with what each checkpoint sealed.
 *
 * 1. The checkpoint stream first: its own chain, each checkpoint's format, key, signature, link to the
 *    previous one, and that the heads it lists give the root it signed.
 * 2. Then every event in position order (or one stream in revision order):
 *    - positions 1, 2, 3, … without a gap (both SQL stores hand out dense positions: a rolled-back append
 *      gives its positions back), so a deleted event is named by its own position;
 *    - per stream: revisions 0, 1, 2, … , `prevHash` = the previous revision's `hash`, and `hash` = the
 *      hash recomputed from the stored fields;
 *    - at each checkpoint's position: every stream head the checkpoint sealed is still the head at that
 *      position (a deleted tail or a deleted stream shows here even if the positions were renumbered),
 *      the number of events matches, and the digest of (position, hash) over the interval matches (the
 *      global order between streams).
 *
 * 3. With the whole store, the append-only logs given in `logs` (the access log, the rejections): each
 *    one's hash chain, ids and head (logChain.ts); their findings name the entry's id.
 *
 * A finding does not stop the walk: the chain is picked up again from the stored values, so one altered
 * event is one finding. `firstBrokenPosition` is the smallest position named by any finding of the event
 * store; `ok` and `detail` cover the logs too.
 */
import { createHash, type Hash } from 'node:crypto';
import type { EventStore, RecordedEvent } from '../../ports/eventStore.js';
import { eventHash, eventHashFromStoredText } from '../eventStore/eventHash.js';
import { chainRowsOf, chainedEventOfRow, type ChainRow } from '../eventStore/chainRows.js';
import { bodyOf, CHECKPOINT_STREAM, HeadSet, isCheckpointStream, parseCheckpoint, signedMessage, type HeadEntry, type StreamHead } from './checkpoints.js';
import { verifySignature, type TrustedKeys } from './signingKey.js';
import type { AuditFinding, AuditReport } from '../../ports/audit.js';
import type { ChainedLog, LogReport } from '../../ports/chainedLog.js';
import { verifyChain } from './logChain.js';
import { slices } from '../eventLoopSlices.js';

export interface VerifyOptions {
  store: EventStore;
  /** public keys to accept signatures from, by key id */
  trustedKeys: TrustedKeys;
  /** one stream only; undefined = the whole store */
  stream?: string;
  /** positions are 1, 2, 3, … (SQLite and PostgreSQL stores); default true */
  densePositions?: boolean;
  /** events per read (default 10,000) */
  pageSize?: number;
  /** findings kept in the report (default 100); the walk always goes to the end */
  maxFindings?: number;
  /** append-only logs to verify with the whole store (not with `stream`): the access log, the rejections */
  logs?: readonly ChainedLog[];
  onProgress?(position: bigint, head: bigint | null): void;
  /** stops the walk at the next slice: it rejects with the signal's reason */
  signal?: AbortSignal;
}

/** rows per read on the store's ChainRowSource */
const ROW_PAGE_SIZE = 1000;

interface Boundary {
  /** the checkpoint event's position */
  checkpoint: bigint;
  from: bigint;
  covers: bigint;
  heads: HeadEntry[];
  eventCount: number;
  eventsDigest: string;
}

interface Link {
  revision: number;
  position: bigint;
  hash: string;
}

/** what the walk reads of an event (a RecordedEvent, or a row of the store's ChainRowSource) */
type Walked = Pick<RecordedEvent, 'streamId' | 'revision' | 'position' | 'hash' | 'prevHash'>;

export async function verifyStore(options: VerifyOptions): Promise<AuditReport> {
  const { store, trustedKeys, stream } = options;
  const pageSize = options.pageSize ?? 10_000;
  const maxFindings = options.maxFindings ?? 100;
  const dense = (options.densePositions ?? true) && stream === undefined;
  const wholeStore = stream === undefined;

  const findings: AuditFinding[] = [];
  let findingCount = 0;
  let first: AuditFinding | null = null;
  const find = (position: bigint | null, streamId: string | null, message: string): void => {
    findingCount += 1;
    const finding = { position, streamId, message };
    if (findings.length < maxFindings) findings.push(finding);
    if (first === null || (position !== null && (first.position === null || position < first.position))) first = finding;
  };
  let checked = 0;
  const pause = slices(SLICE_MS, options.signal);

  // 1. the checkpoints
  const boundaries: Boundary[] = [];
  const keyIds = new Set<string>();
  {
    const promised = new HeadSet();
    let previous: RecordedEvent | undefined;
    let lastValid: { covers: bigint; hash: string } | null = null;
    for (let from = 0; ; ) {
      const page = await store.readStream(CHECKPOINT_STREAM, { fromRevision: from, maxCount: 100 });
      // a checkpoint is one large event (a head per stream): hashing it, reading it and checking its signature are
      // each a step of tens of milliseconds over all its heads, so the loop turns between them as well
      await pause();
      for (const event of page) {
        checked += 1;
        const broken = linkProblem(event, previous, eventHash);
        if (broken !== null) find(event.position, CHECKPOINT_STREAM, broken);
        previous = event;
        await pause();
        const where = `检查点（位置 ${event.position}）`;
        const checkpoint = parseCheckpoint(event);
        await pause();
        if (typeof checkpoint === 'string') {
          find(event.position, CHECKPOINT_STREAM, `${where}无法读取：${checkpoint}`);
          continue;
        }
        const key = trustedKeys.get(checkpoint.keyId);
        if (key === undefined) {
          find(event.position, CHECKPOINT_STREAM, `${where}由未知密钥 ${checkpoint.keyId} 签名：不在受信任的公钥之中（签名无法核对）`);
          continue;
        }
        const message = signedMessage(bodyOf(checkpoint));
        await pause();
        if (!verifySignature(key, message, Buffer.from(checkpoint.signature, 'base64'))) {
          find(event.position, CHECKPOINT_STREAM, `${where}签名无效：检查点内容在签名之后被改动，或签名是伪造的`);
          continue;
        }
        if (checkpoint.previous !== (lastValid?.hash ?? null) || BigInt(checkpoint.previousPosition) !== (lastValid?.covers ?? 0n)) {
          find(event.position, CHECKPOINT_STREAM, `${where}与上一个检查点接不上：中间的检查点被删除或替换`);
        }
        // a checkpoint lists every stream it seals (30,000 heads, one hash each, in a city's first checkpoint)
        for (let index = 0; index < checkpoint.heads.length; index++) {
          const [streamId, revision, position, hash] = checkpoint.heads[index]!;
          promised.set(streamId, { revision, position: BigInt(position), hash });
          if (index % HEADS_PER_SLICE === HEADS_PER_SLICE - 1) await pause();
        }
        if ((await promised.rootInSlices(pause)) !== checkpoint.root || promised.size !== checkpoint.streamCount) {
          find(event.position, CHECKPOINT_STREAM, `${where}列出的流头与签名的 Merkle 根不符`);
        }
        keyIds.add(checkpoint.keyId);
        lastValid = { covers: BigInt(checkpoint.position), hash: event.hash };
        boundaries.push({
          checkpoint: event.position,
          from: BigInt(checkpoint.previousPosition),
          covers: BigInt(checkpoint.position),
          heads: checkpoint.heads,
          eventCount: checkpoint.eventCount,
          eventsDigest: checkpoint.eventsDigest,
        });
        await pause();
      }
      if (page.length < 100) break;
      from = page.at(-1)!.revision + 1;
    }
  }

  // 2. the events, against their chains and the checkpoints
  const observed = new Map<string, Link>();
  const promised = new Map<string, StreamHead>();
  const dirty = new Set<string>();
  let nextBoundary = 0;
  let eventCount = 0;
  let digest: Hash = createHash('sha256');
  // the digest's input, collected and handed over in pieces of about 64 KiB instead of one update per event
  let digestText = '';
  let digestFrom = 0n;
  let findingsInInterval = findingCount;
  let sealedThrough: bigint | null = null;
  let nextPosition = 1n;
  let lastPosition: bigint | null = null;
  let afterSeal = 0;

  const closeBoundary = (boundary: Boundary): void => {
    const where = `检查点（位置 ${boundary.checkpoint}，封存至位置 ${boundary.covers}）`;
    for (const [streamId, revision, position, hash] of boundary.heads) {
      if (!wholeStore && streamId !== stream) continue;
      promised.set(streamId, { revision, position: BigInt(position), hash });
      dirty.add(streamId);
    }
    for (const streamId of dirty) {
      const expected = promised.get(streamId);
      const actual = observed.get(streamId);
      if (expected === undefined) {
        if (actual !== undefined) find(actual.position, streamId, `流 ${streamId} 在位置 ${boundary.covers} 之前已有事件，但${where}中没有这个流：事件是后来插入的`);
        continue;
      }
      if (actual === undefined) {
        find(expected.position, streamId, `流 ${streamId} 整个不见了：${where}记录它的最新修订为 ${expected.revision}（位置 ${expected.position}）`);
      } else if (actual.revision < expected.revision) {
        find(
          expected.position,
          streamId,
          `流 ${streamId} 尾部被删除：现存只到修订 ${actual.revision}（位置 ${actual.position}），${where}记录到修订 ${expected.revision}（位置 ${expected.position}）`,
        );
      } else if (actual.revision > expected.revision) {
        find(actual.position, streamId, `流 ${streamId} 在位置 ${boundary.covers} 之前有修订 ${actual.revision}，而${where}只记录到修订 ${expected.revision}：事件是后来插入的`);
      } else if (actual.hash !== expected.hash || actual.position !== expected.position) {
        find(actual.position, streamId, `流 ${streamId} 修订 ${actual.revision} 的哈希或位置与${where}记录的不同：事件被替换`);
      }
    }
    dirty.clear();
    if (wholeStore && findingCount === findingsInInterval) {
      // only when nothing more specific was found in the interval: these name no single event
      if (eventCount !== boundary.eventCount) {
        find(boundary.from + 1n, null, `${where}记录截至位置 ${boundary.covers} 共 ${boundary.eventCount} 个事件，现存 ${eventCount} 个`);
      } else if (digestFrom === boundary.from && digest.update(digestText).digest('hex') !== boundary.eventsDigest) {
        find(boundary.from + 1n, null, `位置 ${boundary.from + 1n}–${boundary.covers} 之间事件的顺序或位置与${where}签名时不同`);
      }
    }
    digest = createHash('sha256');
    digestText = '';
    digestFrom = boundary.covers;
    findingsInInterval = findingCount;
    sealedThrough = boundary.covers;
    afterSeal = 0;
  };

  const head = await store.headPosition();
  /** `hashOf` recomputes the event's hash from its content */
  const visit = <E extends Walked>(event: E, hashOf: (event: E) => string): void => {
    while (nextBoundary < boundaries.length && boundaries[nextBoundary]!.covers < event.position) closeBoundary(boundaries[nextBoundary++]!);
    if (dense) {
      if (event.position > nextPosition) {
        const missing = event.position - nextPosition;
        find(
          nextPosition,
          null,
          missing === 1n ? `位置 ${nextPosition} 的事件不见了（被删除）` : `位置 ${nextPosition}–${event.position - 1n} 的 ${missing} 个事件不见了（被删除）`,
        );
      }
      nextPosition = event.position + 1n;
    }
    lastPosition = event.position;
    if (wholeStore && isCheckpointStream(event.streamId)) return; // checked in step 1
    checked += 1;
    afterSeal += 1;
    const previous = observed.get(event.streamId);
    const broken = linkProblem(event, previous, hashOf);
    if (broken !== null) find(event.position, event.streamId, broken);
    if (previous === undefined) {
      observed.set(event.streamId, { revision: event.revision, position: event.position, hash: event.hash });
    } else {
      // the stream's link moves on: updated in place (nothing else holds it), no object per event
      previous.revision = event.revision;
      previous.position = event.position;
      previous.hash = event.hash;
    }
    dirty.add(event.streamId);
    eventCount += 1;
    digestText += `${event.position} ${event.hash}\n`;
    if (digestText.length >= 65_536) {
      digest.update(digestText);
      digestText = '';
    }
  };

  const rows = wholeStore ? chainRowsOf(store, head) : null;
  if (rows !== null) {
    // the store's rows as stored: an event whose stored texts hash to its stored hash as they are needs no
    // parsing (eventHashFromStoredText says why that is proof); every other one (written before the texts
    // were stored canonical, or changed) is parsed and canonicalised as readAll's events are
    const verified = (row: ChainRow): boolean => {
      const [, streamId, revision, type, data, metadata, recordedAt, hash, prevHash] = row;
      return hash !== null && eventHashFromStoredText(data, metadata, { streamId, revision, type, recordedAt, prevHash }) === hash;
    };
    const storedHash = (event: Walked): string => event.hash;
    const visitRow = (row: ChainRow): void => {
      if (verified(row)) {
        const [position, streamId, revision, , , , , hash, prevHash] = row;
        visit({ streamId, revision, position: BigInt(position), hash: hash!, prevHash }, storedHash);
      } else {
        visit(chainedEventOfRow(row), eventHash);
      }
    };
    // smaller pages than readAll's: 10,000 rows of strings outlive the young generation (measured slower)
    const rowPage = Math.min(pageSize, ROW_PAGE_SIZE);
    for (let after = 0; ; ) {
      const page = rows.readChainRows(after, rowPage);
      for (const row of page) visitRow(row);
      if (page.length > 0) options.onProgress?.(BigInt(page.at(-1)![0]), head);
      await pause(); // issue 13: lets SIGINT / SIGTERM in; issue 14: and every other request
      if (page.length < rowPage) break;
      after = page.at(-1)![0];
    }
  } else if (wholeStore) {
    for (let after: bigint | null = null; ; ) {
      const page = await store.readAll({ after, maxCount: pageSize });
      for (const event of page) visit(event, eventHash);
      if (page.length > 0) options.onProgress?.(page.at(-1)!.position, head);
      await pause(); // issue 13: lets SIGINT / SIGTERM in; issue 14: and every other request
      if (page.length < pageSize) break;
      after = page.at(-1)!.position;
    }
  } else if (!isCheckpointStream(stream)) {
    for (let from = 0; ; ) {
      const page = await store.readStream(stream, { fromRevision: from, maxCount: pageSize });
      for (const event of page) visit(event, eventHash);
      if (page.length > 0) options.onProgress?.(page.at(-1)!.position, head);
      await pause(); // issue 13: lets SIGINT / SIGTERM in; issue 14: and every other request
      if (page.length < pageSize) break;
      from = page.at(-1)!.revision + 1;
    }
  }
  if (dense && head !== null && head >= nextPosition) {
    // the store's own head (PostgreSQL keeps it apart from the rows) is past the last stored event
    find(nextPosition, null, `位置 ${nextPosition}–${head} 的事件不见了（事件库的头位置是 ${head}）`);
  }
  while (nextBoundary < boundaries.length) closeBoundary(boundaries[nextBoundary++]!);
  if (!wholeStore && isCheckpointStream(stream)) afterSeal = 0;

  const logs: LogReport[] = [];
  if (wholeStore) for (const log of options.logs ?? []) logs.push(await verifyChain(log, { maxFindings, pause }));
  const brokenLogs = logs.filter((log) => !log.ok);

  const firstFinding = first as AuditFinding | null;
  const ok = findingCount === 0 && brokenLogs.length === 0;
  const scope = wholeStore ? '整个事件库' : `流 ${stream}`;
  let detail: string;
  if (findingCount > 0) {
    detail = firstFinding!.message + (findingCount > 1 ? `（另有 ${findingCount - 1} 处问题）` : '') + brokenLogs.map((log) => `；${log.detail}`).join('');
  } else {
    const sealed =
      sealedThrough === null
        ? '尚无检查点：删除整个流或流尾部的事件还无法发现'
        : `${boundaries.length} 个检查点签名有效（密钥 ${[...keyIds].join('、')}），封存至位置 ${sealedThrough}` +
          (afterSeal > 0 ? `；其后 ${afterSeal} 个事件尚待下一个检查点封存` : '');
    const events = `${scope}：${checked} 个事件的哈希链完整${lastPosition === null ? '' : `（至位置 ${lastPosition}）`}；${sealed}`;
    detail =
      brokenLogs.length > 0
        ? `${brokenLogs.map((log) => log.detail).join('；')}；${events}`
        : events + logs.map((log) => `；${log.detail}`).join('');
  }
  return {
    ok,
    checked,
    firstBrokenPosition: firstFinding?.position ?? null,
    detail,
    findings,
    findingCount,
    checkpoints: boundaries.length,
    sealedThrough,
    unsealed: afterSeal,
    keyIds: [...keyIds],
    logs,
  };
}

/** what is wrong with an event's place in its stream's chain, or null; `hashOf` recomputes its hash */
function linkProblem<E extends Walked>(event: E, previous: Link | undefined, hashOf: (event: E) => string): string | null {
  const expectedRevision = previous === undefined ? 0 : previous.revision + 1;
  if (event.revision > expectedRevision) {
    const gap = event.revision - expectedRevision;
    return `${placeOf(event)}之前缺少修订 ${expectedRevision}${gap > 1 ? `–${event.revision - 1}` : ''}：事件被删除或被调换`;
  }
  if (event.revision < expectedRevision) {
    return `${placeOf(event)}出现在修订 ${previous!.revision}（位置 ${previous!.position}）之后：事件的顺序被调换或有重复`;
  }
  if (previous !== undefined && event.position <= previous.position) {
    return `${placeOf(event)}的位置不在修订 ${previous.revision}（位置 ${previous.position}）之后：事件的顺序被调换`;
  }
  if (event.prevHash !== (previous?.hash ?? null)) {
    return `${placeOf(event)}的 prevHash 与上一修订的哈希不符：链条断开（上一事件被替换，或本事件被移动）`;
  }
  if (event.hash === '') return `${placeOf(event)}没有存储哈希`;
  const recomputed = hashOf(event);
  if (recomputed !== event.hash) return `${placeOf(event)}的内容与存储的哈希不符：事件被改动（存储 ${event.hash.slice(0, 16)}…，按内容算得 ${recomputed.slice(0, 16)}…）`;
  return null;
}

/** the event in a finding's message (a function, so the hot path of linkProblem builds no string) */
function placeOf(event: Walked): string {
  return `流 ${event.streamId} 修订 ${event.revision}（位置 ${event.position}）`;
}

/**
 * The longest the walk runs without letting the event loop turn, where it runs on a thread that serves
 * requests (backgroundVerifier.ts's in-thread fallback; the CLI, where a process signal must be seen). A
 * page of rows, a checkpoint or HEADS_PER_SLICE of its heads is the unit checked against it: each takes
 * about 10–20 ms on a 2-core machine (1,000 rows: about 15 ms).
 */
const SLICE_MS = 10;
const HEADS_PER_SLICE = 1000;

