/**
 * Self-healing projections (issue 13, item 5): a transient read-model store error (disk full, I/O error, lost
 * connection) is retried with a bounded, jittered exponential backoff until the projection reaches the head by
 * itself; a deterministic failure (a poison event in evolve, a store error that is not transient) still stops
 * the projection as before. Timers are injected: nothing here sleeps for a backoff.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { EventMetadata, NewEvent, RecordedEvent } from '../../../ports/eventStore.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { createHttpApp } from '../../../infra/http/app.js';
import { createMetrics } from '../../../infra/http/metrics.js';
import { projectionHealthProbe, projectionNotReadyReason } from '../../../infra/http/projectionHealth.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import type { ReadModelStore } from '../../../ports/readModelStore.js';
import type { Projection } from '../../../projections/projection.js';
import { createProjectionRunner, type ProjectionLogger, type ProjectionRunner, type ProjectionRunnerDeps } from '../../../projections/runner.js';
import { countsIn, expectedCounts, timedPieces } from './support.js';

interface Ctx {
  /** evolve of this projection throws on the event at this position (a poison event) */
  poison?: { projection: string; position: bigint };
}

interface StreamCount {
  count: number;
}

function countingProjection(name = 'streamCounts', collection = 'streamCounts'): Projection<Ctx> & { evolveCalls: number } {
  const projection = {
    name,
    canHandle: ['case.registered', 'handoff.requested', 'handoff.received'],
    collections: [collection],
    evolveCalls: 0,
    keys: (event: RecordedEvent) => [[collection, event.streamId] as const],
    evolve(doc: unknown, event: RecordedEvent, ctx: Ctx) {
      projection.evolveCalls += 1;
      if (ctx.poison?.projection === name && ctx.poison.position === event.position) throw new Error(`cannot count ${event.type}`);
      return { doc: { count: ((doc as StreamCount | null)?.count ?? 0) + 1 } };
    },
  };
  return projection;
}

const metadata: EventMetadata = { source: 'ly-court', eventId: null, principal: 'clerk', channel: 'http', time: '2024-05-06T09:30:00+08:00' };
const event = (type: string): NewEvent => ({ type, data: {}, metadata });

/** appends `count` events over `streams` streams (every seventh of a type nobody handles); returns the last position */
async function appendSpread(store: SqliteEventStore, count: number, streams: number): Promise<bigint> {
  const requests = new Map<string, NewEvent[]>();
  for (let index = 0; index < count; index++) {
    const streamId = `case-${index % streams}`;
    requests.set(streamId, [...(requests.get(streamId) ?? []), event(index % 7 === 3 ? 'case.noted' : 'handoff.requested')]);
  }
  let last = 0n;
  const results = await store.append([...requests].map(([streamId, events]) => ({ streamId, expectedRevision: 'any' as const, events })));
  for (const result of results) for (const position of result.positions) if (position > last) last = position;
  return last;
}

/** what better-sqlite3 throws when the disk is full */
const sqliteFull = (): Error => Object.assign(new Error('database or disk is full'), { name: 'SqliteError', code: 'SQLITE_FULL' });

/**
 * A read-model store whose commits (or reads) fail with `error()` the next `failures` times — per projection
 * when `only` is set — and then succeed.
 */
function failing(inner: ReadModelStore) {
  const plan = {
    commitFailures: 0,
    readFailures: 0,
    only: null as string | null,
    error: sqliteFull,
    commits: 0,
    failed: 0,
  };
  const store: ReadModelStore = {
    ...inner,
    get: inner.get.bind(inner),
    getMany: async (collection, ids) => {
      if (plan.readFailures > 0 && (plan.only === null || collection.startsWith(plan.only))) {
        plan.readFailures -= 1;
        plan.failed += 1;
        throw plan.error();
      }
      return inner.getMany(collection, ids);
    },
    commit: async (projection, position, writes) => {
      if (plan.commitFailures > 0 && (plan.only === null || plan.only === projection)) {
        plan.commitFailures -= 1;
        plan.failed += 1;
        throw plan.error();
      }
      plan.commits += 1;
      return inner.commit(projection, position, writes);
    },
  };
  return { store, plan };
}

/** timers the test fires by hand; `delays` is every pause the runner asked for */
function manualTimers() {
  let nextId = 1;
  const pending = new Map<number, () => void>();
  const delays: number[] = [];
  return {
    delays,
    get pending(): number {
      return pending.size;
    },
    setTimeout(callback: () => void, ms: number): unknown {
      const id = nextId++;
      pending.set(id, callback);
      delays.push(ms);
      return id;
    },
    clearTimeout(handle: unknown): void {
      pending.delete(handle as number);
    },
    /** runs every pending timer, as if its pause were over */
    fire(): void {
      const due = [...pending];
      pending.clear();
      for (const [, callback] of due) callback();
    },
  };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function recordingLogger(): ProjectionLogger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, info: () => undefined, error: (message) => errors.push(message) };
}

describe('projection runner: transient store errors', () => {
  let dir: string;
  let events: SqliteEventStore;
  let readModels: ReadModelStore;
  let logger: ReturnType<typeof recordingLogger>;
  let timers: ReturnType<typeof manualTimers>;
  const runners: ProjectionRunner[] = [];

  const runner = (deps: Partial<ProjectionRunnerDeps<Ctx>> & { projections: readonly Projection<Ctx>[] }): ProjectionRunner => {
    const created = createProjectionRunner<Ctx>({
      store: events,
      readModels,
      ctx: {},
      logger,
      retry: { initialDelayMs: 100, maxDelayMs: 1000, random: () => 0.5, timers },
      // whole slices: the commits these tests count and fail do not depend on the machine's speed
      pieceBudgetMs: Infinity,
      ...deps,
    });
    runners.push(created);
    return created;
  };

  /** fires the pending retry each time one is scheduled, until the runner has no retrying projection */
  const retryUntilHealthy = async (live: ProjectionRunner): Promise<void> => {
    for (;;) {
      await until(() => timers.pending > 0 || live.status().every((p) => p.retrying === null), 'a retry is scheduled or every projection is healthy');
      if (timers.pending === 0) return;
      timers.fire();
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-retry-'));
    events = openSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
    readModels = openEmbeddedReadModelStore({ path: join(dir, 'readmodels.db') });
    logger = recordingLogger();
    timers = manualTimers();
  });

  afterEach(async () => {
    for (const created of runners.splice(0)) await created.stop();
    await readModels.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries commits that fail with SQLITE_FULL and reaches the head by itself, nothing applied twice or skipped', async () => {
    const head = await appendSpread(events, 500, 7);
    const { store, plan } = failing(readModels);
    plan.commitFailures = 3;
    const projection = countingProjection();
    const live = runner({ projections: [projection], readModels: store, batchSize: 100 });
    await live.start(); // a store that is full does not keep the process from starting

    const [stuck] = live.status();
    expect(stuck!.failure).to.equal(null);
    expect(stuck!.retrying).to.include({ position: 1n, attempt: 1, operation: 'write', message: 'database or disk is full' });
    expect(stuck!.checkpoint).to.equal(null);
    expect(timers.pending).to.equal(1);
    const waiting = live.waitFor(head, 5000);

    await retryUntilHealthy(live);
    await waiting;
    expect(plan.failed).to.equal(3);
    expect(live.status()).to.deep.equal([{ name: 'streamCounts', checkpoint: head, failure: null, retrying: null }]);
    expect(await countsIn(readModels)).to.deep.equal(await expectedCounts(events));
    expect(await readModels.checkpoint('streamCounts')).to.equal(head);
    // three failed attempts, three pauses, each logged with its number
    expect(timers.delays).to.have.length(3);
    expect(logger.errors).to.have.length(3);
    expect(logger.errors[2]).to.match(/streamCounts.*position 1.*retry 3 in \d+ ms.*database or disk is full/);

    // and it follows live events again
    const [more] = await events.append([{ streamId: 'case-new', expectedRevision: 'no_stream', events: [event('case.registered')] }]);
    await live.waitFor(more!.positions[0]!, 2000);
    expect((await readModels.get<StreamCount>('streamCounts', 'case-new'))?.count).to.equal(1);
  });

  it('pauses twice as long after each failure, up to the bound, with jitter', async () => {
    await appendSpread(events, 20, 2);
    const { store, plan } = failing(readModels);
    plan.commitFailures = 7;
    let draws = 0;
    // alternately the least and (nearly) the most jitter
    const random = (): number => (draws++ % 2 === 0 ? 0 : 0.99);
    const live = runner({ projections: [countingProjection()], readModels: store, retry: { initialDelayMs: 100, maxDelayMs: 1000, random, timers } });
    await live.start();
    await retryUntilHealthy(live);
    // nominal 100, 200, 400, 800, 1000, 1000, 1000; each somewhere in [half, all] of it
    expect(timers.delays.map(Math.round)).to.deep.equal([50, 199, 200, 796, 500, 995, 500]);
    expect(live.status()[0]!.checkpoint).to.equal(await events.headPosition());
  });

  it('retries a read that fails because the connection was lost', async () => {
    const head = await appendSpread(events, 50, 3);
    const { store, plan } = failing(readModels);
    plan.readFailures = 2;
    // what ioredis answers while the connection is down
    plan.error = () => new Error('Connection is closed.');
    const live = runner({ projections: [countingProjection()], readModels: store });
    await live.start();
    expect(live.status()[0]!.retrying).to.include({ operation: 'read', attempt: 1 });
    await retryUntilHealthy(live);
    await live.waitFor(head, 1000);
    expect(await countsIn(readModels)).to.deep.equal(await expectedCounts(events));
  });

  it('lets the other projections go on while one retries, then brings it level while events keep coming', async () => {
    const { store, plan } = failing(readModels);
    const steady = countingProjection('steady', 'steadyCounts');
    const flaky = countingProjection('flaky', 'flakyCounts');
    const live = runner({ projections: [steady, flaky], readModels: store, batchSize: 50 });
    await live.start();
    plan.only = 'flaky';
    plan.commitFailures = 4;

    const first = await appendSpread(events, 120, 5);
    await live.waitFor(first, 2000, ['steady']);
    await until(() => live.status()[1]!.retrying !== null, 'flaky retries');
    expect(live.status()[1]!.checkpoint).to.equal(null);

    // more events while it retries; each retry fires while others are being applied
    let appended = first;
    for (let round = 0; round < 6; round++) {
      appended = await appendSpread(events, 30, 4);
      timers.fire();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await retryUntilHealthy(live);
    await live.waitFor(appended, 3000);
    const expected = await expectedCounts(events);
    expect(await countsIn(readModels, 'steadyCounts')).to.deep.equal(expected);
    expect(await countsIn(readModels, 'flakyCounts')).to.deep.equal(expected);
    // each handled event was evolved once per projection: none applied twice, none skipped
    const handled = [...expected.values()].reduce((sum, count) => sum + count, 0);
    expect(steady.evolveCalls).to.equal(handled);
    expect(live.status().map((p) => [p.name, p.checkpoint, p.failure, p.retrying])).to.deep.equal([
      ['steady', appended, null, null],
      ['flaky', appended, null, null],
    ]);
  });

  it('still stops on a poison event and does not retry it', async () => {
    const head = await appendSpread(events, 100, 4);
    const poisonAt = (await events.readAll()).find((recorded) => recorded.position >= 40n && recorded.type !== 'case.noted')!.position;
    const projection = countingProjection();
    const live = runner({ projections: [projection], ctx: { poison: { projection: 'streamCounts', position: poisonAt } } });
    await live.start();
    const [status] = live.status();
    expect(status!.retrying).to.equal(null);
    expect(status!.failure).to.include({ position: poisonAt });
    expect(status!.checkpoint).to.equal(poisonAt - 1n);
    expect(timers.pending).to.equal(0);
    const calls = projection.evolveCalls;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(projection.evolveCalls).to.equal(calls);
    expect(await live.lag()).to.equal(head - (poisonAt - 1n));
    expect(projectionNotReadyReason(live.status())).to.equal(`投影 streamCounts 在位置 ${poisonAt} 出错：cannot count handoff.requested`);
  });

  it('stops on a store error that is not transient (a document the store cannot hold), as before', async () => {
    await appendSpread(events, 10, 2);
    const { store, plan } = failing(readModels);
    plan.commitFailures = 1;
    plan.error = () => new TypeError('document streamCounts/case-0 is not JSON-serialisable');
    const live = runner({ projections: [countingProjection()], readModels: store });
    await live.start();
    expect(live.status()[0]!.failure?.message).to.match(/not JSON-serialisable/);
    expect(live.status()[0]!.retrying).to.equal(null);
    expect(timers.pending).to.equal(0);
  });

  it('gives up its pending retry when stopped, and starts over from the checkpoint when started again', async () => {
    const head = await appendSpread(events, 60, 3);
    const { store, plan } = failing(readModels);
    plan.commitFailures = 1;
    const live = runner({ projections: [countingProjection()], readModels: store });
    await live.start();
    expect(timers.pending).to.equal(1);
    await live.stop();
    expect(timers.pending).to.equal(0);
    await live.start();
    await live.waitFor(head, 1000);
    expect(live.status()[0]!.retrying).to.equal(null);
    expect(await countsIn(readModels)).to.deep.equal(await expectedCounts(events));
  });

  it('catches up after a pause in pieces bounded by time, and a slice whose commit fails pauses it again where the slice began', async () => {
    const head = await appendSpread(events, 1_000, 7);
    // every event "takes" 0.1 ms on the runner's clock (timedPieces): the pieces do not depend on the machine
    const slow = timedPieces(countingProjection(), ['case.noted'], () => 0.1);
    const sizes: number[] = [];
    let commits = 0;
    let last = 0n;
    const failingCommits = new Set([1, 3]);
    const store: ReadModelStore = {
      ...readModels,
      get: readModels.get.bind(readModels),
      getMany: readModels.getMany.bind(readModels),
      commit: async (projection, position, writes) => {
        commits += 1;
        if (failingCommits.has(commits)) throw sqliteFull();
        sizes.push(Number(position - last));
        last = position;
        return readModels.commit(projection, position, writes);
      },
    };
    const live = runner({ projections: [slow.projection], readModels: store, now: slow.now, pieceBudgetMs: 8, batchSize: 1_000 });
    await live.start();
    expect(live.status()[0]!.retrying).to.include({ attempt: 1 });

    timers.fire();
    // the retry's first slice went in (in pieces cut to 80 by the first one: 250 events, 25 ms against 8); the next
    // slice's commit failed: paused again where that slice began, nothing after it
    await until(() => timers.pending === 1, 'the second pause is scheduled');
    expect(live.status()[0]!.retrying).to.include({ attempt: 2, position: 251n });
    expect(sizes).to.deep.equal([250]);
    expect(await readModels.checkpoint('streamCounts')).to.equal(250n);

    await retryUntilHealthy(live);
    await live.waitFor(head, 5000);
    expect(sizes.reduce((a, b) => a + b, 0)).to.equal(Number(head));
    expect(slow.pieces()[0]).to.equal(250);
    expect(Math.max(...slow.pieces().slice(1))).to.equal(80);
    expect(await countsIn(readModels)).to.deep.equal(await expectedCounts(events));
  });

  describe('readiness', () => {
    it('says in Chinese which projection retries, how often and why, and is ready again once it caught up', async () => {
      await appendSpread(events, 30, 3);
      const { store, plan } = failing(readModels);
      plan.commitFailures = 3;
      const live = runner({ projections: [countingProjection('cases', 'caseDocs')], readModels: store });
      await live.start();
      timers.fire();
      await until(() => live.status()[0]!.retrying?.attempt === 2, 'the second failure');
      timers.fire();
      await until(() => live.status()[0]!.retrying?.attempt === 3, 'the third failure');
      expect(projectionNotReadyReason(live.status())).to.equal('投影 cases 写入失败，正在重试（第 3 次）：database or disk is full');
      await retryUntilHealthy(live);
      expect(projectionNotReadyReason(live.status())).to.equal(null);
    });

    it('answers /readyz 503 with the reason while retrying and 200 once the projection caught up', async () => {
      const head = await appendSpread(events, 200, 5);
      const { store, plan } = failing(readModels);
      plan.commitFailures = 2;
      const live = runner({ projections: [countingProjection('cases', 'caseDocs')], readModels: store, batchSize: 50 });
      await live.start();
      const metrics = createMetrics();
      const app = createHttpApp({ metrics, health: projectionHealthProbe({ runner: live, metrics, readyLag: 1000n }), routers: [] });
      const server: Server = await new Promise((resolve) => {
        const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
      });
      try {
        const readyz = `http://127.0.0.1:${(server.address() as { port: number }).port}/readyz`;
        const unready = await fetch(readyz);
        expect(unready.status).to.equal(503);
        expect(await unready.json()).to.deep.equal({ status: 'not_ready', reason: '投影 cases 写入失败，正在重试（第 1 次）：database or disk is full' });

        await retryUntilHealthy(live);
        await live.waitFor(head, 1000);
        const ready = await fetch(readyz);
        expect(ready.status).to.equal(200);
        expect(await ready.json()).to.deep.equal({ status: 'ready' });
        expect(await metrics.registry.getSingleMetricAsString('liandong_projection_lag_events')).to.match(/liandong_projection_lag_events 0$/m);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});
