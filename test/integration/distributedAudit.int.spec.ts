/**
 * Audit in distributed mode (issue 18, item 5) on the real PostgreSQL and Redis: two `liandong project` processes with
 * the signing key from a secret (LIANDONG_AUDIT_SIGNING_KEY); the one holding the sealer lease seals signed checkpoints,
 * the other does not; after a stop the other takes the lease and seals what came since. Then rows are deleted behind
 * the platform's back with plain SQL — a stream's tail, then a whole stream — and `liandong audit verify` against
 * PostgreSQL (a real process, exit codes) names the first position that is missing.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { CHECKPOINT_STREAM } from '../../infra/audit/checkpoints.js';
import { openPostgresEventStore } from '../../infra/eventStore/postgresEventStore.js';
import { systemClock } from '../../infra/clock.js';
import type { EventMetadata, EventStore, RecordedEvent } from '../../ports/eventStore.js';
import { TEST_CITY } from '../e2e/fixtures.js';
import { dropRedisPrefix, dropSchema, isolation } from './distributedSupport.js';
import { databaseUrl, probePostgres, probeRedis, redisUrl, requireEngine } from './engines.js';
import { startLiandongProcess, stopLiandongProcess, tempDir, waitFor, type LiandongProcess } from './kafkaSupport.js';

const meta = (source: string): EventMetadata => ({ source, eventId: null, principal: `${source}-clerk`, channel: 'http', time: '2026-12-01T09:00:00+08:00' });
const registered = (title: string) => ({ type: 'case.registered', data: { kind: 'civil_dispute', title, parties: [] }, metadata: meta('xj-court') });
const noted = (n: number) => ({ type: 'handoff.requested', data: { handoffId: `h${n}`, to: 'xj-justice', purpose: 'information_notice' }, metadata: meta('xj-court') });

describe('distributed mode: the projector seals signed checkpoints; audit verify against PostgreSQL finds deleted rows', function () {
  this.timeout(180_000);
  before(requireEngine('postgres', probePostgres));
  before(requireEngine('redis', probeRedis));

  const { keyPrefix, schema } = isolation('seal');
  const dir = tempDir('ld-seal-');
  const processes: LiandongProcess[] = [];
  let store: EventStore;
  let env: Record<string, string>;
  let admin: pg.Pool;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');

  const checkpoints = async (): Promise<RecordedEvent[]> => store.readStream(CHECKPOINT_STREAM, { fromRevision: 0, maxCount: 1000 });
  const covered = (event: RecordedEvent): bigint => BigInt((event.data as { position: string }).position);
  const verify = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/liandong.mjs', 'audit', 'verify', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });

  before(async () => {
    const config = join(dir, 'city.json');
    // the auditor's copy of the public key, trusted by `audit verify`; the private key only in the projectors' environment
    writeFileSync(join(dir, 'sealer.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(config, JSON.stringify({ ...TEST_CITY, audit: { ...(TEST_CITY as { audit?: object }).audit, publicKeyFiles: ['sealer.pub.pem'] } }, null, 2));
    env = {
      LIANDONG_CONFIG: config,
      DATABASE_URL: databaseUrl(),
      DATABASE_SCHEMA: schema,
      REDIS_URL: redisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
      LIANDONG_LEASE_TTL_MS: '1500',
    };
    store = await openPostgresEventStore({ connectionString: databaseUrl(), schema, clock: systemClock });
    admin = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
    await store.append([
      { streamId: 'case-S1', expectedRevision: 'no_stream', events: [registered('买卖合同纠纷 1'), noted(1), noted(2)] },
      { streamId: 'case-S2', expectedRevision: 'no_stream', events: [registered('买卖合同纠纷 2'), noted(3)] },
    ]);
  });

  after(async () => {
    for (const p of processes) await stopLiandongProcess(p, 'SIGKILL');
    await store?.close();
    await admin?.end();
    await dropRedisPrefix(keyPrefix);
    await dropSchema(schema);
  });

  it('the lease holder seals what is stored; at its stop the other replica takes over and seals what came after', async () => {
    const head = (await store.headPosition())!; // the events to seal (a checkpoint is itself an event after them)
    const secret = { LIANDONG_AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const a = await startLiandongProcess({ args: ['project'], env: { ...env, ...secret }, ready: '已就绪' });
    processes.push(a);
    const b = await startLiandongProcess({ args: ['project'], env: { ...env, ...secret }, ready: '已就绪' });
    processes.push(b);
    for (const p of [a, b]) {
      expect(p.output()).to.match(/"auditCheckpoints":\{"lease":"[^"]+audit-sealer","intervalSeconds":\d+,"keyId":"[0-9a-f]{16}"\}/);
      expect(p.output(), 'the key itself is never printed').not.to.contain('PRIVATE KEY');
    }
    const first = await waitFor('a checkpoint sealing the stored events', 30_000, async () => (await checkpoints()).find((c) => covered(c) >= head)).catch((e: Error) => {
      throw new Error(`${e.message}\n--- a ---\n${a.output().slice(-3000)}\n--- b ---\n${b.output().slice(-3000)}`);
    });
    const sealers = [a, b].filter((p) => p.output().includes('本副本负责封存审计检查点'));
    expect(sealers, 'exactly one replica seals').to.have.length(1);
    expect((first.data as { keyId: string }).keyId).to.be.a('string');

    await stopLiandongProcess(sealers[0]!, 'SIGTERM');
    const other = sealers[0] === a ? b : a;
    await waitFor('the other replica takes the sealer lease', 15_000, () => (other.output().includes('本副本负责封存审计检查点') ? true : undefined));
    await store.append([{ streamId: 'case-S3', expectedRevision: 'no_stream', events: [registered('买卖合同纠纷 3'), noted(4)] }]);
    const later = (await store.headPosition())!;
    await stopLiandongProcess(other, 'SIGTERM'); // the stop seals once more
    const all = await checkpoints();
    expect(covered(all.at(-1)!) >= later, 'the last checkpoint covers the events appended under the second sealer').to.equal(true);

    const clean = verify();
    expect(clean.status, clean.stdout + clean.stderr).to.equal(0);
  });

  it("a stream's tail deleted with SQL: audit verify exits 1 at the first deleted position", async () => {
    const [, , tail] = await store.readStream('case-S1', { fromRevision: 0, maxCount: 10 });
    await deleteRows(admin, schema, `stream_id = 'case-S1' AND revision >= 2`);
    const r = verify();
    expect(r.status, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.contain(`✘ 第一个出问题的位置：${tail!.position}`);
  });

  it('a whole stream deleted with SQL: audit verify names it', async () => {
    await deleteRows(admin, schema, `stream_id = 'case-S2'`);
    const r = verify('--stream', 'case-S2');
    expect(r.status, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.contain('流 case-S2 整个不见了');
    const whole = verify();
    expect(whole.status).to.equal(1);
    expect(whole.stdout, 'the whole store fails too').to.contain('✘ 第一个出问题的位置：');
  });
});

/** deletes rows as an intruder with the database password would, moving the streams table back to match */
async function deleteRows(admin: pg.Pool, schema: string, where: string): Promise<void> {
  const client = await admin.connect();
  try {
    await client.query('BEGIN');
    await client.query(`DELETE FROM "${schema}".events WHERE ${where}`);
    await client.query(`DELETE FROM "${schema}".streams`);
    await client.query(`INSERT INTO "${schema}".streams (stream_id, revision) SELECT stream_id, max(revision) FROM "${schema}".events GROUP BY stream_id`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
