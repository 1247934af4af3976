/**
 * Auditors replay history: a store of 100,000 events, its live read models built by the projection runner,
 * then `liandong replay`'s rebuild into a scratch store — every projection's digest equals the live one.
 * The same store is verified end to end (hash chains + a signed checkpoint) and the throughput printed.
 * SQLite only (no server needed); about 20 s on a 2-core machine.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { fixedClock } from '../../../infra/clock.js';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import { createCheckpointWriter } from '../../../infra/audit/checkpoints.js';
import { replayProjections } from '../../../infra/audit/replay.js';
import { signerFromPrivateKey, trustedKeys } from '../../../infra/audit/signingKey.js';
import { verifyStore } from '../../../infra/audit/verify.js';
import { allProjections } from '../../../projections/index.js';
import { createProjectionRunner } from '../../../projections/runner.js';
import { caseEvents } from '../../e2e/process.fixtures.js';

const CASES = 20_000; // × 5 events

describe('replay and verify a store of 100,000 events (SQLite)', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'liandong-replay-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('rebuilds every read model into a scratch store with the live digests, and verifies the store clean', async () => {
    const clock = fixedClock('2024-12-31T02:00:00.000Z');
    const store = openSqliteEventStore({ path: join(dir, 'liandong.db'), clock });
    const ctx = { deadlines: { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY } };
    const live = openEmbeddedReadModelStore({ path: join(dir, 'readmodels.db') });
    const scratch = openEmbeddedReadModelStore({ path: join(dir, 'scratch.db') });
    const signer = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey);
    try {
      let started = performance.now();
      for (let from = 0; from < CASES; from += 1000) {
        await store.append(Array.from({ length: 1000 }, (_, offset) => caseEvents(from + offset, { id: 'R', city: 'ly', varied: true })));
        clock.advance(1000);
      }
      const appendMs = performance.now() - started;
      expect(await store.headPosition()).to.equal(100_000n);

      started = performance.now();
      const checkpoint = await createCheckpointWriter({ store, signer, clock }).write();
      const checkpointMs = performance.now() - started;
      expect(checkpoint).to.deep.include({ covers: 100_000n, eventCount: 100_000, streamCount: CASES });

      started = performance.now();
      const runner = createProjectionRunner({ store, readModels: live, projections: allProjections(), ctx, logger: { info: () => undefined, error: (m) => console.error(m) } });
      await runner.start();
      await runner.stop();
      const liveMs = performance.now() - started;

      started = performance.now();
      let progressCalls = 0;
      const results = await replayProjections({ store, live, scratch, projections: allProjections(), ctx, onProgress: () => void (progressCalls += 1) });
      const replayMs = performance.now() - started;
      for (const result of results) {
        expect(result.equal, `${result.name}: ${JSON.stringify(result.differences.slice(0, 3))}`).to.equal(true);
        expect(result.liveDigest).to.equal(result.rebuiltDigest);
        expect(result.liveCheckpoint, 'the checkpoint event is the last one the live runner passed').to.equal(100_001n);
        expect(result.liveBehind).to.equal(0n);
      }
      expect(results.find((result) => result.name === 'cases')!.liveDocuments).to.equal(CASES);
      expect(progressCalls).to.be.greaterThan(5);

      started = performance.now();
      const report = await verifyStore({ store, trustedKeys: trustedKeys([signer.publicKey]) });
      const verifyMs = performance.now() - started;
      expect(report, report.detail).to.deep.include({ ok: true, checked: 100_001, checkpoints: 1, sealedThrough: 100_000n, unsealed: 0 });

      console.log(
        `      100,000 events: appended in ${(appendMs / 1000).toFixed(1)} s; checkpoint over ${CASES} streams ${checkpointMs.toFixed(0)} ms; ` +
          `live projections ${(liveMs / 1000).toFixed(1)} s; replay (rebuild + digests) ${(replayMs / 1000).toFixed(1)} s; ` +
          `verify ${(verifyMs / 1000).toFixed(1)} s = ${Math.round(100_001 / (verifyMs / 1000)).toLocaleString('en')} events/s`,
      );

      // a live document that no longer matches the events is listed
      const [id] = await live.listIds('cases');
      const doc = (await live.get<Record<string, unknown>>('cases', id!))!;
      const state = doc.state as Record<string, unknown>;
      await live.commit('cases', 100_001n, [{ collection: 'cases', id: id!, doc: { ...doc, state: { ...state, title: '被改过的标题' } } }]);
      const again = await replayProjections({ store, live, scratch, projections: allProjections().filter((p) => p.name === 'cases'), ctx });
      expect(again[0]).to.deep.include({ equal: false, differenceCount: 1 });
      expect(again[0]!.differences).to.deep.equal([{ collection: 'cases', id, kind: 'different', paths: ['state.title'] }]);
    } finally {
      await live.close();
      await scratch.close();
      await store.close();
    }
  });
});
