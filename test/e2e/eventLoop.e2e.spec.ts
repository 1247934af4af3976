/**
 * The event loop is for I/O (style.md 12; issue 14 item 5): `auditVerify` over a whole store of 150,000
 * events runs beside the server, not in it — `/healthz`, polled every 50 ms while the verification runs,
 * answers within a quarter of a second of its idle worst (before the worker: 9.3 s at 215k events), and the
 * answer is still right: ok on the untouched store; after an event was changed behind the platform's back
 * (in a copy of the data directory), not ok with that event's position.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { TEST_CITY } from './fixtures.js';
import { gql, sleep, startProgram, stopProgram, tempDir, writeConfig, type RunningProgram } from './harness.js';
import { buildLargeDataDir } from './process.fixtures.js';

const AUDITOR = 'test-auditor-token';
const CASES = 30_000; // × 5 events
const POLL_MS = 50;
/**
 * How much slower than the idle program's worst poll /healthz may answer during the verification: generous for a
 * noisy 2-core machine (the target of issue 14, measured by the benchmark, is 20 ms). The idle worst is measured in
 * the same test just before, so a machine busy with other work (CI running several jobs) raises both; as the worker
 * then also competes for the two cores, the bound grows with four times the idle worst (a CI run at load 10: idle
 * worst 62 ms, during 413 ms). A verification on the event loop would add seconds (9.3 s at 215k events before the worker).
 */
const WORST_HEALTHZ_MS = 250;
const IDLE_POLLS = 40;

/** the worst /healthz latency of the idle program over IDLE_POLLS polls, POLL_MS apart */
async function idleWorst(base: string): Promise<number> {
  let worst = 0;
  for (let poll = 0; poll < IDLE_POLLS; poll++) {
    const sent = performance.now();
    const r = await fetch(`${base}/healthz`);
    await r.arrayBuffer();
    const took = performance.now() - sent;
    worst = Math.max(worst, took);
    await sleep(Math.max(0, POLL_MS - took));
  }
  return worst;
}

interface Verified {
  ok: boolean;
  checked: number;
  firstBrokenPosition: string | null;
  detail: string;
}

/** auditVerify as the auditor, with /healthz polled every POLL_MS until it answers */
async function verifyWhilePolling(base: string): Promise<{ verified: Verified; worstMs: number; polls: number; tookMs: number }> {
  const started = performance.now();
  let done = false;
  const answer = gql(base, AUDITOR, '{ auditVerify { ok checked firstBrokenPosition detail } }').finally(() => (done = true));
  let worstMs = 0;
  let polls = 0;
  while (!done) {
    const sent = performance.now();
    const r = await fetch(`${base}/healthz`);
    await r.arrayBuffer();
    const took = performance.now() - sent;
    expect(r.status).to.equal(200);
    worstMs = Math.max(worstMs, took);
    polls += 1;
    await sleep(Math.max(0, POLL_MS - took));
  }
  const { json } = await answer;
  expect(json?.errors, JSON.stringify(json?.errors)).to.equal(undefined);
  return { verified: json!.data!.auditVerify as Verified, worstMs, polls, tookMs: performance.now() - started };
}

describe('the event loop stays free while auditVerify checks a large store (e2e)', function () {
  this.timeout(600_000);
  const dir = tempDir('ld-eventloop-e2e-');
  const config = writeConfig(dir, TEST_CITY);
  const dataDir = join(dir, 'big');
  const tampered = join(dir, 'tampered');
  let program: RunningProgram | undefined;

  before(async function () {
    this.timeout(300_000);
    await buildLargeDataDir(dataDir, CASES);
  });
  afterEach(async () => {
    if (program) await stopProgram(program);
    program = undefined;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`/healthz answers within ${WORST_HEALTHZ_MS} ms of its idle worst while auditVerify checks ${CASES * 5} events, and the store verifies clean`, async () => {
    program = await startProgram({ config, dataDir });
    const idle = await idleWorst(program.base);
    const run = await verifyWhilePolling(program.base);
    console.log(`      auditVerify ${run.verified.checked} events in ${(run.tookMs / 1000).toFixed(1)} s; /healthz worst ${run.worstMs.toFixed(0)} ms over ${run.polls} polls (idle worst ${idle.toFixed(0)} ms)`);
    expect(run.verified.ok, run.verified.detail).to.equal(true);
    expect(run.verified.checked).to.be.at.least(CASES * 5);
    expect(run.verified.firstBrokenPosition).to.equal(null);
    expect(run.polls, 'the verification should take long enough to be polled').to.be.at.least(5);
    expect(run.worstMs, 'worst /healthz latency during auditVerify').to.be.below(WORST_HEALTHZ_MS + 4 * idle);
  });

  it('after an event was changed in a copy of the data directory: not ok, naming its position, /healthz still free', async () => {
    cpSync(dataDir, tampered, { recursive: true });
    rmSync(join(tampered, 'liandong.lock'), { force: true });
    const db = new Database(join(tampered, 'liandong.db'));
    const position = 123_457;
    const data = db.prepare('SELECT data FROM events WHERE position = ?').pluck().get(position) as string;
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(data.replace('"xj-justice"', '"xj-police"').replace('买卖合同纠纷', '借款合同纠纷'), position);
    db.close();

    program = await startProgram({ config, dataDir: tampered });
    const idle = await idleWorst(program.base);
    const run = await verifyWhilePolling(program.base);
    console.log(`      tampered copy: /healthz worst ${run.worstMs.toFixed(0)} ms over ${run.polls} polls (idle worst ${idle.toFixed(0)} ms)`);
    expect(run.verified.ok).to.equal(false);
    expect(run.verified.firstBrokenPosition).to.equal(String(position));
    expect(run.verified.detail).to.contain(`（位置 ${position}）的内容与存储的哈希不符`);
    expect(run.worstMs, 'worst /healthz latency during auditVerify').to.be.below(WORST_HEALTHZ_MS + 4 * idle);
  });
});
