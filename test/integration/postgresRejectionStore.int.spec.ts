/**
 * The PostgreSQL rejection store against the real server (DATABASE_URL, default 127.0.0.1:5432/liandong_test):
 * the shared contract suite, then what only this adapter promises — U+0000 survives, a batch is all or nothing,
 * replicas recording at once get distinct increasing ids that a pager sees without gaps, and the table lives
 * beside the event store's in one schema. Every store gets a schema of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { openPostgresEventStore } from '../../infra/eventStore/postgresEventStore.js';
import { openPostgresRejectionStore } from '../../infra/rejections/postgresRejectionStore.js';
import type { NewRejection, RejectionRecord, RejectionStore } from '../../ports/rejectionStore.js';
import { rejectionStoreContract } from '../contract/rejectionStore.contract.js';
import { postgresTamper } from '../contract/chainTamper.js';
import { verifyChain } from '../../infra/audit/logChain.js';
import { databaseUrl, probePostgres, requireEngine } from './engines.js';

const freshSchema = (): string => `rej_${randomBytes(5).toString('hex')}`;

const rejection = (overrides: Partial<NewRejection> = {}): NewRejection => ({
  agencyId: 'xj-court',
  source: 'xj-court',
  channel: 'kafka',
  receivedAt: '2024-09-10T01:00:00.000Z',
  code: 'invalid_data',
  message: 'data.parties must have at least 1 item',
  eventId: 'evt-1',
  eventType: 'case.registered',
  raw: '{}',
  ...overrides,
});

describe('PostgreSQL rejection store (real server)', function () {
  before(requireEngine('postgres', probePostgres));

  let admin: pg.Pool | undefined;
  const schemas: string[] = [];
  const newSchema = (): string => {
    const schema = freshSchema();
    schemas.push(schema);
    return schema;
  };
  after(async () => {
    if (schemas.length === 0) return;
    admin ??= new pg.Pool({ connectionString: databaseUrl(), max: 2 });
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  rejectionStoreContract('PostgreSQL', async () => {
    const schema = newSchema();
    const open = (): Promise<RejectionStore> => openPostgresRejectionStore({ connectionString: databaseUrl(), schema });
    const store = await open();
    admin ??= new pg.Pool({ connectionString: databaseUrl(), max: 2 });
    return { store, reopen: open, cleanup: () => store.close(), tamper: postgresTamper(admin, schema, 'rejections', 'rejection_head') };
  });

  describe('PostgreSQL adapter', function () {
    const stores: RejectionStore[] = [];
    const open = async (schema: string): Promise<RejectionStore> => {
      const store = await openPostgresRejectionStore({ connectionString: databaseUrl(), schema });
      stores.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
    });

    it('keeps U+0000 and other awkward text exactly, where a text column would refuse it', async () => {
      const store = await open(newSchema());
      const awkward = rejection({
        raw: '{"type":"x\u0000y","data":"\ud83d\ude00 \\u0000 引号\\"}',
        message: '未知事件类型 "x\u0000y"',
        eventType: 'x\u0000y',
        eventId: '\u0000',
        source: 'src\u0000',
      });
      const [recorded] = await store.record([awkward]);
      expect((await store.list({ first: 5 })).nodes).to.deep.equal([recorded]);
      expect(recorded).to.deep.include(awkward);
    });

    it('stores all of a batch or none of it', async () => {
      const store = await open(newSchema());
      let failure: unknown;
      await store.record([rejection(), rejection({ channel: 'carrier-pigeon' as 'http' })]).catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(Error);
      expect((await store.list({ first: 5 })).totalCount).to.equal(0);
      // the failed batch did not use up ids
      const [next] = await store.record([rejection()]);
      expect(next!.id).to.equal('1');
    });

    it('replicas recording at once get distinct ids, each batch contiguous, and a pager sees every record once', async () => {
      const schema = newSchema();
      const replicas = await Promise.all([open(schema), open(schema), open(schema)]);
      const batches: RejectionRecord[][] = [];
      await Promise.all(
        replicas.map(async (store, replica) => {
          for (let round = 0; round < 20; round++) {
            batches.push(await store.record([1, 2, 3].map((n) => rejection({ eventId: `r${replica}-${round}-${n}`, agencyId: `agency-${replica}` }))));
          }
        }),
      );
      const ids = batches.flat().map((record) => BigInt(record.id));
      expect(new Set(ids).size).to.equal(180);
      for (const batch of batches) {
        const [a, b, c] = batch.map((record) => BigInt(record.id));
        expect([b! - a!, c! - b!]).to.deep.equal([1n, 1n]);
      }
      const paged: RejectionRecord[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await replicas[0]!.list({ first: 7, ...(after === undefined ? {} : { after }) });
        paged.push(...page.nodes);
        if (!page.hasNextPage) break;
        after = page.endCursor!;
      }
      expect(paged.map((record) => record.id)).to.deep.equal([...ids].sort((x, y) => (x < y ? -1 : 1)).map(String));
      expect((await replicas[1]!.list({ agencyId: 'agency-2', first: 0 })).totalCount).to.equal(60);
    });

    it('gives rejections stored before the hash chain their hashes at migration', async () => {
      const schema = newSchema();
      const q = `"${schema}"`;
      admin ??= new pg.Pool({ connectionString: databaseUrl(), max: 2 });
      // the schema before the chain (migration 1), as databases written then hold it
      await admin.query(`CREATE SCHEMA ${q};
        CREATE TABLE ${q}.schema_versions (component text PRIMARY KEY, version integer NOT NULL);
        INSERT INTO ${q}.schema_versions VALUES ('rejections', 1);
        CREATE TABLE ${q}.rejections (id bigint PRIMARY KEY, agency_id text, channel text NOT NULL CHECK (channel IN ('http', 'kafka', 'graphql')),
          code text NOT NULL, received_at text NOT NULL, detail json NOT NULL);
        CREATE INDEX rejections_by_agency ON ${q}.rejections (agency_id, id);
        CREATE TABLE ${q}.rejection_head (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), id bigint NOT NULL);
        INSERT INTO ${q}.rejection_head (singleton, id) VALUES (true, 2);
        INSERT INTO ${q}.rejections VALUES
          (1, 'xj-court', 'kafka', 'invalid_data', '2024-09-10T01:00:00.000Z', '{"source":"xj-court","message":"缺少当事人","eventId":"e1","eventType":"case.registered","raw":"{\\u0000}"}'),
          (2, NULL, 'http', 'invalid_envelope', '2024-09-10T01:00:01.000Z', '{"source":null,"message":"bad JSON","eventId":null,"eventType":null,"raw":"{"}');`);
      const store = await open(schema);
      const migrated = await verifyChain(store);
      expect(migrated, migrated.detail).to.deep.include({ ok: true, checked: 2 });
      const [next] = await store.record([rejection()]);
      expect(next!.id).to.equal('3');
      expect((await verifyChain(store)).ok).to.equal(true);
      expect((await store.list({ first: 5 })).nodes.map((node) => node.raw)).to.deep.equal(['{\u0000}', '{', '{}']);
    });

    it('shares a schema with the event store, whichever opens it first', async () => {
      const schema = newSchema();
      const rejections = await open(schema);
      const events = await openPostgresEventStore({ connectionString: databaseUrl(), schema });
      try {
        await events.append([
          {
            streamId: 'case-1',
            expectedRevision: 'no_stream',
            events: [{ type: 'x', data: {}, metadata: { source: null, eventId: null, principal: null, channel: 'platform', time: '2024-09-10T01:00:00Z' } }],
          },
        ]);
        await rejections.record([rejection()]);
        expect(await events.headPosition()).to.equal(1n);
        expect((await rejections.list({ first: 1 })).totalCount).to.equal(1);
      } finally {
        await events.close();
      }
      const client = new pg.Client({ connectionString: databaseUrl() });
      await client.connect();
      try {
        const { rows } = await client.query<{ component: string }>(`SELECT component FROM "${schema}".schema_versions ORDER BY component`);
        expect(rows.map((row) => row.component)).to.deep.equal(['events', 'rejections']);
      } finally {
        await client.end();
      }
    });
  });
});
