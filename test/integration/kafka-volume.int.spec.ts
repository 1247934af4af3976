/**
 * 10,000 events from four agencies through the real broker end up stored exactly once, each case's
 * events in the order its agency published them.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import type { Admin, Producer } from 'kafkajs';
import pg from 'pg';
import type { EventStore } from '../../ports/eventStore.js';
import { openPostgresEventStore } from '../../infra/eventStore/postgresEventStore.js';
import { openSqliteEventStore } from '../../infra/eventStore/sqliteEventStore.js';
import { openSqliteRejectionStore } from '../../infra/rejections/sqliteRejectionStore.js';
import { gql, startProgram, stopProgram, writeConfig } from '../e2e/harness.js';
import { TEST_CITY } from '../e2e/fixtures.js';
import { databaseUrl, probeKafka, probePostgres, requireEngine } from './engines.js';
import {
  cleanUpKafka,
  connectedProducer,
  exactlyOnceProblems,
  produceWorkload,
  runId,
  startInProcessIngest,
  tempDir,
  testKafka,
  waitFor,
  workload,
  type InProcessIngest,
} from './kafkaSupport.js';

const CASES_PER_AGENCY = 500; // × 5 events × 4 agencies = 10,000

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`Kafka ingest (real broker): volume, ${engine} event store`, function () {
    this.timeout(300_000);
    before(requireEngine('kafka', probeKafka));
    if (engine === 'postgres') before(requireEngine('postgres', probePostgres));

    const run = runId();
    const prefix = `liandong-int.${run}.`;
    const groupId = `liandong-int-volume-${run}`;
    const schema = `kafka_volume_${run}`;
    let admin: Admin;
    let producer: Producer;
    let ingest: InProcessIngest | undefined;
    let store: EventStore | undefined;

    before(async function () {
      const kafka = testKafka();
      admin = kafka.admin();
      await admin.connect();
      producer = await connectedProducer(kafka);
    });

    after(async function () {
      await ingest?.stop().catch(() => undefined);
      await ingest?.rejections.close();
      await store?.close();
      if (engine === 'postgres') {
        const client = new pg.Client({ connectionString: databaseUrl() });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      }
      await producer?.disconnect().catch(() => undefined);
      if (admin) {
        await cleanUpKafka(admin, prefix, [groupId]);
        await admin.disconnect();
      }
    });

    it('stores 10,000 events from four agencies exactly once, in per-case order', async function () {
      const load = workload(CASES_PER_AGENCY);
      expect(load.total).to.equal(10_000);
      const dir = tempDir();
      store = engine === 'sqlite' ? openSqliteEventStore({ path: join(dir, 'liandong.db') }) : await openPostgresEventStore({ connectionString: databaseUrl(), schema });
      ingest = await startInProcessIngest({ prefix, groupId, store, rejections: openSqliteRejectionStore({ path: join(dir, 'rejections.db') }) });

      const started = Date.now();
      await produceWorkload(producer, prefix, load);
      const produced = Date.now();
      await waitFor('10,000 results', 240_000, () => {
        const n = ingest!.reports.reduce((sum, r) => sum + r.results.length, 0);
        return n >= load.total ? n : undefined;
      });
      const done = Date.now();

      const results = ingest.reports.flatMap((r) => r.results);
      const rejected = results.filter((r) => r.status === 'rejected');
      expect(rejected, JSON.stringify(rejected.slice(0, 3))).to.have.length(0);
      expect(results.filter((r) => r.status === 'accepted')).to.have.length(load.total);

      const stored = await store.readAll();
      const facts = stored.map((e) => ({ key: e.idempotencyKey!, stream: e.streamId, revision: e.revision, eventId: e.metadata.eventId! }));
      expect(stored.every((e) => e.idempotencyKey !== null && e.metadata.channel === 'kafka')).to.equal(true);
      expect(exactlyOnceProblems(facts, load)).to.deep.equal([]);
      expect((await ingest.rejections.list({ first: 1 })).totalCount).to.equal(0);

      if (engine === 'sqlite') {
        // the same store served by the real program: every case and its events in order, through GraphQL
        await ingest.stop();
        await store.close();
        store = undefined;
        const program = await startProgram({ config: writeConfig(dir, TEST_CITY), dataDir: dir });
        try {
          const cases = await gql(program.base, 'test-organizer-token', '{ cases(first: 1) { totalCount } }');
          expect(cases.json?.data?.cases?.totalCount).to.equal(load.streams.size);
          const [stream, eventIds] = [...load.streams][load.streams.size - 1]!;
          const one = await gql(program.base, 'test-auditor-token', `{ history(stream: "${stream}", first: 10) { nodes { metadata } } }`);
          expect(one.json?.data?.history?.nodes?.map((n: { metadata: { eventId: string } }) => n.metadata.eventId)).to.deep.equal(eventIds);
        } finally {
          await stopProgram(program);
        }
      }

      const seconds = (done - started) / 1000;
      console.log(
        `      ${engine}: 10,000 events: produced in ${((produced - started) / 1000).toFixed(1)} s, all stored after ${seconds.toFixed(1)} s ` +
          `(${Math.round(load.total / seconds)} events/s, ${ingest.reports.length} chunks)`,
      );
    });
  });
}
