/**
 * auditVerify's worker thread on PostgreSQL (issue 14 item 5; infra/audit/backgroundVerifier.ts): the worker
 * opens the event store, the rejections and the access log from the URL and schema alone (verifyTargetFromEnv,
 * as `liandong gateway` wires it) and gives the report `verifyStore` gives on this thread; a changed event is
 * found at its position. One schema of its own, dropped afterwards.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { openPostgresAccessLog } from '../../infra/accessLog/postgresAccessLog.js';
import { createBackgroundVerifier } from '../../infra/audit/backgroundVerifier.js';
import { createCheckpointWriter } from '../../infra/audit/checkpoints.js';
import { signerFromPrivateKey, trustedKeys } from '../../infra/audit/signingKey.js';
import { verifyStore } from '../../infra/audit/verify.js';
import { fixedClock } from '../../infra/clock.js';
import { openPostgresEventStore } from '../../infra/eventStore/postgresEventStore.js';
import { verifyTargetFromEnv } from '../../infra/main/distributedStores.js';
import { openPostgresRejectionStore } from '../../infra/rejections/postgresRejectionStore.js';
import { databaseUrl, probePostgres, requireEngine } from './engines.js';

describe('auditVerify in a worker thread, PostgreSQL (real server)', function () {
  this.timeout(60_000);
  before(requireEngine('postgres', probePostgres));
  const schema = `bgv_${randomBytes(5).toString('hex')}`;
  const signer = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey);
  const trusted = trustedKeys([signer.publicKey]);
  const env = { DATABASE_URL: databaseUrl(), DATABASE_SCHEMA: schema };
  let admin: pg.Pool | undefined;

  after(async () => {
    admin ??= new pg.Pool({ connectionString: databaseUrl(), max: 1 });
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('gives the in-thread report (access log and rejections included), then names a changed event', async () => {
    const clock = fixedClock('2024-12-31T02:00:00.000Z');
    const store = await openPostgresEventStore({ connectionString: databaseUrl(), schema, clock });
    const rejections = await openPostgresRejectionStore({ connectionString: databaseUrl(), schema });
    const accessLog = await openPostgresAccessLog({ connectionString: databaseUrl(), schema });
    try {
      for (let from = 0; from < 2000; from += 500) {
        await store.append(
          Array.from({ length: 500 }, (_, offset) => ({
            streamId: `case-PG${from + offset}`,
            expectedRevision: 'no_stream' as const,
            events: [
              {
                type: 'case.registered',
                data: { kind: 'civil_dispute', title: `买卖合同纠纷 ${from + offset}`, parties: [{ name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' }] },
                metadata: { source: 'xj-court', eventId: `pg-${from + offset}`, principal: 'court-system', channel: 'http' as const, time: '2024-09-10T09:00:00+08:00', subject: `PG${from + offset}` },
              },
            ],
          })),
        );
      }
      await createCheckpointWriter({ store, signer, clock }).write();
      await rejections.record([
        { agencyId: 'xj-court', source: 'xj-court', channel: 'http', receivedAt: '2024-09-10T01:00:00Z', code: 'invalid_data', message: '缺少 title', eventId: 'x-1', eventType: 'case.registered', raw: '{}' },
      ]);

      const verifier = createBackgroundVerifier({ trusted, target: verifyTargetFromEnv(env) });
      const inWorker = await verifier.verify({});
      const here = await verifyStore({ store, trustedKeys: trusted, logs: [accessLog, rejections] });
      expect(inWorker).to.deep.equal(here);
      expect(inWorker.ok, inWorker.detail).to.equal(true);
      expect(inWorker.checked).to.equal(2001);
      expect(inWorker.logs.map((log) => log.name)).to.deep.equal(['访问日志', '退回记录']);

      admin = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
      await admin.query(`UPDATE "${schema}".events SET data = jsonb_set(data::jsonb, '{title}', '"借款合同纠纷 1234"')::json WHERE position = 1235`);
      const tampered = await verifier.verify({});
      expect(tampered.ok).to.equal(false);
      expect(tampered.firstBrokenPosition).to.equal(1235n);
      await verifier.stop();
    } finally {
      await accessLog.close();
      await rejections.close();
      await store.close();
    }
  });
});
