import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { EventMetadata, NewEvent, RecordedEvent } from '../../../ports/eventStore.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import type { ReadModelStore } from '../../../ports/readModelStore.js';
import { POSITION_FIELD, projectEvents, type Projection } from '../../../projections/projection.js';
import {
  createProjectionRunner,
  eventLoopTurns,
  nextPieceSize,
  ProjectionFailedError,
  ProjectionTimeoutError,
  type ProjectionLogger,
  type ProjectionProgress,
  type ProjectionRunner,
  type ProjectionRunnerDeps,
} from '../../../projections/runner.js';
import { countsIn, expectedCounts, timedPieces } from './support.js';

// A tiny projection: how many handled events each stream has, and the type of its last one.

interface Ctx {
  /** this projection's evolve throws on the event at this position (a projection bug) */
  failing?: { projection: string; position: bigint };
}

interface StreamCount {
  streamId: string;
  count: number;
  lastType: string;
  _position: string;
}

function countingProjection(name = 'streamCounts', collection = 'streamCounts'): Projection<Ctx> & { evolveCalls: number } {
  const projection = {
    name,
    canHandle: ['case.registered', 'handoff.requested', 'handoff.received', 'case.closed'],
    collections: [collection],
    evolveCalls: 0,
    keys: (event: RecordedEvent) => [[collection, event.streamId] as const],
    evolve(doc: unknown, event: RecordedEvent, ctx: Ctx) {
      projection.evolveCalls += 1;
      if (ctx.failing?.projection === name && ctx.failing.position === event.position) throw new Error(`cannot count ${event.type}`);
      // 结案: the stream's document goes away
      if (event.type === 'case.closed') return { doc: null };
      const count = ((doc as StreamCount | null)?.count ?? 0) + 1;
      const indexes: Record<string, string[]> = { lastType: [event.type] };
      if (count === 1) indexes['firstType'] = [event.type];
      // named only by receipts: a re-created document must not find itself here from its first life
      if (event.type === 'handoff.received') indexes['hasReceipt'] = ['yes'];
      return { doc: { streamId: event.streamId, count, lastType: event.type }, indexes };
    },
  };
  return projection;
}

const metadata: EventMetadata = { source: 'ly-court', eventId: null, principal: 'clerk', channel: 'http', time: '2024-05-06T09:30:00+08:00' };
const event = (type: string, data: Record<string, unknown> = {}): NewEvent => ({ type, data, metadata });

/** appends `count` events spread over `streams` streams (some of a type nobody handles); returns the last position */
async function appendSpread(store: SqliteEventStore, count: number, streams: number, prefix = 'case'): Promise<bigint> {
  let last = 0n;
  for (let offset = 0; offset < count; offset += 500) {
    const requests = new Map<string, NewEvent[]>();
    for (let index = offset; index < Math.min(count, offset + 500); index++) {
      const streamId = `${prefix}-${index % streams}`;
      const type = index % 7 === 3 ? 'case.noted' : index % 2 === 0 ? 'handoff.requested' : 'handoff.received';
      requests.set(streamId, [...(requests.get(streamId) ?? []), event(type, { index })]);
    }
    const results = await store.append([...requests].map(([streamId, events]) => ({ streamId, expectedRevision: 'any' as const, events })));
    for (const result of results) for (const position of result.positions) if (position > last) last = position;
  }
  return last;
}

/** appends one `handoff.requested` to each stream named, one append after another; returns their positions */
async function appendInTurn(store: SqliteEventStore, streamIds: readonly string[]): Promise<bigint[]> {
  const positions: bigint[] = [];
  for (const streamId of streamIds) {
    const [result] = await store.append([{ streamId, expectedRevision: 'any', events: [event('handoff.requested')] }]);
    positions.push(result!.positions[0]!);
  }
  return positions;
}

/** one `perStream` document per stream, evolved by `evolve` from each `handoff.requested` */
const perStreamProjection = (name: string, evolve: Projection<Ctx>['evolve']): Projection<Ctx> => ({
  name,
  canHandle: ['handoff.requested'],
  collections: ['perStream'],
  keys: (recorded) => [['perStream', recorded.streamId]],
  evolve,
});

/** the position of the first event at or after `position` that the counting projection handles */
async function handledFrom(store: SqliteEventStore, position: bigint): Promise<bigint> {
  const found = (await store.readAll({ after: position - 1n })).find((recorded) => recorded.type !== 'case.noted');
  if (found === undefined) throw new Error(`no handled event from ${position}`);
  return found.position;
}

/** everything a store holds for some collections: ids, documents, and the lastType index */
async function snapshot(readModels: ReadModelStore, collections: readonly string[]): Promise<unknown> {
  const result: Record<string, unknown> = {};
  for (const collection of collections) {
    const ids = await readModels.listIds(collection);
    const types = ['case.registered', 'handoff.requested', 'handoff.received'];
    result[collection] = {
      docs: await readModels.getMany(collection, ids),
      byLastType: await Promise.all(types.map((type) => readModels.findIds(collection, 'lastType', type))),
      byFirstType: await Promise.all(types.map((type) => readModels.findIds(collection, 'firstType', type))),
      withReceipt: await readModels.findIds(collection, 'hasReceipt', 'yes'),
    };
  }
  return result;
}

function recordingLogger(): ProjectionLogger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, info: () => undefined, error: (message) => errors.push(message) };
}

/** a read model store that counts reads and writes, and can be told to fail */
function instrumented(inner: ReadModelStore) {
  const stats = { getMany: 0, idsRead: 0, commits: 0, writes: 0, failCommitsAfter: Infinity };
  const store: ReadModelStore = {
    ...inner,
    get: inner.get.bind(inner),
    getMany: async (collection, ids) => {
      stats.getMany += 1;
      stats.idsRead += ids.length;
      return inner.getMany(collection, ids);
    },
    commit: async (projection, position, writes) => {
      if (stats.commits >= stats.failCommitsAfter) throw new Error('disk gone (simulated crash)');
      stats.commits += 1;
      stats.writes += writes.length;
      return inner.commit(projection, position, writes);
    },
  };
  return { store, stats };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('projection runner', () => {
  let dir: string;
  let events: SqliteEventStore;
  let readModels: ReadModelStore;
  let logger: ReturnType<typeof recordingLogger>;
  const runners: ProjectionRunner[] = [];
  const openReadModels = (): ReadModelStore => openEmbeddedReadModelStore({ path: join(dir, 'readmodels.db') });

  const runner = <C extends Ctx>(deps: Partial<ProjectionRunnerDeps<C>> & { projections: readonly Projection<C>[] }): ProjectionRunner => {
    // whole slices: these tests count the commits of each (the pieces a slow machine would cut are tested apart)
    const created = createProjectionRunner<C>({ store: events, readModels, ctx: {} as C, logger, pieceBudgetMs: Infinity, ...deps });
    runners.push(created);
    return created;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-runner-'));
    events = openSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 50 });
    readModels = openReadModels();
    logger = recordingLogger();
  });

  afterEach(async () => {
    for (const created of runners.splice(0)) await created.stop();
    await readModels.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('catches up from the beginning in batches, counting each handled event once', async () => {
    const head = await appendSpread(events, 2_500, 13);
    const progress: ProjectionProgress[] = [];
    const projection = countingProjection();
    const { store, stats } = instrumented(readModels);
    await runner({ projections: [projection], readModels: store, batchSize: 1000, onProgress: (p) => progress.push(p) }).start();

    expect(await countsIn(readModels)).to.deep.equal(await expectedCounts(events));
    expect(await readModels.checkpoint('streamCounts')).to.equal(head);
    // 3 batches read from the store, each applied in slices of 250 events with a turn of the event loop between
    // them: progress after each slice, and each slice reads and writes each of the 13 documents once
    expect(progress.map((p) => p.position)).to.deep.equal(Array.from({ length: 10 }, (_, i) => BigInt((i + 1) * 250)));
    expect(progress.at(-1)!.position).to.equal(head);
    expect(progress.every((p) => p.head === head)).to.equal(true);
    const all = await events.readAll({ after: null, maxCount: 10_000 });
    const touched = Array.from({ length: 10 }, (_, i) => new Set(all.slice(i * 250, (i + 1) * 250).filter((e) => projection.canHandle.includes(e.type)).map((e) => e.streamId)).size);
    const once = touched.reduce((a, b) => a + b, 0);
    expect(once).to.be.greaterThan(10);
    expect(stats).to.include({ getMany: 10, idsRead: once, commits: 10, writes: once });
    expect(logger.errors).to.deep.equal([]);
  });

  it('reads and writes a document touched many times in a batch once', async () => {
    await events.append([{ streamId: 'case-busy', expectedRevision: 'no_stream', events: Array.from({ length: 100 }, () => event('handoff.requested')) }]);
    const { store, stats } = instrumented(readModels);
    const projection = countingProjection();
    await runner({ projections: [projection], readModels: store }).start();
    expect(projection.evolveCalls).to.equal(100);
    expect(stats).to.include({ getMany: 1, idsRead: 1, commits: 1, writes: 1 });
    expect((await readModels.get<StreamCount>('streamCounts', 'case-busy'))?.count).to.equal(100);
  });

  it('stamps each document with the position of the last event applied to it', async () => {
    const [result] = await events.append([{ streamId: 'case-1', expectedRevision: 'no_stream', events: [event('case.registered'), event('case.noted')] }]);
    await runner({ projections: [countingProjection()] }).start();
    const doc = await readModels.get<StreamCount>('streamCounts', 'case-1');
    expect(doc).to.deep.equal({ streamId: 'case-1', count: 1, lastType: 'case.registered', [POSITION_FIELD]: result!.positions[0]!.toString() });
    // the skipped event still moves the checkpoint
    expect(await readModels.checkpoint('streamCounts')).to.equal(result!.positions[1]);
  });

  it('follows new events live, and waitFor resolves once they are applied', async () => {
    const live = runner({ projections: [countingProjection()] });
    await live.start();
    expect(await readModels.listIds('streamCounts')).to.deep.equal([]);

    for (let round = 1; round <= 5; round++) {
      const [result] = await events.append([{ streamId: 'case-live', expectedRevision: 'any', events: [event('handoff.requested')] }]);
      const started = Date.now();
      await live.waitFor(result!.positions[0]!);
      // the store is polled every 50 ms: 40 polls is far above a live follow even on a loaded CI machine, and
      // far below a runner that only catches up on a slow timer or on the next start
      expect(Date.now() - started).to.be.lessThan(2_000);
      // read-after-write: right after waitFor the change is visible
      expect((await readModels.get<StreamCount>('streamCounts', 'case-live'))?.count).to.equal(round);
    }
    expect(await live.lag()).to.equal(0n);
  });

  it('applies a live burst in batches', async () => {
    const { store, stats } = instrumented(readModels);
    const live = runner({ projections: [countingProjection()], readModels: store, batchSize: 100 });
    await live.start();
    const head = await appendSpread(events, 1_000, 4);
    await live.waitFor(head);
    expect(await countsIn(readModels)).to.deep.equal(await expectedCounts(events));
    expect(stats.commits).to.be.at.most(20);
  });

  it('waitFor resolves at once for an applied position and times out for one never written', async () => {
    const head = await appendSpread(events, 10, 2);
    const live = runner({ projections: [countingProjection()] });
    await live.start();
    await live.waitFor(head, 10);
    const error = await rejectionOf(live.waitFor(head + 5n, 50));
    expect(error).to.be.instanceOf(ProjectionTimeoutError);
    expect(String(error)).to.match(/streamCounts/);
  });

  it('resumes from its checkpoint after a restart without applying anything twice', async () => {
    await appendSpread(events, 1_200, 9);
    const first = runner({ projections: [countingProjection()], batchSize: 500 });
    await first.start();
    await first.stop();
    await readModels.close();

    const head = await appendSpread(events, 300, 11, 'meeting');
    readModels = openReadModels();
    const projection = countingProjection();
    const second = runner({ projections: [projection], batchSize: 500 });
    await second.start();
    expect(await countsIn(readModels)).to.deep.equal(await expectedCounts(events));
    expect(await readModels.checkpoint('streamCounts')).to.equal(head);
    // only the 300 new events were read, minus the unhandled ones
    expect(projection.evolveCalls).to.equal([...Array(300).keys()].filter((index) => index % 7 !== 3).length);
  });

  it('loses nothing and applies nothing twice when it crashes between batches', async () => {
    const head = await appendSpread(events, 1_000, 7);
    const { store, stats } = instrumented(readModels);
    stats.failCommitsAfter = 3;
    const crashing = runner({ projections: [countingProjection()], readModels: store, batchSize: 100 });
    await crashing.start();
    // the fourth commit failed: the projection stopped with three batches applied
    expect(crashing.status()[0]!.checkpoint).to.equal(300n);
    expect(crashing.status()[0]!.failure?.position).to.equal(301n);
    expect(logger.errors.join('\n')).to.match(/streamCounts stopped at position 301/);
    expect(await crashing.lag()).to.equal(head - 300n);
    await crashing.stop();
    await readModels.close();

    readModels = openReadModels();
    expect(await readModels.checkpoint('streamCounts')).to.equal(300n);
    await runner({ projections: [countingProjection()], batchSize: 100 }).start();
    expect(await countsIn(readModels)).to.deep.equal(await expectedCounts(events));
  });

  it('skips events a document has already seen, even when the checkpoint is behind them', async () => {
    const head = await appendSpread(events, 400, 5);
    await runner({ projections: [countingProjection()] }).start();
    const expected = await expectedCounts(events);
    // a store that lost the checkpoint but kept the documents (not atomic) re-delivers everything
    await readModels.reset(['streamCounts'], []);
    const projection = countingProjection();
    await runner({ projections: [projection] }).start();
    expect(projection.evolveCalls).to.equal(0);
    expect(await countsIn(readModels)).to.deep.equal(expected);
    expect(await readModels.checkpoint('streamCounts')).to.equal(head);
  });

  it('runs two projections from their own checkpoints', async () => {
    await appendSpread(events, 600, 6);
    const early = countingProjection('early', 'earlyCounts');
    const first = runner({ projections: [early] });
    await first.start();
    await first.stop();

    const head = await appendSpread(events, 150, 6, 'meeting');
    const earlyAgain = countingProjection('early', 'earlyCounts');
    const late = countingProjection('late', 'lateCounts');
    const both = runner({ projections: [earlyAgain, late], batchSize: 200 });
    await both.start();

    const expected = await expectedCounts(events);
    expect(await countsIn(readModels, 'earlyCounts')).to.deep.equal(expected);
    expect(await countsIn(readModels, 'lateCounts')).to.deep.equal(expected);
    expect(await readModels.checkpoint('early')).to.equal(head);
    expect(await readModels.checkpoint('late')).to.equal(head);
    const handledOf = (count: number) => [...Array(count).keys()].filter((index) => index % 7 !== 3).length;
    expect(earlyAgain.evolveCalls).to.equal(handledOf(150));
    expect(late.evolveCalls).to.equal(handledOf(600) + handledOf(150));
  });

  it('rebuilds into a fresh store exactly what it built live', async () => {
    const live = runner({ projections: [countingProjection('a', 'aCounts'), countingProjection('b', 'bCounts')], batchSize: 64 });
    await live.start();
    await appendSpread(events, 700, 9);
    const [closed] = await events.append([{ streamId: 'case-3', expectedRevision: 'any', events: [event('case.closed'), event('case.registered')] }]);
    const head = await appendSpread(events, 300, 9, 'meeting');
    await live.waitFor(head);
    expect(closed!.positions).to.have.length(2);

    const fresh = openEmbeddedReadModelStore({ path: join(dir, 'rebuilt.db') });
    try {
      // stale content in the target must not survive the rebuild
      await fresh.commit('a', 5n, [{ collection: 'aCounts', id: 'stale', doc: { count: 99 } }]);
      const progress: ProjectionProgress[] = [];
      await live.rebuild(fresh, (p) => progress.push(p));
      expect(await snapshot(fresh, ['aCounts', 'bCounts'])).to.deep.equal(await snapshot(readModels, ['aCounts', 'bCounts']));
      expect(await fresh.checkpoint('a')).to.equal(head);
      expect(await fresh.checkpoint('b')).to.equal(head);
      expect(progress.at(-1)).to.deep.equal({ position: head, head });
      // the re-created case-3 started over, without the index entries of its first life
      expect((await fresh.get<StreamCount>('aCounts', 'case-3'))?.count).to.equal(1);
      expect(await fresh.findIds('aCounts', 'firstType', 'case.registered')).to.deep.equal(['case-3']);
      expect(await fresh.findIds('aCounts', 'hasReceipt', 'yes')).to.not.include('case-3');
      expect(await fresh.findIds('aCounts', 'hasReceipt', 'yes')).to.include('case-4');
    } finally {
      await fresh.close();
    }
  });

  describe('rebuild commits', () => {
    it('keeps documents in memory across batches and commits once when they fit in the buffer', async () => {
      const head = await appendSpread(events, 700, 9);
      const live = runner({ projections: [countingProjection()], batchSize: 64 });
      await live.start();
      const fresh = instrumented(openEmbeddedReadModelStore({ path: join(dir, 'rebuilt.db') }));
      try {
        const progress: ProjectionProgress[] = [];
        await live.rebuild(fresh.store, (p) => progress.push(p));
        // 11 batches, one commit: each of the 9 documents read once (absent) and written once
        expect(progress).to.have.length(Math.ceil(700 / 64));
        expect(fresh.stats.commits).to.equal(1);
        expect(fresh.stats.writes).to.equal(9);
        expect(fresh.stats.idsRead).to.equal(9);
        expect(await fresh.store.checkpoint('streamCounts')).to.equal(head);
        expect(await snapshot(fresh.store, ['streamCounts'])).to.deep.equal(await snapshot(readModels, ['streamCounts']));
      } finally {
        await fresh.store.close();
      }
    });

    it('commits whenever the buffer holds rebuildBufferDocuments documents, and builds the same', async () => {
      const head = await appendSpread(events, 700, 9);
      const [closed] = await events.append([{ streamId: 'case-3', expectedRevision: 'any', events: [event('case.closed'), event('case.registered')] }]);
      expect(closed!.positions).to.have.length(2);
      const last = await appendSpread(events, 100, 5, 'meeting');
      expect(last > head).to.equal(true);
      await runner({ projections: [countingProjection()], batchSize: 64 }).start();
      const fresh = instrumented(openEmbeddedReadModelStore({ path: join(dir, 'rebuilt.db') }));
      try {
        const rebuilding = runner({ projections: [countingProjection()], batchSize: 64, rebuildBufferDocuments: 4 });
        await rebuilding.rebuild(fresh.store);
        // a commit after every batch that brings the buffer to 4 documents or more, and one at the end
        const all = await events.readAll();
        let expected = 0;
        let buffered = new Set<string>();
        for (let start = 0; start < all.length; start += 64) {
          for (const recorded of all.slice(start, start + 64)) if (recorded.type !== 'case.noted') buffered.add(recorded.streamId);
          if (buffered.size >= 4 || start + 64 >= all.length) {
            expected++;
            buffered = new Set();
          }
        }
        expect(expected).to.be.within(3, Math.ceil(all.length / 64) - 1);
        expect(fresh.stats.commits).to.equal(expected);
        expect(await fresh.store.checkpoint('streamCounts')).to.equal(last);
        expect(await snapshot(fresh.store, ['streamCounts'])).to.deep.equal(await snapshot(readModels, ['streamCounts']));
        // the re-created case-3 started over in the rebuild too
        expect((await fresh.store.get<StreamCount>('streamCounts', 'case-3'))?.count).to.equal(1);
        expect(await fresh.store.findIds('streamCounts', 'hasReceipt', 'yes')).to.not.include('case-3');
      } finally {
        await fresh.store.close();
      }
    });

    it('applies the next events while the store commits a full buffer, taking that buffer’s documents from memory', async () => {
      // 90 streams, batches of 64: each batch touches documents of the commit still in the store's hands and others
      const head = await appendSpread(events, 1500, 90);
      await runner({ projections: [countingProjection()], batchSize: 64 }).start();
      const inner = openEmbeddedReadModelStore({ path: ':memory:' });
      // No timer: the store answers a commit only when the runner reads documents again (or reads the last page of
      // events), so a runner that waited for the answer before going on would never be answered (this test would time
      // out). After the last page nothing is held: the end of a rebuild waits for its commits.
      let pending: { ids: Set<string>; answer: () => void; answered: boolean } | null = null;
      let lastPageRead = false;
      let heldCommits = 0;
      let answeredByReads = 0;
      const staleReads: string[] = [];
      const answer = (): boolean => {
        if (pending === null || pending.answered) return false;
        pending.answered = true;
        pending.answer();
        return true;
      };
      const slow: ReadModelStore = {
        ...inner,
        getMany: async (collection, ids) => {
          // the store does not hold these yet: read here they would come back absent or old
          if (pending !== null) staleReads.push(...ids.filter((id) => pending!.ids.has(id)));
          if (answer()) answeredByReads += 1;
          return inner.getMany(collection, ids);
        },
        commit: async (projection, position, writes) => {
          expect(pending, 'a second commit of the projection before the first answered').to.equal(null);
          if (!lastPageRead) {
            heldCommits += 1;
            await new Promise<void>((resolve) => (pending = { ids: new Set(writes.map((write) => write.id)), answer: resolve, answered: false }));
          }
          await inner.commit(projection, position, writes);
          pending = null;
        },
      };
      const paged = {
        ...events,
        headPosition: events.headPosition.bind(events),
        readAll: async (options: Parameters<SqliteEventStore['readAll']>[0]) => {
          const page = await events.readAll(options);
          if (page.length < (options?.maxCount ?? Infinity)) {
            lastPageRead = true;
            answer();
          }
          return page;
        },
      };
      try {
        await runner({ projections: [countingProjection()], store: paged, batchSize: 64, rebuildBufferDocuments: 40 }).rebuild(slow);
        expect(heldCommits, 'commits handed over before the last page').to.be.greaterThan(1);
        // every held commit but perhaps the last was answered by a read of the documents that followed it
        expect(answeredByReads, 'commits answered by the documents read after them').to.be.at.least(heldCommits - 1);
        expect(staleReads).to.deep.equal([]);
        expect(await inner.checkpoint('streamCounts')).to.equal(head);
        expect(await snapshot(inner, ['streamCounts'])).to.deep.equal(await snapshot(readModels, ['streamCounts']));
      } finally {
        await inner.close();
      }
    });

    it('commits what was buffered before a failing event, then rejects', async () => {
      await appendSpread(events, 300, 4);
      const failAt = await handledFrom(events, 230n);
      const fresh = instrumented(openEmbeddedReadModelStore({ path: ':memory:' }));
      try {
        const failing = runner({ projections: [countingProjection()], ctx: { failing: { projection: 'streamCounts', position: failAt } }, batchSize: 50 });
        const error = await rejectionOf(failing.rebuild(fresh.store));
        expect(error).to.be.instanceOf(ProjectionFailedError);
        expect(error).to.include({ projection: 'streamCounts', position: failAt });
        expect(fresh.stats.commits).to.equal(1);
        expect(await fresh.store.checkpoint('streamCounts')).to.equal(failAt - 1n);
        const before = projectEvents(countingProjection(), (await events.readAll()).slice(0, Number(failAt) - 1), {});
        expect(await countsIn(fresh.store)).to.deep.equal(new Map([...before.get('streamCounts')!].map(([id, { doc }]) => [id, (doc as StreamCount).count])));
      } finally {
        await fresh.store.close();
      }
    });

    it('rejects with the projection when the final commit fails', async () => {
      await appendSpread(events, 200, 4);
      const fresh = instrumented(openEmbeddedReadModelStore({ path: ':memory:' }));
      fresh.stats.failCommitsAfter = 0;
      try {
        const error = await rejectionOf(runner({ projections: [countingProjection()], batchSize: 50 }).rebuild(fresh.store));
        expect(error).to.be.instanceOf(ProjectionFailedError);
        expect(error).to.include({ projection: 'streamCounts', position: 1n });
        expect((error as Error).message).to.match(/disk gone/);
      } finally {
        await fresh.store.close();
      }
    });

    it('holds as many documents as the target store asks for when the runner is not told', async () => {
      await appendSpread(events, 700, 9);
      const inner = openEmbeddedReadModelStore({ path: ':memory:' });
      const fresh = instrumented(inner);
      const small: ReadModelStore = { ...fresh.store, rebuildBufferDocuments: 1 };
      try {
        await runner({ projections: [countingProjection()], batchSize: 64 }).rebuild(small);
        // a commit after every batch that touched a handled event (every one here)
        expect(fresh.stats.commits).to.equal(Math.ceil(700 / 64));
        await runner({ projections: [countingProjection()], batchSize: 64 }).rebuild(fresh.store);
        expect(fresh.stats.commits).to.equal(Math.ceil(700 / 64) + 1);
        const error = await rejectionOf(runner({ projections: [countingProjection()] }).rebuild({ ...fresh.store, rebuildBufferDocuments: 0.5 }));
        expect(error).to.be.instanceOf(RangeError);
      } finally {
        await inner.close();
      }
    });

    it('refuses a rebuild buffer that is not a positive integer', () => {
      expect(() => runner({ projections: [countingProjection()], rebuildBufferDocuments: 0 })).to.throw(RangeError, /rebuildBufferDocuments/);
    });
  });

  it('folds the same documents as projectEvents', async () => {
    await appendSpread(events, 300, 4);
    await events.append([{ streamId: 'case-1', expectedRevision: 'any', events: [event('case.closed'), event('case.registered')] }]);
    await runner({ projections: [countingProjection()], batchSize: 50 }).start();
    const folded = projectEvents(countingProjection(), await events.readAll(), {}).get('streamCounts')!;
    const ids = await readModels.listIds('streamCounts');
    expect(ids).to.deep.equal([...folded.keys()].sort());
    expect(await readModels.getMany('streamCounts', ids)).to.deep.equal(ids.map((id) => folded.get(id)!.doc));
  });

  describe('pieces of live and catch-up work, bounded by time', () => {
    /** the commits a store was asked for: their positions and how many documents each wrote */
    const recordingStore = (inner: ReadModelStore) => {
      const commits: { position: bigint; writes: number }[] = [];
      const store: ReadModelStore = {
        ...inner,
        get: inner.get.bind(inner),
        getMany: inner.getMany.bind(inner),
        commit: async (projection, position, writes) => {
          commits.push({ position, writes: writes.length });
          return inner.commit(projection, position, writes);
        },
      };
      return { store, commits };
    };
    // every event of appendSpread "takes" its time, its `case.noted` ones too (timedPieces)
    const timed = (msPerEvent: (position: bigint) => number, name?: string, collection?: string) => timedPieces(countingProjection(name, collection), ['case.noted'], msPerEvent);

    it('cuts a slow projection\'s slices into pieces that fit the budget, commits each slice once, and builds the same documents', async () => {
      const head = await appendSpread(events, 2_500, 13);
      const progress: bigint[] = [];
      // 0.1 ms per event: a slice of 250 takes 25 ms against a budget of 8, so the pieces become 80 events (8 ms)
      const slow = timed(() => 0.1);
      const recorded = recordingStore(readModels);
      await runner({ projections: [slow.projection], readModels: recorded.store, now: slow.now, pieceBudgetMs: 8, batchSize: 1000, onProgress: (p) => progress.push(p.position) }).start();

      expect(await countsIn(readModels)).to.deep.equal(await expectedCounts(events));
      expect(await readModels.checkpoint('streamCounts')).to.equal(head);
      const pieces = slow.pieces();
      expect(pieces[0]).to.equal(250);
      expect(Math.max(...pieces.slice(1))).to.equal(80);
      expect(pieces.reduce((a, b) => a + b, 0)).to.equal(Number(head));
      // the pieces of a slice are committed together: a stream's document once per slice, not once per piece
      expect(recorded.commits.map((c) => c.position)).to.deep.equal(Array.from({ length: 10 }, (_, i) => BigInt((i + 1) * 250)));
      const all = await events.readAll();
      const streamsOfSlice = (i: number) => new Set(all.slice(i * 250, (i + 1) * 250).filter((e) => e.type !== 'case.noted').map((e) => e.streamId)).size;
      expect(recorded.commits.map((c) => c.writes)).to.deep.equal(recorded.commits.map((_, i) => streamsOfSlice(i)));
      // progress (and waitFor) still moves a whole slice at a time, once every projection has applied it
      expect(progress).to.deep.equal(Array.from({ length: 10 }, (_, i) => BigInt((i + 1) * 250)));
    });

    it('grows the pieces back to whole slices when they become fast', async () => {
      await appendSpread(events, 2_500, 13);
      // slow for the first thousand events, then almost free
      const slow = timed((position) => (position <= 1000n ? 0.1 : 0.001));
      await runner({ projections: [slow.projection], readModels, now: slow.now, pieceBudgetMs: 8, batchSize: 1000 }).start();
      const pieces = slow.pieces();
      expect(Math.max(...pieces.slice(1, 6))).to.be.at.most(80);
      // the last slices are applied whole again
      expect(pieces.slice(-3)).to.deep.equal([250, 250, 250]);
      expect(await countsIn(readModels)).to.deep.equal(await expectedCounts(events));
    });

    it('stops a projection mid-slice at a failing event, commits the pieces before it, and applies no piece after it', async () => {
      const head = await appendSpread(events, 1_000, 7);
      const failAt = await handledFrom(events, 613n);
      const slow = timed(() => 0.1);
      const live = runner({
        projections: [slow.projection],
        readModels,
        now: slow.now,
        pieceBudgetMs: 8,
        ctx: { failing: { projection: 'streamCounts', position: failAt } },
        batchSize: 1000,
      });
      await live.start();
      expect(await readModels.checkpoint('streamCounts')).to.equal(failAt - 1n);
      expect(live.status()[0]!.failure).to.include({ position: failAt });
      // the failing event's slice was cut into pieces, and the one holding it was the last tried
      expect(Math.max(...slow.pieces().slice(1))).to.equal(80);
      expect(slow.pieces().reduce((a, b) => a + b, 0)).to.be.below(Number(failAt) + 80);
      // reported once: the slice's later pieces were not tried (each would fail on the same event and report again)
      expect(logger.errors).to.have.length(1);
      const before = projectEvents(countingProjection(), (await events.readAll()).slice(0, Number(failAt) - 1), {});
      expect(await countsIn(readModels)).to.deep.equal(new Map([...before.get('streamCounts')!].map(([id, { doc }]) => [id, (doc as StreamCount).count])));
      expect(head > failAt, "events after the failing one were there to apply").to.equal(true);
    });

    it('cuts pieces by default only for a store that holds the event loop', async () => {
      await appendSpread(events, 1_000, 7);
      const piecesWith = async (holdsEventLoop: boolean, into: ReadModelStore): Promise<number[]> => {
        const slow = timed(() => 0.1);
        const created = createProjectionRunner<Ctx>({ store: events, readModels: { ...into, get: into.get.bind(into), getMany: into.getMany.bind(into), commit: into.commit.bind(into), holdsEventLoop }, projections: [slow.projection], ctx: {}, logger, now: slow.now });
        runners.push(created);
        await created.start();
        return slow.pieces();
      };
      // the embedded store says it does (its reads and commits are synchronous); a server's store is timed by the network
      expect(readModels.holdsEventLoop).to.equal(true);
      expect(Math.max(...(await piecesWith(false, readModels)))).to.equal(250);
      const other = openEmbeddedReadModelStore({ path: join(dir, 'other.db') });
      try {
        // 0.1 ms per event against the default 4 ms: pieces of 40
        expect(Math.max(...(await piecesWith(true, other)).slice(1))).to.equal(40);
      } finally {
        for (const created of runners.splice(0)) await created.stop();
        await other.close();
      }
    });

    it('does not count the wait for a slice\'s commit: a store that writes elsewhere holds no loop', async () => {
      const head = await appendSpread(events, 1_000, 7);
      const clock = { ms: 0 };
      const positions: bigint[] = [];
      const handed: bigint[] = [];
      // each commit "takes" 100 ms after it has been handed over, as a commit in a writer thread does; the pieces'
      // own work costs nothing on this clock
      const elsewhere: ReadModelStore = {
        ...readModels,
        get: readModels.get.bind(readModels),
        getMany: readModels.getMany.bind(readModels),
        commit(projection, position, writes) {
          handed.push(position);
          return new Promise<void>((resolve, reject) =>
            setImmediate(() => {
              clock.ms += 100;
              positions.push(position);
              readModels.commit(projection, position, writes).then(resolve, reject);
            }),
          );
        },
      };
      await runner({ projections: [countingProjection()], readModels: elsewhere, now: () => clock.ms, pieceBudgetMs: 4, batchSize: 1000 }).start();
      // timed to the end of the commit, every piece after the first would have been cut down to a single event
      expect(positions.length).to.equal(4);
      expect(positions.at(-1)).to.equal(head);
      expect(handed).to.deep.equal(positions);
      expect(await countsIn(readModels)).to.deep.equal(await expectedCounts(events));
    });

    it('lets one projection evolve while another\'s commit is under way, one piece per turn of the event loop', async () => {
      const head = await appendSpread(events, 1_000, 7);
      let inFlight = 0;
      let mostInFlight = 0;
      const order: string[] = [];
      const slow: ReadModelStore = {
        ...readModels,
        get: readModels.get.bind(readModels),
        getMany: readModels.getMany.bind(readModels),
        commit(projection, position, writes) {
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          order.push(projection);
          // answered a few turns later, like a writer thread's answer
          return new Promise<void>((resolve, reject) =>
            setTimeout(() => {
              inFlight--;
              readModels.commit(projection, position, writes).then(resolve, reject);
            }, 5),
          );
        },
      };
      const one = countingProjection('one', 'oneCounts');
      const two = countingProjection('two', 'twoCounts');
      await runner({ projections: [one, two], readModels: slow, pieceBudgetMs: Infinity, batchSize: 1000 }).start();
      expect(mostInFlight).to.equal(2);
      // whole slices of 250 (no budget): four each, taken in turns
      expect(order).to.deep.equal(['one', 'two', 'one', 'two', 'one', 'two', 'one', 'two']);
      expect(await readModels.checkpoint('one')).to.equal(head);
      expect(await readModels.checkpoint('two')).to.equal(head);
    });

    it('hands out turns of the event loop one at a time, in the order asked', async () => {
      const turns = eventLoopTurns();
      const seen: string[] = [];
      const asked = [turns().then(() => seen.push('first')), turns().then(() => seen.push('second')), turns().then(() => seen.push('third'))];
      // queued after the first turn was asked for, so it runs after the first and before the second: between two turns
      // the loop goes round (and polls I/O), where three setImmediate calls would have run back to back
      setImmediate(() => seen.push('between'));
      await Promise.all(asked);
      expect(seen).to.deep.equal(['first', 'between', 'second', 'third']);
    });

    it('sizes the next piece from the last one', () => {
      // over the budget: in proportion, never below one event
      expect(nextPieceSize(250, 250, 32, 8)).to.equal(62);
      expect(nextPieceSize(5, 5, 400, 8)).to.equal(1);
      // in proportion to the last piece, however short (10 events in 12 ms: 6 fit in 8)
      expect(nextPieceSize(80, 10, 12, 8)).to.equal(6);
      // under half the budget: a full piece grows by half, up to a whole slice of 250
      expect(nextPieceSize(80, 80, 3, 8)).to.equal(120);
      expect(nextPieceSize(5, 5, 1, 8)).to.equal(8);
      expect(nextPieceSize(200, 200, 3, 8)).to.equal(250);
      // a short last piece says nothing about the size
      expect(nextPieceSize(80, 10, 1, 8)).to.equal(80);
      // within [budget/2, budget]: unchanged
      expect(nextPieceSize(80, 80, 6, 8)).to.equal(80);
    });
  });

  describe('when evolve throws', () => {
    it('stops that projection at the failing event, keeps what came before, and lets the others go on', async () => {
      const head = await appendSpread(events, 500, 5);
      const failAt = await handledFrom(events, 237n);
      const healthy = countingProjection('healthy', 'healthyCounts');
      const broken = countingProjection('broken', 'brokenCounts');
      const live = runner({ projections: [healthy, broken], ctx: { failing: { projection: 'broken', position: failAt } }, batchSize: 100 });
      await live.start();

      expect(await readModels.checkpoint('healthy')).to.equal(head);
      expect(await readModels.checkpoint('broken')).to.equal(failAt - 1n);
      const [, brokenStatus] = live.status();
      expect(brokenStatus).to.deep.include({ name: 'broken', checkpoint: failAt - 1n });
      expect(brokenStatus!.failure).to.include({ position: failAt });
      expect(brokenStatus!.failure!.message).to.match(/^cannot count handoff\.re/);
      expect(logger.errors).to.have.length(1);
      expect(logger.errors[0]).to.match(new RegExp(`broken stopped at position ${failAt}: cannot count`));
      expect(await live.lag()).to.equal(head - (failAt - 1n));

      // the events before the failing one in its batch were applied, exactly once
      const before = projectEvents(countingProjection(), (await events.readAll()).slice(0, Number(failAt) - 1), {});
      expect(await countsIn(readModels, 'brokenCounts')).to.deep.equal(
        new Map([...before.get('streamCounts')!].map(([id, { doc }]) => [id, (doc as StreamCount).count])),
      );

      // read-after-write for a position past the failure reports it instead of waiting
      const error = await rejectionOf(live.waitFor(head, 1000));
      expect(error).to.be.instanceOf(ProjectionFailedError);
      expect(error).to.include({ projection: 'broken', position: failAt });
      await live.waitFor(failAt - 1n, 10);

      // live events do not move it either
      const [more] = await events.append([{ streamId: 'case-x', expectedRevision: 'any', events: [event('case.registered')] }]);
      await rejectionOf(live.waitFor(more!.positions[0]!, 1000));
      // a query that reads only the healthy projection still gets read-after-write
      await live.waitFor(more!.positions[0]!, 1000, ['healthy']);
      expect(await readModels.checkpoint('healthy')).to.equal(more!.positions[0]);
      expect(await readModels.checkpoint('broken')).to.equal(failAt - 1n);
    });

    it('keeps none of the failing event’s changes when it touches several documents', async () => {
      await appendSpread(events, 200, 4);
      const failAt = await handledFrom(events, 150n);
      const both: Projection<Ctx> = {
        name: 'streamsAndTotal',
        canHandle: ['handoff.requested', 'handoff.received'],
        collections: ['perStream', 'total'],
        keys: (recorded) => [
          ['perStream', recorded.streamId],
          ['total', 'all'],
        ],
        evolve: (doc, recorded, _ctx, collection) => {
          // the second document of the failing event throws, after the first was evolved
          if (collection === 'total' && recorded.position === failAt) throw new Error('total overflow');
          return { doc: { count: ((doc as { count?: number } | null)?.count ?? 0) + 1 } };
        },
      };
      await runner({ projections: [both] }).start();
      const applied = (await events.readAll()).filter((recorded) => recorded.position < failAt && recorded.type !== 'case.noted');
      expect(await readModels.checkpoint('streamsAndTotal')).to.equal(failAt - 1n);
      expect((await readModels.get<{ count: number }>('total', 'all'))?.count).to.equal(applied.length);
      const perStream = await countsIn(readModels, 'perStream');
      expect([...perStream.values()].reduce((sum, count) => sum + count, 0)).to.equal(applied.length);
    });

    it('evolves a batch one document at a time, each document in event order (its versions between events die young)', async () => {
      const [a1, b1, a2, b2, a3] = await appendInTurn(events, ['case-a', 'case-b', 'case-a', 'case-b', 'case-a']);
      const calls: string[] = [];
      const perStream = perStreamProjection('perStreamOrder', (doc, recorded) => {
        calls.push(`${recorded.streamId}@${recorded.position}`);
        return { doc: { seen: [...((doc as { seen?: string[] } | null)?.seen ?? []), String(recorded.position)] } };
      });
      const fresh = openEmbeddedReadModelStore({ path: ':memory:' });
      try {
        await runner({ projections: [perStream] }).rebuild(fresh);
        expect(calls).to.deep.equal([`case-a@${a1}`, `case-a@${a2}`, `case-a@${a3}`, `case-b@${b1}`, `case-b@${b2}`]);
        expect(await fresh.get('perStream', 'case-a')).to.deep.include({ seen: [a1, a2, a3].map(String) });
        expect(await fresh.get('perStream', 'case-b')).to.deep.include({ seen: [b1, b2].map(String) });
      } finally {
        await fresh.close();
      }
    });

    it('applies no event after the failing one, although a batch is evolved one document at a time', async () => {
      // a, b, a: evolved document by document, `a` takes both of its events before `b` is reached and fails
      const failAt = (await appendInTurn(events, ['case-a', 'case-b', 'case-a', 'case-c']))[1]!;
      const perStream = perStreamProjection('perStreamFailing', (doc, recorded) => {
        if (recorded.position === failAt) throw new Error('poison');
        return { doc: { count: ((doc as { count?: number } | null)?.count ?? 0) + 1 } };
      });
      const live = runner({ projections: [perStream] });
      await live.start();
      expect(await readModels.checkpoint('perStreamFailing')).to.equal(failAt - 1n);
      expect(await readModels.get('perStream', 'case-a')).to.deep.include({ count: 1 });
      expect(await readModels.get('perStream', 'case-b')).to.equal(null);
      expect(await readModels.get('perStream', 'case-c')).to.equal(null);
      await live.stop();

      const fresh = openEmbeddedReadModelStore({ path: ':memory:' });
      try {
        expect(await rejectionOf(runner({ projections: [perStream] }).rebuild(fresh))).to.include({ projection: 'perStreamFailing', position: failAt });
        expect(await fresh.get('perStream', 'case-a')).to.deep.include({ count: 1 });
        expect(await fresh.get('perStream', 'case-c')).to.equal(null);
      } finally {
        await fresh.close();
      }
    });

    it('carries on from where it stopped once the bug is fixed', async () => {
      await appendSpread(events, 300, 5);
      const failAt = await handledFrom(events, 120n);
      const broken = runner({ projections: [countingProjection()], ctx: { failing: { projection: 'streamCounts', position: failAt } }, batchSize: 50 });
      await broken.start();
      expect(await readModels.checkpoint('streamCounts')).to.equal(failAt - 1n);
      await broken.stop();

      const fixedRunner = runner({ projections: [countingProjection()], batchSize: 50 });
      await fixedRunner.start();
      expect(await countsIn(readModels)).to.deep.equal(await expectedCounts(events));
      expect(fixedRunner.status()[0]!.failure).to.equal(null);
    });

    it('makes rebuild reject with the projection and position', async () => {
      await appendSpread(events, 100, 3);
      const fresh = openEmbeddedReadModelStore({ path: ':memory:' });
      try {
        const failAt = await handledFrom(events, 42n);
        const failing = runner({ projections: [countingProjection()], ctx: { failing: { projection: 'streamCounts', position: failAt } } });
        const error = await rejectionOf(failing.rebuild(fresh));
        expect(error).to.be.instanceOf(ProjectionFailedError);
        expect(error).to.include({ projection: 'streamCounts', position: failAt });
      } finally {
        await fresh.close();
      }
    });
  });

  describe('lifecycle', () => {
    it('resolves a waitFor made before start once the catch-up reaches it', async () => {
      const head = await appendSpread(events, 50, 3);
      const live = runner({ projections: [countingProjection()] });
      const waiting = live.waitFor(head, 2000);
      await live.start();
      await waiting;
      // also when everything was already applied and the catch-up reads nothing
      const again = runner({ projections: [countingProjection()] });
      const waitingAgain = again.waitFor(head, 2000);
      await again.start();
      await waitingAgain;
    });

    it('follows again after stop and start, applying what was written in between', async () => {
      const live = runner({ projections: [countingProjection()] });
      await live.start();
      await live.stop();
      const [result] = await events.append([{ streamId: 'case-1', expectedRevision: 'no_stream', events: [event('case.registered')] }]);
      await live.start();
      await live.waitFor(result!.positions[0]!, 1000);
      const [later] = await events.append([{ streamId: 'case-1', expectedRevision: 0, events: [event('handoff.requested')] }]);
      await live.waitFor(later!.positions[0]!, 1000);
      expect((await readModels.get<StreamCount>('streamCounts', 'case-1'))?.count).to.equal(2);
    });

    it('rejects pending waits when stopped', async () => {
      const live = runner({ projections: [countingProjection()] });
      await live.start();
      const waiting = rejectionOf(live.waitFor(99n, 5000));
      await live.stop();
      expect(String(await waiting)).to.match(/stopped before position 99/);
    });

    it('subscribes again after the event store subscription fails', async () => {
      let failures = 0;
      const flaky = {
        ...events,
        readAll: events.readAll.bind(events),
        headPosition: events.headPosition.bind(events),
        subscribe: (options: Parameters<SqliteEventStore['subscribe']>[0]) => {
          if (failures === 0) {
            failures += 1;
            setImmediate(() => options.onError?.(new Error('connection reset')));
            return { stop: async () => undefined };
          }
          return events.subscribe(options);
        },
      };
      const live = runner({ projections: [countingProjection()], store: flaky, resubscribeDelayMs: 20 });
      await live.start();
      const [result] = await events.append([{ streamId: 'case-1', expectedRevision: 'no_stream', events: [event('case.registered')] }]);
      await live.waitFor(result!.positions[0]!, 2000);
      expect(logger.errors.join('\n')).to.match(/subscription failed.*connection reset/);
    });

    it('reports no lag once current, and the distance to the head otherwise', async () => {
      const live = runner({ projections: [countingProjection()] });
      expect(await live.lag()).to.equal(0n);
      const head = await appendSpread(events, 40, 2);
      expect(await live.lag()).to.equal(head);
      await live.start();
      expect(await live.lag()).to.equal(0n);
      expect(live.status()).to.deep.equal([{ name: 'streamCounts', checkpoint: head, failure: null, retrying: null }]);
    });
  });

  it('stops a projection that writes outside its collections', async () => {
    await appendSpread(events, 10, 2);
    const projection = { ...countingProjection(), keys: (recorded: RecordedEvent) => [['elsewhere', recorded.streamId] as const] };
    const live = runner({ projections: [projection] });
    await live.start();
    expect(live.status()[0]!.failure?.message).to.match(/elsewhere is not among/);
    expect(await readModels.checkpoint('streamCounts')).to.equal(null);
  });

  it('refuses read models built from another event store (checkpoint beyond the head)', async () => {
    await readModels.commit('streamCounts', 1_000n, []);
    await appendSpread(events, 10, 2);
    const live = runner({ projections: [countingProjection()] });
    await live.start();
    expect(live.status()[0]!.failure?.message).to.match(/beyond the event store's head 10.*rebuild/);
  });

  it('refuses two projections sharing a name or a collection', () => {
    expect(() => runner({ projections: [countingProjection('a', 'x'), countingProjection('a', 'y')] })).to.throw(/two projections are named a/);
    expect(() => runner({ projections: [countingProjection('a', 'x'), countingProjection('b', 'x')] })).to.throw(/belongs to both/);
  });
});
