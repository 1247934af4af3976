/**
 * Live updates in distributed mode (issue 17): `liandong project` and `liandong gateway` as separate processes over
 * PostgreSQL and Redis. A subscriber on the gateway hears of the clock an agency's receipt starts — published over
 * the gateway's HTTP ingest, projected by the other process, announced through Redis (docs/decisions.md "Live updates")
 * — and a gateway stopped with SIGTERM while a subscription is open exits 0 (the socket does not hold it open).
 */
import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { systemClock } from '../../infra/clock.js';
import { openPostgresEventStore } from '../../infra/eventStore/postgresEventStore.js';
import type { EventStore } from '../../ports/eventStore.js';
import { publish } from '../e2e/harness.js';
import { dropRedisPrefix, dropSchema, isolation } from './distributedSupport.js';
import { databaseUrl, probePostgres, probeRedis, redisUrl, requireEngine } from './engines.js';
import { cloudEvent, startLiandongProcess, stopLiandongProcess, tempDir, writeCityConfig, type LiandongProcess } from './kafkaSupport.js';

const PROC = 'test-proc-token';
const MARKET = 'test-market-token';

describe('distributed mode: subscriptions on a gateway hear what a separate projector commits (real PostgreSQL, Redis)', function () {
  this.timeout(120_000);
  before(requireEngine('postgres', probePostgres));
  before(requireEngine('redis', probeRedis));

  const { keyPrefix, schema } = isolation('live');
  const processes: LiandongProcess[] = [];
  let dir: string | undefined;
  let store: EventStore | undefined;
  let client: Client | undefined;
  let gateway: LiandongProcess;
  let base = '';
  let n = 0;

  before(async () => {
    dir = tempDir('ld-live-dist-');
    const env = { LIANDONG_CONFIG: writeCityConfig(dir), DATABASE_URL: databaseUrl(), DATABASE_SCHEMA: schema, REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: keyPrefix };
    store = await openPostgresEventStore({ connectionString: databaseUrl(), schema, clock: systemClock }); // creates the schema
    for (const command of ['project', 'gateway'] as const) processes.push(await startLiandongProcess({ args: [command], env, ready: '已就绪' }));
    gateway = processes[1]!;
    base = /(http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(gateway.output())![1]!;
  });
  after(async () => {
    await client?.dispose();
    for (const p of processes) await stopLiandongProcess(p, 'SIGKILL');
    await store?.close();
    await dropRedisPrefix(keyPrefix);
    await dropSchema(schema);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const recently = (): string => new Date(Date.now() - 60_000).toISOString();
  async function send(token: string, events: ReturnType<typeof cloudEvent>[]): Promise<void> {
    const r = await publish(base, token, events);
    expect(r.status, JSON.stringify(r.json)).to.equal(200);
    for (const result of r.json!.results!) expect(result.status, `${result.id}: ${result.message ?? ''}`).to.equal('accepted');
  }
  /** 检察院 hands a new case to 市场监管局, which signs for it: the market's clock starts */
  async function handoffToMarket(caseId: string): Promise<void> {
    await send(PROC, [
      cloudEvent('xj-proc', `live-${++n}`, 'case.registered', caseId, recently(), { kind: 'criminal', title: `分布式订阅 ${caseId}`, parties: [{ name: '张某', role: 'suspect', type: 'person' }] }),
      cloudEvent('xj-proc', `live-${++n}`, 'handoff.requested', caseId, recently(), { handoffId: 'h', to: 'xj-market', purpose: 'information_notice' }),
    ]);
    await send(MARKET, [cloudEvent('xj-market', `live-${++n}`, 'handoff.received', caseId, recently(), { handoffId: 'h' })]);
  }

  it('a market viewer subscribed on the gateway hears of the clock the projector commits; SIGTERM closes the gateway with its subscription open', async () => {
    client = createClient({ url: `${base.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${MARKET}` }, retryAttempts: 0 });
    const heard: { case: { id: string } | null; owner: { id: string } }[] = [];
    let failure: unknown = null;
    let wake: () => void = () => undefined;
    client.subscribe<{ clockChanged: (typeof heard)[number] }>(
      { query: 'subscription { clockChanged(agency: "xj-market") { id owner { id } case { id } } }' },
      { next: (r) => (r.data ? heard.push(r.data.clockChanged) : (failure = r.errors), wake()), error: (e) => ((failure = e), wake()), complete: () => undefined },
    );
    const heardOf = (caseId: string, ms: number) =>
      new Promise<boolean>((resolve) => {
        const check = () => (failure !== null || heard.some((m) => m.case?.id === caseId) ? (clearTimeout(timer), resolve(heard.some((m) => m.case?.id === caseId))) : undefined);
        const timer = setTimeout(() => resolve(false), ms);
        wake = check;
        check();
      });
    // the subscribe message is not acknowledged: each case is a new one until the first is heard of (at most 10)
    let live = false;
    for (let attempt = 1; !live && attempt <= 10; attempt++) {
      const caseId = `D${attempt}`;
      await handoffToMarket(caseId);
      live = await heardOf(caseId, 5_000);
    }
    expect(failure).to.equal(null);
    expect(live, 'a clock committed by the projector reached the gateway subscriber').to.equal(true);
    for (const m of heard) expect(m.owner.id).to.equal('xj-market');

    const code = await stopLiandongProcess(gateway, 'SIGTERM');
    expect(code, gateway.output().slice(-2000)).to.equal(0);
  });
});
