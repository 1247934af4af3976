/**
 * Distributed mode as an operator runs it: `node bin/liandong.mjs ingest|project|gateway` as separate OS
 * processes configured by environment only, over the real Kafka, PostgreSQL (events and rejections) and Redis
 * (read models, projection lease). Two ingest replicas, two projectors, two gateways:
 *   (a) events produced to Kafka appear in the gateways' GraphQL answers; a rejected one in `rejections`;
 *   (c) both gateways answer the same, and a write through one is read through the other at once;
 *   (b) the two projectors share the projections, one lease each; SIGKILL the holder of `cases` and an ingest
 *       replica mid-stream: the other projector takes every projection over within about the lease TTL, every published event is stored once, and the read models end identical to an
 *       embedded rebuild of the same events (GraphQL totals, and document by document), so no event was applied
 *       twice or skipped;
 *   and a projector that joins gets its share, SIGTERM hands the leases over at once, every process exiting 0.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Admin, Producer } from 'kafkajs';
import { systemClock } from '../../infra/clock.js';
import type { EventStore } from '../../ports/eventStore.js';
import { openPostgresEventStore } from '../../infra/eventStore/postgresEventStore.js';
import { agencyTopic } from '../../infra/kafka/topics.js';
import type { ReadModelStore } from '../../ports/readModelStore.js';
import { openRedisReadModelStore } from '../../infra/readModels/redisReadModelStore.js';
import { allProjections } from '../../projections/index.js';
import { gql, publish } from '../e2e/harness.js';
import { createIngestPipeline } from '../../infra/ingest/pipeline.js';
import { createValidator } from '../../infra/ingest/validator.js';
import { openSqliteRejectionStore } from '../../infra/rejections/sqliteRejectionStore.js';
import { TEST_CITY } from '../e2e/fixtures.js';
import { differencesFromRebuild, dropRedisPrefix, dropSchema, isolation, leasesPerPid, projectionLeaseHolders } from './distributedSupport.js';
import { databaseUrl, kafkaBrokers, probeKafka, probePostgres, probeRedis, redisUrl, requireEngine } from './engines.js';
import {
  AGENCIES,
  caseScript,
  cleanUpKafka,
  cloudEvent,
  connectedProducer,
  produceWorkload,
  runId,
  startLiandongProcess,
  stopLiandongProcess,
  structured,
  tempDir,
  testKafka,
  waitFor,
  workload,
  writeCityConfig,
  type LiandongProcess,
} from './kafkaSupport.js';

const CASES_PER_AGENCY = 100; // × 4 publishing agencies × 5 events = 2,000 events
const LEASE_TTL_MS = 3000;
const AUDITOR = 'test-auditor-token';
const ORGANIZER = 'test-organizer-token';

describe('distributed mode: two ingest replicas, two projectors and two gateways as separate processes (real Kafka, PostgreSQL, Redis)', function () {
  this.timeout(240_000);
  before(requireEngine('kafka', probeKafka));
  before(requireEngine('postgres', probePostgres));
  before(requireEngine('redis', probeRedis));

  const run = runId();
  const prefix = `liandong-int.${run}.dist.`;
  const groupId = `liandong-int-dist-${run}`;
  const { keyPrefix, schema } = isolation('dist');
  const load = workload(CASES_PER_AGENCY);
  const cases = CASES_PER_AGENCY * 4;
  const processes: LiandongProcess[] = [];
  let env: Record<string, string>;
  let admin: Admin;
  let producer: Producer;
  let events: EventStore;
  let observer: ReadModelStore;
  let gateways: string[] = [];
  let projectors: LiandongProcess[] = [];
  let ingests: LiandongProcess[] = [];
  /** the HTTP-published case and the mutation's meeting, added in (c) */
  let extraCases = 0;

  const start = async (command: 'ingest' | 'project' | 'gateway'): Promise<LiandongProcess> => {
    const p = await startLiandongProcess({ args: [command], env, ready: '已就绪' });
    processes.push(p);
    return p;
  };
  const urlOf = (p: LiandongProcess, suffix: '/graphql' | '/healthz'): string => {
    const match = new RegExp(`(http://127\\.0\\.0\\.1:\\d+)${suffix}`).exec(p.output());
    if (!match) throw new Error(`no URL in the banner:\n${p.output()}`);
    return match[1]!;
  };
  const pidOf = (p: LiandongProcess): number => p.child.pid!;
  const total = async (gateway: string, field: string): Promise<number | undefined> => {
    const { json } = await gql(gateway, AUDITOR, `{ ${field} { totalCount } }`);
    return json?.data?.[field.split('(')[0]!]?.totalCount as number | undefined;
  };
  const metric = async (base: string, name: string): Promise<number> => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const escaped = name.replace(/[{}"]/g, (c) => `\\${c}`);
    return Number(new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text)?.[1]);
  };

  let dir: string | undefined;

  before(async function () {
    dir = tempDir('ld-dist-');
    env = {
      LIANDONG_CONFIG: writeCityConfig(dir),
      LIANDONG_DATA_DIR: join(dir, 'data'),
      LIANDONG_PORT: '0',
      DATABASE_URL: databaseUrl(),
      DATABASE_SCHEMA: schema,
      REDIS_URL: redisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
      LIANDONG_LEASE_TTL_MS: String(LEASE_TTL_MS),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: groupId,
      KAFKA_SESSION_TIMEOUT_MS: '10000',
    };
    const kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    producer = await connectedProducer(kafka);

    const startedAt = Date.now();
    // the ingest migrates the PostgreSQL schema; the others open it after
    const i1 = await start('ingest');
    const [i2, p1, p2, g1, g2] = await Promise.all([start('ingest'), start('project'), start('project'), start('gateway'), start('gateway')]);
    ingests = [i1, i2!];
    projectors = [p1!, p2!];
    gateways = [urlOf(g1!, '/graphql'), urlOf(g2!, '/graphql')];
    console.log(`      six processes ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    events = await openPostgresEventStore({ connectionString: databaseUrl(), schema, clock: systemClock });
    observer = await openRedisReadModelStore({ url: redisUrl(), keyPrefix });
  });

  after(async function () {
    for (const p of processes) await stopLiandongProcess(p, 'SIGKILL');
    await producer?.disconnect().catch(() => undefined);
    if (admin) {
      await cleanUpKafka(admin, prefix, [groupId]);
      await admin.disconnect();
    }
    await observer?.close();
    await events?.close();
    await dropRedisPrefix(keyPrefix);
    await dropSchema(schema);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('(a) events produced to Kafka appear in the GraphQL answers of the gateway; a rejected one in its rejections', async function () {
    const producedAt = Date.now();
    // the registrations of every case (step 0 of each script comes first on every topic)
    await produceWorkload(producer, prefix, load, { to: CASES_PER_AGENCY });
    // one event claiming another agency's source, on the court's topic: rejected by ingest, kept in PostgreSQL
    await producer.send({
      topic: agencyTopic(prefix, 'xj-court'),
      acks: -1,
      messages: [structured(cloudEvent('xj-police', 'forged-1', 'case.registered', 'FORGED-1', '2024-09-10T01:00:00+00:00', { kind: 'criminal', title: '冒名' }))],
    });
    await waitFor('every registration visible through GraphQL', 60_000, async () => ((await total(gateways[0]!, 'cases(first: 1)')) === cases ? true : undefined), 100);
    const visibleAfter = Date.now() - producedAt;
    const { json } = await gql(gateways[0]!, AUDITOR, '{ rejections(first: 5) { totalCount nodes { code eventId channel } } }');
    expect(json?.data?.rejections).to.deep.equal({ totalCount: 1, nodes: [{ code: 'unauthorized', eventId: 'forged-1', channel: 'kafka' }] });
    console.log(`      ${cases} registrations produced to Kafka → visible through the gateway in ${visibleAfter} ms`);
  });

  it('(c) two gateway replicas answer the same, and what one writes the other reads at once', async function () {
    const queries = [
      '{ cases(first: 50) { totalCount nodes { id title status registeredBy { id } deadlines { name dueDate } } pageInfo { endCursor hasNextPage } } }',
      '{ cases(agency: "xj-proc", first: 5) { totalCount nodes { id } } }',
      '{ handoffs(first: 20) { totalCount nodes { id caseId status dueDate overdue } } }',
      '{ rejections(first: 5) { totalCount nodes { id code raw } } }',
      '{ scorecard(quarter: "2024Q3") { agency { id } handoffsReceived handoffsOverdue } }',
      '{ history(stream: "case-XJ-COURT-7", first: 10) { totalCount nodes { position type revision } } }',
    ];
    for (const query of queries) {
      const [one, two] = await Promise.all([gql(gateways[0]!, AUDITOR, query), gql(gateways[1]!, AUDITOR, query)]);
      expect(one.json?.errors, query).to.equal(undefined);
      expect(two.json, query).to.deep.equal(one.json);
    }
    // every replica also serves the web console (static files built at install)
    for (const graphql of gateways) {
      const page = await fetch(graphql.replace(/\/graphql$/, '/'));
      expect([page.status, page.headers.get('content-type')?.startsWith('text/html')]).to.deep.equal([200, true]);
    }

    // a mutation through gateway 2 answers after the projector applied it, so gateway 1 sees it at once
    const scheduled = await gql(
      gateways[1]!,
      ORGANIZER,
      'mutation { scheduleMeeting(input: { title: "分布式联动推进会", scheduledAt: "2024-09-20T02:00:00Z", participants: ["xj-court", "xj-gov"] }) { id status } }',
    );
    const meetingId = scheduled.json?.data?.scheduleMeeting?.id as string;
    expect(meetingId, JSON.stringify(scheduled.json)).to.be.a('string');
    const seen = await gql(gateways[0]!, ORGANIZER, `{ meeting(id: "${meetingId}") { title status participants { id } } }`);
    expect(seen.json?.data?.meeting).to.deep.equal({ title: '分布式联动推进会', status: 'SCHEDULED', participants: [{ id: 'xj-court' }, { id: 'xj-gov' }] });

    // HTTP ingest through gateway 1 (into the shared store), read through gateway 2 at once
    const event = cloudEvent('xj-market', 'http-1', 'case.registered', 'MARKET-HTTP-1', '2024-09-11T01:00:00+00:00', {
      kind: 'civil_dispute',
      title: '食品买卖合同纠纷',
      parties: [{ name: '某食品有限公司', role: 'plaintiff', type: 'private_enterprise' }],
    });
    const posted = await publish(gateways[0]!, 'test-market-token', event, 'application/cloudevents+json');
    expect(posted.json?.results?.[0]?.status, JSON.stringify(posted.json)).to.equal('accepted');
    extraCases = 1;
    const read = await gql(gateways[1]!, AUDITOR, '{ case(id: "MARKET-HTTP-1") { id title registeredBy { id } } }');
    expect(read.json?.data?.case).to.deep.equal({ id: 'MARKET-HTTP-1', title: '食品买卖合同纠纷', registeredBy: { id: 'xj-market' } });
    // search (issue 17): fed into PostgreSQL (pg_trgm) by the projector, read by the other gateway; a party's name,
    // two characters of the title; a viewer of an agency not involved finds nothing of it
    const search = async (token: string, text: string): Promise<string[]> => {
      const found = await gql(gateways[1]!, token, 'query($t: String!) { search(text: $t, first: 500) { nodes { id } } }', { t: text });
      expect(found.json?.errors, JSON.stringify(found.json?.errors)).to.equal(undefined);
      return (found.json!.data as { search: { nodes: { id: string }[] } }).search.nodes.map((n) => n.id);
    };
    expect(await search(AUDITOR, '某食品有限公司')).to.include('MARKET-HTTP-1');
    expect(await search(AUDITOR, '买卖')).to.include('MARKET-HTTP-1');
    expect(await search('test-market-token', '买卖')).to.include('MARKET-HTTP-1');
    expect(await search('test-police-token', '买卖')).not.to.include('MARKET-HTTP-1');
  });

  it('(b) two projectors share the projections (one lease each); SIGKILL the holder of cases mid-stream and the other takes over, the read models staying exact', async function () {
    const pids = projectors.map(pidOf);
    const holders = await waitFor('both projectors to share every projection', 20_000, async () => {
      const now = await projectionLeaseHolders(keyPrefix);
      const counts = leasesPerPid(now, pids);
      return [...now.values()].every((pid) => pid !== null && pids.includes(pid)) && Math.min(...counts) >= 1 ? now : undefined;
    }, 20);
    const owner = projectors.find((p) => pidOf(p) === holders.get('cases'))!;
    const standby = projectors.find((p) => p !== owner)!;
    expect(owner.output()).to.include('已取得投影租约');
    expect(standby.output()).to.include('已取得投影租约');
    expect(await metric(urlOf(owner, '/healthz'), 'liandong_projection_lease_owner{projection="cases"}')).to.equal(1);
    expect(await metric(urlOf(standby, '/healthz'), 'liandong_projection_lease_owner{projection="cases"}')).to.equal(0);

    // the rest of every case script, produced slowly so the owner dies in the middle of the stream
    const headBefore = (await events.headPosition())!;
    const producing = produceWorkload(producer, prefix, load, { from: CASES_PER_AGENCY, batch: 25, pauseMs: 60 });
    await waitFor('the owner applying the second phase', 60_000, async () => {
      const checkpoint = await observer.checkpoint('cases');
      return checkpoint !== null && checkpoint > headBefore + 300n ? true : undefined;
    }, 20);
    const killedAt = Date.now();
    const atKill = await observer.checkpoint('cases');
    // an ingest replica dies at the same moment: the group gives its partitions to the other after the session timeout
    await Promise.all([stopLiandongProcess(owner, 'SIGKILL'), stopLiandongProcess(ingests[1]!, 'SIGKILL')]);
    await waitFor('the other projector to take every lease', 20_000, async () => {
      const now = await projectionLeaseHolders(keyPrefix);
      return [...now.values()].every((pid) => pid === pidOf(standby)) ? true : undefined;
    }, 20);
    const failoverMs = Date.now() - killedAt;
    expect(failoverMs, 'within the TTL plus the acquire interval and start-up slack').to.be.lessThan(LEASE_TTL_MS + 2500);
    await producing;

    // totals through both gateways: every case, both handoffs of each, the withdrawn first ones, all closed
    const expected = {
      'cases(first: 1)': cases + extraCases,
      'cases(status: "CLOSED", first: 1)': cases,
      'handoffs(first: 1)': 2 * cases,
      'handoffs(status: WITHDRAWN, first: 1)': cases,
    };
    for (const gateway of gateways) {
      await waitFor(`every event applied, seen through ${gateway}`, 90_000, async () => {
        for (const [field, count] of Object.entries(expected)) if ((await total(gateway, field)) !== count) return undefined;
        return true;
      }, 200);
    }
    const head = (await events.headPosition())!;
    for (const projection of allProjections()) expect(await observer.checkpoint(projection.name)).to.equal(head);
    // caught up: the new owner and both gateways report ready, with no events outstanding
    for (const base of [urlOf(standby, '/healthz'), ...gateways]) {
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status, `${base}: ${await ready.clone().text()}`).to.equal(200);
      expect(await metric(base, 'liandong_projection_lag_events')).to.equal(0);
      // a gateway reports the lag in its body (issue 18); its readiness does not depend on it
      if (gateways.includes(base)) expect(((await ready.json()) as { projectionLag?: number }).projectionLag).to.equal(0);
    }
    expect(await differencesFromRebuild(events, observer)).to.deep.equal([]);
    const stored = await events.readAll({ maxCount: 100_000 });
    expect(stored.filter((e) => e.metadata.channel === 'kafka')).to.have.length(load.total);
    console.log(
      `      holder of cases SIGKILLed with the cases checkpoint at ${atKill}; the other owned every projection lease ${failoverMs} ms later (TTL ${LEASE_TTL_MS} ms); ` +
        `${head} events, read models identical to an embedded rebuild`,
    );
  });

  it('a projector that joins gets its share; SIGTERM of the other releases its leases at once; every process exits 0', async function () {
    const owner = projectors.find((p) => p.child.exitCode === null && p.child.signalCode === null)!;
    const fresh = await start('project');
    await waitFor('the new projector to get its share', 20_000, async () => {
      const counts = leasesPerPid(await projectionLeaseHolders(keyPrefix), [pidOf(owner), pidOf(fresh)]);
      return Math.min(...counts) >= 1 ? true : undefined;
    }, 20);
    const stoppedAt = Date.now();
    expect(await stopLiandongProcess(owner, 'SIGTERM')).to.equal(0);
    await waitFor('the new projector to take the released leases', 10_000, async () => {
      const now = await projectionLeaseHolders(keyPrefix);
      return [...now.values()].every((pid) => pid === pidOf(fresh)) ? true : undefined;
    }, 20);
    const handoverMs = Date.now() - stoppedAt;
    expect(handoverMs, 'released, not expired').to.be.lessThan(LEASE_TTL_MS);
    expect(owner.output()).to.include('已停止。');

    for (const p of processes) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
      expect(await stopLiandongProcess(p, 'SIGTERM'), p.output().slice(-800)).to.equal(0);
    }
    console.log(`      SIGTERM of a projector → the other owned every projection lease ${handoverMs} ms later`);
  });
});

/**
 * One lease per projection (issue 14): two `liandong project` processes over the real PostgreSQL event store and
 * Redis (no Kafka: events are appended through the ingest pipeline) split the projections between them; SIGKILL
 * one while events arrive, and the other takes each of its projections over within about the lease TTL, with the
 * read models ending identical to a single-process embedded rebuild of the same events (so nothing was applied
 * twice or lost). Then a third process joins and gets its share handed over.
 */
describe('distributed mode: two projector processes share the projections, one lease each (real PostgreSQL, Redis)', function () {
  this.timeout(180_000);
  before(requireEngine('postgres', probePostgres));
  before(requireEngine('redis', probeRedis));

  const TTL_MS = 2000;
  const { keyPrefix, schema } = isolation('share');
  const processes: LiandongProcess[] = [];
  let dir: string | undefined;
  let env: Record<string, string>;
  let store: EventStore;
  let observer: ReadModelStore;
  const names = allProjections().map((p) => p.name);

  const start = async (): Promise<LiandongProcess> => {
    const p = await startLiandongProcess({ args: ['project'], env, ready: '已就绪' });
    processes.push(p);
    return p;
  };
  const pidOf = (p: LiandongProcess): number => p.child.pid!;
  const healthzOf = (p: LiandongProcess): string => {
    const match = /(http:\/\/127\.0\.0\.1:\d+)\/healthz/.exec(p.output());
    if (!match) throw new Error(`no URL in the banner:\n${p.output()}`);
    return match[1]!;
  };
  /** the lease owner gauge of each projection, as the process reports it */
  const ownerGauges = async (p: LiandongProcess): Promise<Map<string, number>> => {
    const text = await (await fetch(`${healthzOf(p)}/metrics`)).text();
    return new Map(names.map((name) => [name, Number(new RegExp(`^liandong_projection_lease_owner\\{projection="${name}"\\} (\\S+)$`, 'm').exec(text)?.[1])]));
  };

  const ingest = () =>
    createIngestPipeline({
      store,
      rejections: openSqliteRejectionStore({ path: ':memory:' }),
      validator: createValidator(),
      agencies: AGENCIES,
      copyNoticeRecipients: TEST_CITY.copyNoticeRecipients,
      clock: systemClock,
    });
  /** case scripts of the court (five events each), `pauseMs` between cases; the head afterwards */
  async function publishCases(from: number, count: number, pauseMs = 0): Promise<bigint> {
    const pipeline = ingest();
    const agency = AGENCIES.get('xj-court')!;
    for (let n = from; n < from + count; n++) {
      const results = await pipeline.ingest(
        caseScript('xj-court', 'xj-justice', n).map((event) => ({ value: event, raw: JSON.stringify(event) })),
        { agency, principal: 'court-system', channel: 'http' },
      );
      expect(results.every((r) => r.status === 'accepted'), JSON.stringify(results)).to.equal(true);
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return (await store.headPosition())!;
  }
  const caughtUpTo = (position: bigint) =>
    waitFor(`every projection at ${position}`, 60_000, async () => {
      const checkpoints = await Promise.all(names.map((name) => observer.checkpoint(name)));
      return checkpoints.every((c) => c !== null && c >= position) ? true : undefined;
    }, 50);
  /** waits until every lease is held by one of `pids` and the counts differ by at most one; the holders */
  const settledAmong = (what: string, pids: readonly number[], timeoutMs: number) =>
    waitFor(what, timeoutMs, async () => {
      const holders = await projectionLeaseHolders(keyPrefix);
      if (![...holders.values()].every((pid) => pid !== null && pids.includes(pid))) return undefined;
      const counts = leasesPerPid(holders, pids);
      return Math.max(...counts) - Math.min(...counts) <= 1 ? holders : undefined;
    }, 20);

  before(async function () {
    dir = tempDir('ld-share-');
    env = {
      LIANDONG_CONFIG: writeCityConfig(dir),
      DATABASE_URL: databaseUrl(),
      DATABASE_SCHEMA: schema,
      REDIS_URL: redisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
      LIANDONG_LEASE_TTL_MS: String(TTL_MS),
    };
    store = await openPostgresEventStore({ connectionString: databaseUrl(), schema, clock: systemClock });
    observer = await openRedisReadModelStore({ url: redisUrl(), keyPrefix });
  });
  after(async function () {
    for (const p of processes) await stopLiandongProcess(p, 'SIGKILL');
    await observer?.close();
    await store?.close();
    await dropRedisPrefix(keyPrefix);
    await dropSchema(schema);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('split the projections; SIGKILL one mid-stream and the other takes each of its projections over within the TTL, exactly', async function () {
    expect(names.length, 'needs at least two projections to share').to.be.at.least(2);
    await publishCases(0, 40);
    const [a, b] = await Promise.all([start(), start()]);
    const holders = await settledAmong('the two processes to share every projection', [pidOf(a!), pidOf(b!)], 20_000);
    const counts = leasesPerPid(holders, [pidOf(a!), pidOf(b!)]);
    expect(Math.min(...counts), `each holds some: ${JSON.stringify([...holders])}`).to.be.at.least(1);
    // each process reports, per projection, exactly the leases Redis says it holds
    for (const p of [a!, b!]) {
      const gauges = await ownerGauges(p);
      for (const name of names) expect(gauges.get(name), `${name} on pid ${pidOf(p)}`).to.equal(holders.get(name) === pidOf(p) ? 1 : 0);
    }
    await caughtUpTo((await store.headPosition())!);

    // events keep arriving while the process holding the most projections dies
    const victim = counts[0]! >= counts[1]! ? a! : b!;
    const survivor = victim === a ? b! : a!;
    const victims = names.filter((name) => holders.get(name) === pidOf(victim));
    const publishing = publishCases(40, 60, 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killedAt = Date.now();
    await stopLiandongProcess(victim, 'SIGKILL');
    const takenOver = new Map<string, number>();
    await waitFor('the survivor to hold every projection', 20_000, async () => {
      const now = await projectionLeaseHolders(keyPrefix);
      for (const name of victims) if (now.get(name) === pidOf(survivor) && !takenOver.has(name)) takenOver.set(name, Date.now() - killedAt);
      return names.every((name) => now.get(name) === pidOf(survivor)) ? true : undefined;
    }, 20);
    // each projection fails over on its own once its lease expires (the dead process leaves the roster at the same
    // time): within the TTL plus a heartbeat and an acquire interval
    for (const [name, ms] of takenOver) expect(ms, `${name} taken over`).to.be.lessThan(TTL_MS + 2500);
    const head = await publishing;
    await caughtUpTo(head);
    for (const name of names) expect(await observer.checkpoint(name)).to.equal(head);
    expect(await differencesFromRebuild(store, observer)).to.deep.equal([]);
    const ready = await fetch(`${healthzOf(survivor)}/readyz`);
    expect(ready.status, await ready.clone().text()).to.equal(200);
    console.log(
      `      ${names.length} projections split ${counts.join('/')}; SIGKILL of the holder of ${victims.join('、')} → taken over after ` +
        `${[...takenOver].map(([name, ms]) => `${name} ${ms} ms`).join(', ')} (TTL ${TTL_MS} ms); ${head} events, identical to an embedded rebuild`,
    );
  });

  it('a process that joins gets its share handed over; SIGTERM releases at once; every process exits 0', async function () {
    const survivor = processes.find((p) => p.child.exitCode === null && p.child.signalCode === null)!;
    const joined = await start();
    const joinedAt = Date.now();
    await settledAmong('the holder of everything to hand the newcomer its share', [pidOf(survivor), pidOf(joined)], 20_000);
    const handedOverMs = Date.now() - joinedAt;
    expect(survivor.output()).to.include('让出投影租约');
    const head = await publishCases(100, 5);
    await caughtUpTo(head);

    const stoppedAt = Date.now();
    expect(await stopLiandongProcess(survivor, 'SIGTERM'), survivor.output().slice(-800)).to.equal(0);
    await settledAmong('the remaining process to take the released leases', [pidOf(joined)], 10_000);
    const releasedMs = Date.now() - stoppedAt;
    expect(releasedMs, 'released, not expired').to.be.lessThan(TTL_MS);
    expect(await differencesFromRebuild(store, observer)).to.deep.equal([]);
    expect(await stopLiandongProcess(joined, 'SIGTERM'), joined.output().slice(-800)).to.equal(0);
    console.log(`      a newcomer got its share ${handedOverMs} ms after it was ready; after SIGTERM of the other it held everything ${releasedMs} ms later`);
  });
});
