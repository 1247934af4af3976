/**
 * The projection lease against the real Redis, and projection ownership in-process against the real PostgreSQL
 * event store and Redis read models: one grant at a time with ever-increasing fencing tokens, compare-and-extend
 * renewal, takeover after the TTL, and an owner that loses its lease (cut off from Redis, or robbed of it) stops
 * writing while a standby takes over — with the read models ending identical to an embedded rebuild.
 */
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { systemClock } from '../../infra/clock.js';
import type { EventStore } from '../../ports/eventStore.js';
import { openPostgresEventStore } from '../../infra/eventStore/postgresEventStore.js';
import { createIngestPipeline } from '../../infra/ingest/pipeline.js';
import { createValidator } from '../../infra/ingest/validator.js';
import type { Lease, LeaseRoster } from '../../ports/lease.js';
import { openRedisRoster } from '../../infra/lease/redisRoster.js';
import { createProjectionOwnership, type OwnershipState, type ProjectionOwnership } from '../../infra/lease/projectionOwnership.js';
import { openRedisLease } from '../../infra/lease/redisLease.js';
import type { ReadModelStore } from '../../ports/readModelStore.js';
import { openRedisReadModelStore } from '../../infra/readModels/redisReadModelStore.js';
import { openSqliteRejectionStore } from '../../infra/rejections/sqliteRejectionStore.js';
import { allProjections } from '../../projections/index.js';
import { createProjectionRunner } from '../../projections/runner.js';
import { TEST_CITY } from '../e2e/fixtures.js';
import { databaseUrl, probePostgres, probeRedis, redisUrl, requireEngine } from './engines.js';
import { differencesFromRebuild, dropRedisPrefix, dropSchema, isolation, testCityContext } from './distributedSupport.js';
import { AGENCIES, caseScript, waitFor } from './kafkaSupport.js';

describe('projection lease on Redis (real server)', function () {
  this.timeout(30_000);
  before(requireEngine('redis', probeRedis));

  const { keyPrefix } = isolation('lease');
  const leases: Lease[] = [];
  const open = async (holder: string, ttlMs = 600, name = 'projector'): Promise<Lease> => {
    const lease = await openRedisLease({ url: redisUrl(), keyPrefix, name, ttlMs, holder });
    leases.push(lease);
    return lease;
  };
  afterEach(async () => {
    for (const lease of leases.splice(0)) await lease.close();
    await dropRedisPrefix(keyPrefix);
  });

  it('grants one holder at a time, with a fencing token that grows with every grant', async () => {
    const a = await open('a');
    const b = await open('b');
    const first = await a.acquire();
    expect(first).to.not.equal(null);
    expect(first!.value).to.equal(`${first!.token}|a`);
    expect(await b.acquire()).to.equal(null);
    expect(await a.acquire(), 'not even the holder gets a second grant').to.equal(null);
    expect(await b.current()).to.deep.include({ holder: 'a', token: first!.token });

    await a.release(first!);
    const second = await b.acquire();
    expect(second!.token).to.equal(first!.token + 1n);
    expect(await a.holds(first!)).to.equal(false);
    expect(await b.holds(second!)).to.equal(true);
  });

  it('of many replicas racing for a free lease exactly one wins', async () => {
    const racers = await Promise.all(Array.from({ length: 12 }, (_, n) => open(`r${n}`)));
    const grants = await Promise.all(racers.map((lease) => lease.acquire()));
    expect(grants.filter((grant) => grant !== null)).to.have.length(1);
  });

  it('renewal extends only the holder’s own term; an expired holder can neither renew nor release the next term', async () => {
    // Times are awaited by polling the clock, never by fixed sleeps: the only assumption is that no step
    // stalls for more than half a term (750 ms).
    const ttl = 1500;
    const a = await open('a', ttl);
    const b = await open('b', ttl);
    const until = (what: string, at: number) => waitFor(what, ttl * 4, () => (Date.now() >= at ? true : undefined), 10);
    const sentAt = Date.now();
    const grant = await a.acquire();
    expect(grant!.validUntil).to.be.at.most(sentAt + ttl - 100);
    expect(grant!.validUntil).to.be.greaterThan(sentAt);

    // renewed half-way through its first term …
    await until('half of the first term', sentAt + ttl / 2);
    const renewed = await a.renew(grant!);
    expect(renewed).to.not.equal(null);
    expect(renewed!.validUntil).to.be.greaterThan(grant!.validUntil);
    // … it is still held once the first term (as Redis counts it, from before the grant) is over
    await until('the end of the first term', sentAt + ttl + 50);
    expect(await b.acquire(), 'renewed, so not free after the first TTL').to.equal(null);

    // not renewed: expires, and b takes it with the next token
    await waitFor('the renewed term to expire', ttl * 4, async () => ((await a.current()) === null ? true : undefined), 25);
    const taken = await b.acquire();
    expect(taken!.token).to.equal(grant!.token + 1n);
    expect(await a.renew(renewed!)).to.equal(null);
    await a.release(renewed!);
    expect(await b.holds(taken!)).to.equal(true);
    expect((await b.current())!.expiresInMs).to.be.within(1, ttl);
  });

  it('keeps the fencing token when the lease key is gone (tokens never repeat)', async () => {
    const a = await open('a');
    const first = await a.acquire();
    const admin = new Redis(redisUrl());
    await admin.del(`${keyPrefix}lease:projector`); // an operator clearing the lease by hand
    await admin.quit();
    const second = await a.acquire();
    expect(second!.token).to.equal(first!.token + 1n);
  });
});

describe('roster of projector replicas on Redis (real server)', function () {
  this.timeout(30_000);
  before(requireEngine('redis', probeRedis));

  const { keyPrefix } = isolation('roster');
  const rosters: LeaseRoster[] = [];
  const leases: Lease[] = [];
  const openRoster = async (self: string, ttlMs = 600): Promise<LeaseRoster> => {
    const roster = await openRedisRoster({ url: redisUrl(), keyPrefix, group: 'projector', ttlMs, self });
    rosters.push(roster);
    return roster;
  };
  afterEach(async () => {
    for (const roster of rosters.splice(0)) await roster.close();
    for (const lease of leases.splice(0)) await lease.close();
    await dropRedisPrefix(keyPrefix);
  });

  it('lists the replicas that beat within the TTL and who holds each lease; one that stops beating drops out, one that leaves at once', async () => {
    const a = await openRoster('replica-a');
    const b = await openRoster('replica-b');
    const c = await openRoster('replica-c');
    const lease = await openRedisLease({ url: redisUrl(), keyPrefix, name: 'projector:cases', ttlMs: 600, holder: 'replica-b' });
    leases.push(lease);
    await a.heartbeat([]);
    await c.heartbeat([]);
    const grant = await lease.acquire();
    expect(grant).to.not.equal(null);
    const seen = await b.heartbeat(['projector:cases', 'projector:meetings']);
    expect(seen.live.sort()).to.deep.equal(['replica-a', 'replica-b', 'replica-c']);
    expect([...seen.holders]).to.deep.equal([
      ['projector:cases', 'replica-b'],
      ['projector:meetings', null],
    ]);

    await c.leave();
    expect((await b.heartbeat([])).live.sort(), 'left at once').to.deep.equal(['replica-a', 'replica-b']);
    // a stops beating; b keeps on: after the TTL only b is live
    for (let beat = 0; beat < 4; beat++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await b.heartbeat([]);
    }
    expect((await b.heartbeat([])).live).to.deep.equal(['replica-b']);
  });
});

describe('projection ownership (in-process replicas; real PostgreSQL and Redis)', function () {
  this.timeout(90_000);
  before(requireEngine('postgres', probePostgres));
  before(requireEngine('redis', probeRedis));

  const TTL_MS = 1500;
  const { keyPrefix, schema } = isolation('own');
  const ctx = testCityContext();
  let store: EventStore;
  let observer: ReadModelStore;
  const started: { ownership: ProjectionOwnership; lease: Lease; lines: string[] }[] = [];

  before(async () => {
    store = await openPostgresEventStore({ connectionString: databaseUrl(), schema, clock: systemClock, pollIntervalMs: 200 });
    observer = await openRedisReadModelStore({ url: redisUrl(), keyPrefix });
  });
  after(async () => {
    for (const { ownership, lease } of started) {
      await ownership.stop();
      await lease.close();
    }
    await observer?.close();
    await store?.close();
    await dropRedisPrefix(keyPrefix);
    await dropSchema(schema);
  });

  const pipeline = () =>
    createIngestPipeline({
      store,
      rejections: openSqliteRejectionStore({ path: ':memory:' }),
      validator: createValidator(),
      agencies: AGENCIES,
      copyNoticeRecipients: TEST_CITY.copyNoticeRecipients,
      clock: systemClock,
    });

  /** `cases` case scripts of the court, five events each; returns the head afterwards */
  async function publish(from: number, cases: number): Promise<bigint> {
    const ingest = pipeline();
    const agency = AGENCIES.get('xj-court')!;
    for (let n = from; n < from + cases; n++) {
      const results = await ingest.ingest(
        caseScript('xj-court', 'xj-justice', n).map((event) => ({ value: event, raw: JSON.stringify(event) })),
        { agency, principal: 'court-system', channel: 'http' },
      );
      expect(results.every((r) => r.status === 'accepted'), JSON.stringify(results)).to.equal(true);
    }
    return (await store.headPosition())!;
  }

  const caughtUpTo = (position: bigint) =>
    waitFor(`read models at ${position}`, 20_000, async () => {
      const checkpoints = await Promise.all(allProjections().map((p) => observer.checkpoint(p.name)));
      return checkpoints.every((c) => c !== null && c >= position) ? true : undefined;
    });

  interface Replica {
    name: string;
    ownership: ProjectionOwnership;
    states: OwnershipState[];
    lines: string[];
    /** from now on every lease call fails, as when the replica is cut off from Redis */
    cutOff(): void;
  }

  async function startReplica(name: string): Promise<Replica> {
    const real = await openRedisLease({ url: redisUrl(), keyPrefix, name: 'projector', ttlMs: TTL_MS, holder: name });
    let cut = false;
    const guard = <T>(call: () => Promise<T>): Promise<T> => (cut ? Promise.reject(new Error('connection cut')) : call());
    const lease: Lease = {
      name: real.name,
      ttlMs: real.ttlMs,
      acquire: () => guard(() => real.acquire()),
      renew: (grant) => guard(() => real.renew(grant)),
      holds: (grant) => guard(() => real.holds(grant)),
      release: (grant) => guard(() => real.release(grant)),
      current: () => guard(() => real.current()),
      close: () => real.close(),
    };
    const states: OwnershipState[] = [];
    const lines: string[] = [];
    const ownership = createProjectionOwnership({
      lease,
      openReadModels: () => openRedisReadModelStore({ url: redisUrl(), keyPrefix }),
      createRunner: (readModels) =>
        createProjectionRunner({ store, readModels, projections: allProjections(), ctx, batchSize: 50, logger: { info: () => undefined, error: () => undefined } }),
      log: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) },
      acquireIntervalMs: 100,
      onChange: (state) => states.push(state),
    });
    started.push({ ownership, lease, lines });
    ownership.start();
    return { name, ownership, states, lines, cutOff: () => (cut = true) };
  }

  const role = (replica: Replica) => replica.ownership.state().role;

  it('exactly one of two replicas owns; cut off from Redis it stops writing and the standby takes over within the TTL; the read models stay exact', async () => {
    const a = await startReplica('replica-a');
    await waitFor('a owns', 5000, () => (role(a) === 'owner' ? true : undefined), 20);
    const b = await startReplica('replica-b');
    await waitFor('b on standby', 5000, () => (b.states.some((s) => s.role === 'standby' && s.holder?.holder === 'replica-a') ? true : undefined), 20);
    expect(role(a)).to.equal('owner');

    await caughtUpTo(await publish(0, 40));
    expect(role(b)).to.equal('standby');

    // a keeps running but can no longer renew: it must stop before its lease can expire in Redis
    const cutAt = Date.now();
    a.cutOff();
    const publishing = publish(40, 60); // events keep arriving during the failover
    await waitFor('a gives up', 5000, () => (role(a) !== 'owner' ? true : undefined), 10);
    const aStoppedAfter = Date.now() - cutAt;
    await waitFor('b owns', 10_000, () => (role(b) === 'owner' ? true : undefined), 10);
    const takeoverAfter = Date.now() - cutAt;
    expect(aStoppedAfter, 'a stopped before its lease expired').to.be.lessThan(TTL_MS);
    expect(takeoverAfter, 'b took over within TTL + acquire interval + slack').to.be.lessThan(TTL_MS + 1000);
    expect(a.lines.some((line) => line.includes('投影租约已失去'))).to.equal(true);

    await caughtUpTo(await publishing);
    expect(await differencesFromRebuild(store, observer, ctx)).to.deep.equal([]);
    const token = (states: OwnershipState[]) => states.flatMap((s) => (s.role === 'owner' ? [s.token] : []))[0]!;
    expect(token(b.states) > token(a.states), 'the new term has a higher fencing token').to.equal(true);
    console.log(`      cut off at t=0: a stopped writing at ${aStoppedAfter} ms, b owned at ${takeoverAfter} ms (TTL ${TTL_MS} ms)`);
  });

  it('an owner whose lease was taken from it refuses its next commit and steps down', async () => {
    const owner = started.map((s) => s.ownership).find((o) => o.state().role === 'owner')!;
    const token = (owner.state() as { token: bigint }).token;
    // an operator (or a split brain) hands the lease to someone else
    const admin = new Redis(redisUrl());
    await admin.set(`${keyPrefix}lease:projector`, `${token + 100n}|intruder`, 'PX', 3000);
    await admin.quit();
    const head = await publish(100, 1); // the owner's next commit meets the fence
    await waitFor('owner steps down', 5000, () => (owner.state().role !== 'owner' ? true : undefined), 10);
    const checkpoint = await observer.checkpoint('cases');
    expect(checkpoint! < head, 'nothing committed under a lease it no longer holds').to.equal(true);
    // the intruder never renews: a replica takes over after it expires and finishes the work exactly
    await caughtUpTo(head);
    expect(await differencesFromRebuild(store, observer, ctx)).to.deep.equal([]);
  });

  it('a commit that meets a checkpoint written by someone else makes the owner give the lease up and compete again', async () => {
    const owner = started.map((s) => s.ownership).find((o) => o.state().role === 'owner')!;
    const before = (owner.state() as { token: bigint }).token;
    // a stale writer (its own store instance) moves the checkpoint behind the owner's back
    const stale = await openRedisReadModelStore({ url: redisUrl(), keyPrefix });
    const head = await publish(101, 1);
    await caughtUpTo(head);
    await stale.commit('meetings', head + 1n, []);
    await stale.close();
    // the next event (one no projection handles: only the checkpoints move) makes the owner commit
    const [appended] = await store.append([
      { streamId: 'test-unrelated', expectedRevision: 'no_stream', events: [{ type: 'test.unrelated', data: {}, metadata: { source: null, eventId: null, principal: null, channel: 'platform', time: '2024-09-10T01:00:00Z' } }] },
    ]);
    expect(appended!.positions[0]).to.equal(head + 1n);
    await waitFor('a new term', 10_000, () =>
      started.some((s) => s.ownership.state().role === 'owner' && (s.ownership.state() as { token: bigint }).token > before) ? true : undefined,
    );
    const owners = started.flatMap((s) => (s.ownership.state().role === 'owner' ? [s] : []));
    expect(owners).to.have.length(1);
    expect(owners[0]!.lines.some((line) => line.includes('读模型检查点被其他进程改动'))).to.equal(true);
    await caughtUpTo(head + 1n);
    expect(await differencesFromRebuild(store, observer, ctx)).to.deep.equal([]);
  });
});
