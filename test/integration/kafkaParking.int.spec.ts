/**
 * events.md §5 `parked` on the real broker with the real `liandong ingest` and PostgreSQL (issue 18): the justice
 * bureau's receipts reach Kafka before the court's handoffs (its topic is read while the court's is not yet
 * written), with the ingest stopped and started again in between, and its replica SIGKILLed while the receipts
 * are parked. Every event ends accepted, none rejected, each receipt stored after its handoff.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import type { Admin, Producer } from 'kafkajs';
import { agencyTopic } from '../../infra/kafka/topics.js';
import { databaseUrl, probeKafka, probePostgres, requireEngine } from './engines.js';
import {
  cleanUpKafka,
  cloudEvent,
  connectedProducer,
  httpUrlOf,
  postgresProbe,
  runId,
  startIngestProcess,
  stopLiandongProcess,
  structured,
  tempDir,
  testKafka,
  waitFor,
  writeCityConfig,
  type LiandongProcess,
  type StoreProbe,
} from './kafkaSupport.js';

const CASES = 40;
const CHILD_ENV = { KAFKA_CHUNK_SIZE: '10', KAFKA_SESSION_TIMEOUT_MS: '10000' };
const at = (minute: number): string => new Date(Date.UTC(2024, 8, 10, 1, minute)).toISOString().replace('Z', '+00:00');
const subjectOf = (n: number): string => `PK-${n}`;
const registration = (n: number) =>
  cloudEvent('xj-court', `${subjectOf(n)}-reg`, 'case.registered', subjectOf(n), at(0), { kind: 'civil_dispute', title: `相邻关系纠纷 ${n}`, parties: [{ name: '甲', role: 'plaintiff', type: 'person' }] });
const handoff = (n: number) => cloudEvent('xj-court', `${subjectOf(n)}-req`, 'handoff.requested', subjectOf(n), at(1), { handoffId: 'H1', to: 'xj-justice', purpose: 'entrusted_mediation' });
const receipt = (n: number) => cloudEvent('xj-justice', `${subjectOf(n)}-rcv`, 'handoff.received', subjectOf(n), at(2), { handoffId: 'H1' });
const acceptance = (n: number) => cloudEvent('xj-justice', `${subjectOf(n)}-acc`, 'handoff.accepted', subjectOf(n), at(3), { handoffId: 'H1' });

describe('parking on the real broker (liandong ingest, PostgreSQL): receivers before senders end accepted', function () {
  this.timeout(300_000);
  before(requireEngine('kafka', probeKafka));
  before(requireEngine('postgres', probePostgres));

  const run = runId();
  const prefix = `liandong-int.${run}.parking.`;
  const groupId = `liandong-int-parking-${run}`;
  const schema = `kafka_parking_${run}`;
  const processes: LiandongProcess[] = [];
  let admin: Admin;
  let producer: Producer;
  let store: StoreProbe;
  let db: pg.Client;

  before(async () => {
    const kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    producer = await connectedProducer(kafka);
    db = new pg.Client({ connectionString: databaseUrl() });
    await db.connect();
  });
  after(async () => {
    for (const p of processes) await stopLiandongProcess(p, 'SIGKILL');
    await store?.dispose();
    await db?.end();
    await producer?.disconnect().catch(() => undefined);
    if (admin) {
      await cleanUpKafka(admin, prefix, [groupId]);
      await admin.disconnect();
    }
  });

  const parkedCount = async (): Promise<number> => {
    try {
      return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".parked_events`)).rows[0]!.n;
    } catch {
      return 0; // not migrated yet
    }
  };
  const send = (agency: string, events: ReturnType<typeof cloudEvent>[]) => producer.send({ topic: agencyTopic(prefix, agency), acks: -1, messages: events.map(structured) });

  it('receipts published before their handoffs (and cases) are parked, outlive a SIGKILL, and are stored in order once the court publishes', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    store = await postgresProbe(schema, dataDir);
    const config = writeCityConfig(dir);
    const start = async () => {
      const p = await startIngestProcess({ config, dataDir, prefix, groupId, env: { ...CHILD_ENV, ...store.env } });
      processes.push(p);
      return p;
    };
    const even = Array.from({ length: CASES / 2 }, (_, i) => 2 * i);
    const all = Array.from({ length: CASES }, (_, i) => i);

    // the court registers the even cases; the ingest stores them, then stops (the topics stay)
    const first = await start();
    await send('xj-court', even.map(registration));
    await waitFor('the even registrations stored', 60_000, async () => ((await store.count()) >= even.length ? true : undefined), 100);
    expect(await stopLiandongProcess(first, 'SIGTERM')).to.equal(0);

    // while no ingest runs, the bureau's receipts and acceptances arrive for every case: for the even ones the
    // handoff is missing, for the odd ones the case itself
    await send('xj-justice', all.flatMap((n) => [receipt(n), acceptance(n)]));
    const second = await start();
    await waitFor('every receipt and acceptance parked', 60_000, async () => ((await parkedCount()) >= 2 * CASES ? true : undefined), 100);
    const metrics = await (await fetch(`${httpUrlOf(second)}/metrics`)).text();
    expect(Number(/^liandong_parked_events (\d+)$/m.exec(metrics)?.[1])).to.equal(2 * CASES);
    expect(Number(/^liandong_ingested_events_total\{channel="kafka",status="parked"\} (\d+)$/m.exec(metrics)?.[1])).to.equal(2 * CASES);
    expect(await store.count()).to.equal(even.length);

    // the replica holding them dies; what it parked is in PostgreSQL, its offsets committed
    await stopLiandongProcess(second, 'SIGKILL');
    expect(await parkedCount()).to.equal(2 * CASES);

    // the court publishes the rest; a new replica stores it and the parked events follow
    await send('xj-court', all.flatMap((n) => (n % 2 === 0 ? [handoff(n)] : [registration(n), handoff(n)])));
    await start();
    const total = even.length + (CASES - even.length) + CASES + 2 * CASES; // registrations, handoffs, receipts + acceptances
    await waitFor('every event stored', 120_000, async () => ((await store.count()) >= total ? true : undefined), 100).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}: ${await store.count()} of ${total} stored, ${await parkedCount()} parked, rejected ${JSON.stringify((await db.query(`SELECT code, detail->>'eventId' AS id, detail->>'message' AS message FROM "${schema}".rejections`)).rows)}; the replica said:\n${processes.at(-1)!.output().slice(-3000)}`);
    });
    await waitFor('the lot empty', 10_000, async () => ((await parkedCount()) === 0 ? true : undefined), 100);

    const { facts, total: stored, rejections } = await store.read();
    expect(rejections).to.deep.equal([]);
    expect(stored).to.equal(total);
    for (const n of all) {
      const order = facts.filter((f) => f.stream === `case-${subjectOf(n)}`).map((f) => f.eventId.slice(subjectOf(n).length + 1));
      expect(order, subjectOf(n)).to.deep.equal(['reg', 'req', 'rcv', 'acc']);
    }
  });
});
