/**
 * The real `liandong ingest` process against the real broker: killed with SIGKILL mid-stream and
 * restarted, and joined by a second replica that later leaves (a rebalance under load). Either way every
 * published event is stored exactly once, in per-case order (count stored vs published, compare keys).
 */
import { join } from 'node:path';
import { expect } from 'chai';
import type { Admin, Producer } from 'kafkajs';
import { probeKafka, requireEngine } from './engines.js';
import {
  cleanUpKafka,
  connectedProducer,
  countStored,
  exactlyOnceProblems,
  produceWorkload,
  readStoreFile,
  runId,
  startIngestProcess,
  stopIngestProcess,
  tempDir,
  testKafka,
  waitFor,
  workload,
  writeCityConfig,
  type IngestProcess,
} from './kafkaSupport.js';

const CASES_PER_AGENCY = 300; // × 5 events × 4 agencies = 6,000
/** small chunks: many commits and many transactions, so the kill lands between and inside them */
const CHILD_ENV = { KAFKA_CHUNK_SIZE: '50', KAFKA_SESSION_TIMEOUT_MS: '10000' };

/** `本次运行共处理：接收 X，重复 Y，退回 Z` from a stopped process */
const finalCounts = (p: IngestProcess) => {
  const m = /接收 (\d+)，重复 (\d+)，退回 (\d+)\s*$/.exec(p.output().trim());
  return m ? { accepted: Number(m[1]), duplicate: Number(m[2]), rejected: Number(m[3]) } : null;
};

describe('liandong ingest (real broker, child processes): crash and rebalance safety', function () {
  this.timeout(300_000);
  before(requireEngine('kafka', probeKafka));

  const run = runId();
  const processes: IngestProcess[] = [];
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
    for (const p of processes) await stopIngestProcess(p, 'SIGKILL');
    await producer?.disconnect().catch(() => undefined);
    if (admin) {
      await cleanUpKafka(admin, `liandong-int.${run}.`, groups);
      await admin.disconnect();
    }
  });

  const start = async (o: { config: string; dataDir: string; prefix: string; groupId: string }) => {
    const p = await startIngestProcess({ ...o, env: CHILD_ENV });
    processes.push(p);
    return p;
  };

  it('kill -9 in the middle of the stream, restart: nothing lost, nothing stored twice', async function () {
    const prefix = `liandong-int.${run}.crash.`;
    const groupId = `liandong-int-crash-${run}`;
    groups.push(groupId);
    const dir = tempDir();
    const config = writeCityConfig(dir);
    const dataDir = join(dir, 'data');
    const db = join(dataDir, 'liandong.db');
    const load = workload(CASES_PER_AGENCY);

    const first = await start({ config, dataDir, prefix, groupId });
    await produceWorkload(producer, prefix, load);
    const atKill = await waitFor('a quarter of the events stored', 60_000, () => {
      const n = countStored(db);
      return n >= load.total / 4 ? n : undefined;
    }, 5);
    await stopIngestProcess(first, 'SIGKILL');
    const afterKill = countStored(db);
    expect(first.child.signalCode).to.equal('SIGKILL');
    expect(afterKill, 'killed before the stream was through').to.be.lessThan(load.total);

    const second = await start({ config, dataDir, prefix, groupId });
    await waitFor('every event stored', 120_000, () => (countStored(db) >= load.total ? true : undefined), 100);
    // let a redelivery that is still under way finish (it could only add duplicates, which would fail below)
    await new Promise((r) => setTimeout(r, 1500));
    expect(await stopIngestProcess(second, 'SIGTERM')).to.equal(0);

    const { facts, total, rejections } = readStoreFile(db);
    expect(rejections).to.deep.equal([]);
    expect(total).to.equal(load.total);
    expect(exactlyOnceProblems(facts, load)).to.deep.equal([]);
    const counts = finalCounts(second);
    expect(counts, second.output().slice(-500)).to.not.equal(null);
    // the restarted process stored the rest and answered the redelivered tail `duplicate`
    expect(counts!.accepted).to.equal(load.total - afterKill);
    expect(counts!.rejected).to.equal(0);
    console.log(
      `      ${load.total} events: SIGKILL at ${atKill}–${afterKill} stored; after restart ${counts!.accepted} accepted, ` +
        `${counts!.duplicate} redelivered and answered duplicate; ${total} stored in the end`,
    );
  });

  it('a second replica joins under load and leaves again: nothing lost, nothing stored twice', async function () {
    const prefix = `liandong-int.${run}.rebalance.`;
    const groupId = `liandong-int-rebalance-${run}`;
    groups.push(groupId);
    const dir = tempDir();
    const config = writeCityConfig(dir);
    const dataDir = join(dir, 'data');
    const db = join(dataDir, 'liandong.db');
    const load = workload(CASES_PER_AGENCY);

    const a = await start({ config, dataDir, prefix, groupId });
    // produce slowly, so the stream is still flowing while the group rebalances twice
    const producing = produceWorkload(producer, prefix, load, { batch: 50, pauseMs: 150 });
    await waitFor('a fifth of the events stored', 60_000, () => (countStored(db) >= load.total / 5 ? true : undefined), 20);
    const b = await start({ config, dataDir, prefix, groupId });
    const atJoin = countStored(db);
    await waitFor('progress after the join', 60_000, () => (countStored(db) >= atJoin + load.total / 5 ? true : undefined), 20);
    expect(await stopIngestProcess(b, 'SIGTERM')).to.equal(0);
    const atLeave = countStored(db);
    await producing;
    const producedAt = countStored(db);
    await waitFor('every event stored', 120_000, () => (countStored(db) >= load.total ? true : undefined), 100);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await stopIngestProcess(a, 'SIGTERM')).to.equal(0);

    const { facts, total, rejections } = readStoreFile(db);
    expect(rejections).to.deep.equal([]);
    expect(total).to.equal(load.total);
    expect(exactlyOnceProblems(facts, load)).to.deep.equal([]);
    const countsA = finalCounts(a)!;
    const countsB = finalCounts(b)!;
    expect(countsB.accepted, 'the second replica took part').to.be.greaterThan(0);
    expect(countsA.accepted + countsB.accepted).to.equal(load.total);
    console.log(
      `      ${load.total} events: B joined at ${atJoin} stored, left at ${atLeave}, production ended at ${producedAt}; ` +
        `A accepted ${countsA.accepted} (+${countsA.duplicate} duplicate), B accepted ${countsB.accepted} (+${countsB.duplicate} duplicate)`,
    );
  });
});
