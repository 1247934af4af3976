/**
 * auditVerify beside the server (issue 14 item 5; backgroundVerifier.ts): in a worker thread for stores
 * another thread can open — the same report as on this thread, the access log and rejections included —
 * and in bounded slices on this thread for a `:memory:` store; one verification at a time (the same
 * question shares the running one, another waits its turn); stop() ends a running one.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { embeddedVerifyTarget } from '../../../infra/audit/auditServices.js';
import { createBackgroundVerifier, VerifierStoppedError } from '../../../infra/audit/backgroundVerifier.js';
import { createCheckpointWriter } from '../../../infra/audit/checkpoints.js';
import { signerFromPrivateKey, trustedKeys } from '../../../infra/audit/signingKey.js';
import { verifyStore } from '../../../infra/audit/verify.js';
import { openSqliteAccessLog } from '../../../infra/accessLog/sqliteAccessLog.js';
import type { AccessLog } from '../../../ports/accessLog.js';
import { fixedClock } from '../../../infra/clock.js';
import type { AppendRequest } from '../../../ports/eventStore.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { openSqliteRejectionStore } from '../../../infra/rejections/sqliteRejectionStore.js';
import type { RejectionStore } from '../../../ports/rejectionStore.js';
import { eventLoopTurns } from '../eventLoopTurns.js';

const registration = (index: number): AppendRequest => ({
  streamId: `case-B${index}`,
  expectedRevision: 'no_stream',
  events: [
    {
      type: 'case.registered',
      data: { kind: 'civil_dispute', title: `买卖合同纠纷 ${index}`, parties: [{ name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' }] },
      metadata: { source: 'xj-court', eventId: `b-${index}`, principal: 'court-system', channel: 'http', time: '2024-09-10T09:00:00+08:00', subject: `B${index}` },
    },
  ],
});

const signer = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey);
const trusted = trustedKeys([signer.publicKey]);

async function fill(store: SqliteEventStore, events: number): Promise<void> {
  const clock = fixedClock('2024-12-31T02:00:00.000Z');
  for (let from = 0; from < events; from += 1000) await store.append(Array.from({ length: Math.min(1000, events - from) }, (_, offset) => registration(from + offset)));
  await createCheckpointWriter({ store, signer, clock }).write();
}

/** the longest the event loop went without a turn (setImmediate ticks), until stopped */
describe('auditVerify off the event loop (issue 14)', function () {
  this.timeout(60_000);

  describe('in a worker thread, for a data directory', () => {
    let dir: string;
    let store: SqliteEventStore;
    let rejections: RejectionStore;
    let accessLog: AccessLog;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'ld-bgverify-'));
      store = openSqliteEventStore({ path: join(dir, 'liandong.db') });
      rejections = openSqliteRejectionStore({ database: store.database });
      accessLog = openSqliteAccessLog({ path: join(dir, 'access-log.db') });
      await fill(store, 5000);
      await rejections.record([
        { agencyId: 'xj-court', source: 'xj-court', channel: 'http', receivedAt: '2024-09-10T01:00:00Z', code: 'invalid_data', message: '缺少 title', eventId: 'x-1', eventType: 'case.registered', raw: '{}' },
      ]);
      await accessLog.record({
        at: '2024-09-10T01:00:01.000Z',
        principal: 'auditor',
        roles: ['auditor'],
        agencyId: 'xj-justice',
        operationType: 'query',
        operationName: null,
        fields: ['auditVerify'],
        variables: null,
        outcome: 'ok',
        errorCodes: [],
        client: '127.0.0.1',
        durationMs: 3,
      });
    });
    after(async () => {
      await accessLog.close();
      await rejections.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('gives the report verifyStore gives on this thread, the access log and rejections included', async () => {
      const verifier = createBackgroundVerifier({ trusted, target: embeddedVerifyTarget(dir) });
      const positions: bigint[] = [];
      const inWorker = await createBackgroundVerifier({ trusted, target: embeddedVerifyTarget(dir), onProgress: (p) => positions.push(p) }).verify({});
      const here = await verifyStore({ store, trustedKeys: trusted, logs: [accessLog, rejections] });
      expect(inWorker).to.deep.equal(here);
      expect(inWorker.ok, inWorker.detail).to.equal(true);
      expect(inWorker.checked).to.equal(5001);
      expect(inWorker.logs.map((log) => [log.name, log.checked])).to.deep.equal([
        ['访问日志', 1],
        ['退回记录', 1],
      ]);
      expect(positions.length, 'progress posted back').to.be.at.least(1);
      const stream = await verifier.verify({ stream: 'case-B7' });
      expect(stream).to.deep.equal(await verifyStore({ store, trustedKeys: trusted, stream: 'case-B7' }));
      await verifier.stop();
    });

    it('names the changed event, and leaves the files as they were (its connections are query_only)', async () => {
      const data = store.database.prepare('SELECT data FROM events WHERE position = 4321').pluck().get() as string;
      store.database.prepare('UPDATE events SET data = ? WHERE position = 4321').run(data.replace('买卖', '借款'));
      try {
        const report = await createBackgroundVerifier({ trusted, target: embeddedVerifyTarget(dir) }).verify({});
        expect(report.ok).to.equal(false);
        expect(report.firstBrokenPosition).to.equal(4321n);
        expect(report.detail).to.contain('（位置 4321）的内容与存储的哈希不符');
      } finally {
        store.database.prepare('UPDATE events SET data = ? WHERE position = 4321').run(data);
      }
    });

    it('one at a time: the same question shares the running verification, another waits its turn', async () => {
      const verifier = createBackgroundVerifier({ trusted, target: embeddedVerifyTarget(dir) });
      const ended: string[] = [];
      const whole = verifier.verify({});
      const again = verifier.verify({});
      const stream = verifier.verify({ stream: 'case-B1' });
      const streamAgain = verifier.verify({ stream: 'case-B1' });
      expect(again).to.equal(whole);
      expect(streamAgain).to.equal(stream);
      await Promise.all([whole.then(() => ended.push('whole')), stream.then(() => ended.push('stream'))]);
      expect(ended).to.deep.equal(['whole', 'stream']);
      expect((await whole).ok).to.equal(true);
      expect((await stream).ok).to.equal(true);
      // once answered, a new request verifies anew
      expect(verifier.verify({})).to.not.equal(whole);
      await verifier.stop();
    });

    it('stop() ends a running verification with 审计校验已中止, and refuses later ones', async () => {
      const verifier = createBackgroundVerifier({ trusted, target: embeddedVerifyTarget(dir) });
      const running = verifier.verify({});
      await verifier.stop();
      const outcome = await running.then(
        () => null,
        (error: Error) => error,
      );
      expect(outcome).to.be.instanceOf(VerifierStoppedError);
      expect(outcome!.message).to.contain('审计校验已中止');
      await verifier.verify({}).then(
        () => expect.fail('verified after stop'),
        (error: Error) => expect(error).to.be.instanceOf(VerifierStoppedError),
      );
    });

    it('a store the worker cannot open: a Chinese error, not a hang', async () => {
      const verifier = createBackgroundVerifier({ trusted, target: { events: { engine: 'sqlite', path: join(dir, 'missing', 'x.db') }, densePositions: true, logs: [] } });
      const error = await verifier.verify({}).then(
        () => null,
        (e: Error) => e,
      );
      expect(error?.message).to.match(/^审计校验失败：/);
    });
  });

  describe('on this thread, in slices, for a :memory: store', () => {
    let store: SqliteEventStore;
    before(async () => {
      store = openSqliteEventStore({ path: ':memory:' });
      await fill(store, 20_000);
    });
    after(() => store.close());

    it('the event loop turns at least every 200 ms (a slice is 10–20 ms on an idle machine) while 20,000 events and a 20,000-stream checkpoint are verified', async () => {
      const verifier = createBackgroundVerifier({ trusted, inThread: { store } });
      const gaps = eventLoopTurns();
      const report = await verifier.verify({});
      gaps.stop();
      expect(report.ok, report.detail).to.equal(true);
      expect(report.checked).to.equal(20_001);
      expect(gaps.worstGapMs(), 'longest stretch without an event-loop turn (ms of CPU time)').to.be.below(200);
    });

    it('stop() ends it at the next slice', async () => {
      const verifier = createBackgroundVerifier({ trusted, inThread: { store } });
      const running = verifier.verify({});
      await new Promise((resolve) => setImmediate(resolve));
      await verifier.stop();
      const outcome = await running.then(
        () => null,
        (error: Error) => error,
      );
      expect(outcome).to.be.instanceOf(VerifierStoppedError);
    });
  });
});
