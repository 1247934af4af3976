/**
 * The real `liandong ingest` process against the real broker: killed with SIGKILL mid-stream and
 * restarted, and joined by a second replica that later leaves (a rebalance under load). Either way every
 * published event is stored exactly once, in per-case order (count stored vs published, compare keys).
 * Run on both stores the ingest process can use: SQLite (LIANDONG_DATA_DIR) and PostgreSQL (DATABASE_URL).
 */
import { join } from 'node:path';
import { expect } from 'chai';
import type { Admin, Producer } from 'kafkajs';
import { probeKafka, probePostgres, requireEngine } from './engines.js';
import {
  cleanUpKafka,
  connectedProducer,
  exactlyOnceProblems,
  httpUrlOf,
  kafkaIngested,
  postgresProbe,
  produceWorkload,
  runId,
  sqliteProbe,
  startIngestProcess,
  stopLiandongProcess,
  tempDir,
  testKafka,
  waitFor,
  workload,
  writeCityConfig,
  type LiandongProcess,
  type StoreProbe,
} from './kafkaSupport.js';

const CASES_PER_AGENCY = 300; // × 5 events × 4 agencies = 6,000
/**
 * Small chunks: many commits and many transactions, so the kill lands between and inside them. A short
 * session timeout: the restarted process gets the partitions once the killed member is given up on.
 */
const CHILD_ENV = { KAFKA_CHUNK_SIZE: '50', KAFKA_SESSION_TIMEOUT_MS: '10000' };

/** `本次运行共处理：接收 X，重复 Y，退回 Z` from a stopped process */
const finalCounts = (p: LiandongProcess) => {
  const m = /接收 (\d+)，重复 (\d+)，退回 (\d+)("\})?\s*$/.exec(p.output().trim()); // a line at a terminal, a JSON record's msg otherwise
  return m ? { accepted: Number(m[1]), duplicate: Number(m[2]), rejected: Number(m[3]) } : null;
};

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`liandong ingest on ${engine} (real broker, child processes): crash and rebalance safety`, function () {
    this.timeout(300_000);
    before(requireEngine('kafka', probeKafka));
    if (engine === 'postgres') before(requireEngine('postgres', probePostgres));

    const run = runId();
    const processes: LiandongProcess[] = [];
    const probes: StoreProbe[] = [];
    const groups: string[] = [];
    let admin: Admin;
    let producer: Producer;

    before(async function () {
      const kafka = testKafka();
      admin = kafka.admin();
      await admin.connect();
      producer = await connectedProducer(kafka);
    });

    after(async function () {
      for (const p of processes) await stopLiandongProcess(p, 'SIGKILL');
      for (const p of probes) await p.dispose();
      await producer?.disconnect().catch(() => undefined);
      if (admin) {
        await cleanUpKafka(admin, `liandong-int.${run}.`, groups);
        await admin.disconnect();
      }
    });

    async function setUp(name: string) {
      const prefix = `liandong-int.${run}.${name}.`;
      const groupId = `liandong-int-${name}-${run}`;
      groups.push(groupId);
      const dir = tempDir();
      const dataDir = join(dir, 'data');
      const store = engine === 'sqlite' ? sqliteProbe(dataDir) : await postgresProbe(`kafka_${name}_${run}`, dataDir);
      probes.push(store);
      const options = { config: writeCityConfig(dir), dataDir, prefix, groupId };
      const start = async (env: Record<string, string> = CHILD_ENV) => {
        const p = await startIngestProcess({ ...options, env: { ...env, ...store.env } });
        processes.push(p);
        return p;
      };
      return { prefix, store, start, groupId };
    }

    async function expectExactlyOnce(store: StoreProbe, load: ReturnType<typeof workload>) {
      const { facts, total, rejections } = await store.read();
      expect(rejections).to.deep.equal([]);
      expect(total).to.equal(load.total);
      expect(exactlyOnceProblems(facts, load)).to.deep.equal([]);
    }

    it('kill -9 in the middle of the stream, restart: nothing lost, nothing stored twice', async function () {
      const { prefix, store, start } = await setUp('crash');
      const load = workload(CASES_PER_AGENCY);

      const first = await start();
      // its HTTP surface, on the port it picked (LIANDONG_PORT=0) and printed: live, and ready once the consumer runs
      const base = httpUrlOf(first);
      const healthz = await fetch(`${base}/healthz`);
      expect([healthz.status, await healthz.json()]).to.deep.equal([200, { status: 'ok' }]);
      const readyz = await waitFor('/readyz 200', 10_000, async () => {
        const r = await fetch(`${base}/readyz`);
        return r.status === 200 ? r.json() : undefined;
      });
      expect(readyz).to.deep.equal({ status: 'ready' });
      expect(kafkaIngested(await (await fetch(`${base}/metrics`)).text(), 'accepted')).to.equal(0);
      await produceWorkload(producer, prefix, load);
      const atKill = await waitFor('a quarter of the events stored', 60_000, async () => {
        const n = await store.count();
        return n >= load.total / 4 ? n : undefined;
      }, 5);
      await stopLiandongProcess(first, 'SIGKILL');
      const afterKill = await store.count();
      expect(first.child.signalCode).to.equal('SIGKILL');
      expect(afterKill, 'killed before the stream was through').to.be.lessThan(load.total);

      const restartedAt = Date.now();
      const second = await start();
      await waitFor('every event stored', 120_000, async () => ((await store.count()) >= load.total ? true : undefined), 100);
      const caughtUp = (Date.now() - restartedAt) / 1000;
      // let a redelivery that is still under way finish (it could only add duplicates, which would fail below)
      await new Promise((r) => setTimeout(r, 1500));
      const metrics = await (await fetch(`${httpUrlOf(second)}/metrics`)).text();
      // exit 0 within the grace period: the stop closed the HTTP server too (an open one keeps node running)
      expect(await stopLiandongProcess(second, 'SIGTERM')).to.equal(0);

      await expectExactlyOnce(store, load);
      const counts = finalCounts(second);
      expect(counts, second.output().slice(-500)).to.not.equal(null);
      // the restarted process stored the rest and answered the redelivered tail `duplicate`
      expect(counts!.accepted).to.equal(load.total - afterKill);
      expect(counts!.rejected).to.equal(0);
      // everything was stored before the scrape, so only a late redelivery (a duplicate) could follow it
      expect(kafkaIngested(metrics, 'accepted')).to.equal(counts!.accepted);
      expect(kafkaIngested(metrics, 'duplicate')).to.be.at.most(counts!.duplicate);
      console.log(
        `      ${engine}: ${load.total} events, SIGKILL at ${atKill}–${afterKill} stored; restarted process caught up in ${caughtUp.toFixed(1)} s ` +
          `(incl. the 10 s session timeout): ${counts!.accepted} accepted, ${counts!.duplicate} redelivered → duplicate`,
      );
    });

    it('a second replica joins under load and leaves again: nothing lost, nothing stored twice', async function () {
      const { prefix, store, start } = await setUp('rebalance');
      const load = workload(CASES_PER_AGENCY);

      const a = await start();
      // Produced in two phases, slowly, so the stream is still flowing while the group rebalances twice. The
      // second phase starts only once B is up: however fast A stores the first phase, at least 3/5 of the
      // stream is still to come when B joins, so the progress awaited below is always reachable.
      const perAgency = load.total / load.perAgency.size;
      const firstPhase = Math.round((perAgency * 2) / 5);
      await produceWorkload(producer, prefix, load, { batch: 50, pauseMs: 150, to: firstPhase });
      await waitFor('a fifth of the events stored', 60_000, async () => ((await store.count()) >= load.total / 5 ? true : undefined), 20);
      const b = await start();
      const atJoin = await store.count();
      const producing = produceWorkload(producer, prefix, load, { batch: 50, pauseMs: 250, from: firstPhase });
      await waitFor('progress after the join', 60_000, async () => ((await store.count()) >= atJoin + load.total / 5 ? true : undefined), 20);
      expect(await stopLiandongProcess(b, 'SIGTERM')).to.equal(0);
      const atLeave = await store.count();
      await producing;
      await waitFor('every event stored', 120_000, async () => ((await store.count()) >= load.total ? true : undefined), 100);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await stopLiandongProcess(a, 'SIGTERM')).to.equal(0);

      await expectExactlyOnce(store, load);
      const countsA = finalCounts(a)!;
      const countsB = finalCounts(b)!;
      expect(countsB.accepted, 'the second replica took part').to.be.greaterThan(0);
      expect(countsA.accepted + countsB.accepted).to.equal(load.total);
      console.log(
        `      ${engine}: ${load.total} events, B joined at ${atJoin} stored and left at ${atLeave}; ` +
          `A accepted ${countsA.accepted} (+${countsA.duplicate} duplicate), B accepted ${countsB.accepted} (+${countsB.duplicate} duplicate)`,
      );
    });

    it('failover with the default group settings: SIGTERM leaves the group at once, a SIGKILLed replica is replaced within ~10 s', async function () {
      if (engine !== 'postgres') this.skip(); // the same consumer code on both stores; measured once
      const { prefix, store, start, groupId } = await setUp('failover');
      const load = workload(CASES_PER_AGENCY);
      // the defaults (6 s session, 1 s heartbeat), not the suite's 10 s session
      const startDefault = () => start({ KAFKA_CHUNK_SIZE: '50' });
      const members = async (): Promise<{ count: number; state: string }> => {
        const { groups: [group] } = await admin.describeGroups([groupId]);
        return { count: group?.members.length ?? 0, state: group?.state ?? 'Dead' };
      };
      const whenMembers = (count: number, what: string) =>
        waitFor(what, 60_000, async () => {
          const now = await members();
          return now.count === count && now.state === 'Stable' ? true : undefined;
        }, 50);

      const a = await startDefault();
      const b = await startDefault();
      await whenMembers(2, 'both replicas in the group');
      const producing = produceWorkload(producer, prefix, load, { batch: 50, pauseMs: 100 });

      // a graceful stop leaves the group: the other has every partition at once
      const stoppedAt = Date.now();
      expect(await stopLiandongProcess(b, 'SIGTERM')).to.equal(0);
      await whenMembers(1, 'the stopped replica gone from the group');
      const leaveMs = Date.now() - stoppedAt;

      const c = await startDefault();
      await whenMembers(2, 'the third replica in the group');
      const killedAt = Date.now();
      await stopLiandongProcess(c, 'SIGKILL');
      await whenMembers(1, 'the killed replica given up on');
      const failoverMs = Date.now() - killedAt;

      await producing;
      await waitFor('every event stored', 120_000, async () => ((await store.count()) >= load.total ? true : undefined), 100);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await stopLiandongProcess(a, 'SIGTERM')).to.equal(0);
      await expectExactlyOnce(store, load);
      console.log(`      group settings by default: SIGTERM → left the group after ${leaveMs} ms; SIGKILL → partitions reassigned after ${failoverMs} ms`);
      expect(leaveMs, 'leaving on SIGTERM is not waiting for the session timeout').to.be.lessThan(5000);
      // session 6 s + one heartbeat + the rejoin; loosely, on a loaded machine
      expect(failoverMs).to.be.lessThan(12_000);
    });
  });
}
