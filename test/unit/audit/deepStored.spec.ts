/**
 * A stored event nested far deeper than any stack (written before ingest refused nesting over 32 levels, or by
 * any other writer of the store) must not break the hash chain's canonical JSON, `liandong audit verify` or
 * `liandong replay`: canonicalisation walks values without recursion.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import { createCheckpointWriter } from '../../../infra/audit/checkpoints.js';
import { replayProjections } from '../../../infra/audit/replay.js';
import { signerFromPrivateKey, trustedKeys } from '../../../infra/audit/signingKey.js';
import { verifyStore } from '../../../infra/audit/verify.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { fixedClock } from '../../../infra/clock.js';
import { canonicalJson } from '../../../ports/canonicalJson.js';
import { eventHash } from '../../../infra/eventStore/eventHash.js';
import type { EventMetadata } from '../../../ports/eventStore.js';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import { allProjections } from '../../../projections/index.js';
import { createProjectionRunner } from '../../../projections/runner.js';

const deepObject = (levels: number, leaf = '1'): string => `${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`;
const deepArray = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('canonical JSON of values nested deeper than the stack', () => {
  it('canonicalises 200,000 nested objects and 1,000,000 nested arrays', () => {
    const objects = deepObject(200_000);
    expect(canonicalJson(JSON.parse(objects))).to.equal(objects);
    const arrays = deepArray(1_000_000);
    expect(canonicalJson(JSON.parse(arrays))).to.equal(arrays);
  });

  it('keeps every rule at depth: sorted members, skipped undefined, null in arrays, toJSON with its key', () => {
    const levels = 50_000;
    let value: unknown = { z: [undefined, () => 1, NaN, new Date('2024-09-10T01:00:00.000Z')], a: '移送', m: undefined };
    for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { y: value, b: [1, { toJSON: (key: string) => `k${key}` }] } : [value, -0];
    const leaf = '{"a":"移送","z":[null,null,null,"2024-09-10T01:00:00.000Z"]}';
    let expected = leaf;
    for (let i = 0; i < levels; i++) expected = i % 2 === 0 ? `{"b":[1,"k1"],"y":${expected}}` : `[${expected},0]`;
    expect(canonicalJson(value)).to.equal(expected);
  });
});

describe('a store holding an event nested 100,000 levels deep', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'ld-deep-stored-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('appends it, verifies the chain (fast and slow path) and the checkpoint, and replays every projection equal', async () => {
    const clock = fixedClock('2024-09-20T00:00:00.000Z');
    const store = openSqliteEventStore({ path: join(dir, 'liandong.db'), clock });
    const live = openEmbeddedReadModelStore({ path: join(dir, 'readmodels.db') });
    const scratch = openEmbeddedReadModelStore({ path: join(dir, 'scratch.db') });
    const ctx = { deadlines: { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY } };
    const signer = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey);
    try {
      const metadata = (eventId: string): EventMetadata => ({ source: 'xj-court', eventId, principal: 'court-system', channel: 'http', time: '2024-09-10T09:00:00+08:00', subject: 'DEEP-1' });
      // the second one's data holds `,"metadata":` in a string: the verifier must take the slow path (parse + canonicalise)
      const registered = {
        type: 'case.registered',
        data: { kind: 'civil_dispute', title: '买卖合同纠纷', parties: [{ name: '某公司', role: 'plaintiff', type: 'enterprise' }] },
        metadata: { ...metadata('e1'), extensions: { ext: JSON.parse(deepObject(100_000)) as unknown } },
      };
      const requested = {
        type: 'handoff.requested',
        data: { handoffId: 'h1', to: 'xj-justice', purpose: 'entrusted_mediation', note: 'a ,"metadata": b', x: JSON.parse(deepArray(100_000)) as unknown },
        metadata: metadata('e2'),
      };
      await store.append([{ streamId: 'case-DEEP-1', expectedRevision: 'no_stream', events: [registered, requested] }]);
      const stored = await store.readStream('case-DEEP-1');
      expect(stored.map((e) => e.type)).to.deep.equal(['case.registered', 'handoff.requested']);
      for (const e of stored) expect(eventHash(e)).to.equal(e.hash);
      await createCheckpointWriter({ store, signer, clock }).write();

      const report = await verifyStore({ store, trustedKeys: trustedKeys([signer.publicKey]) });
      expect(report, report.detail).to.deep.include({ ok: true, checked: 3, checkpoints: 1 });

      const runner = createProjectionRunner({ store, readModels: live, projections: allProjections(), ctx, logger: { info: () => undefined, error: (m) => console.error(m) } });
      await runner.start();
      await runner.stop();
      const results = await replayProjections({ store, live, scratch, projections: allProjections(), ctx });
      for (const result of results) expect(result.equal, `${result.name}: ${JSON.stringify(result.differences.slice(0, 3))}`).to.equal(true);
    } finally {
      await live.close();
      await scratch.close();
      await store.close();
    }
  });
});
