/**
 * The PostgreSQL CaseSearch (pg_trgm) against the real server (DATABASE_URL, default 127.0.0.1:5432/liandong_test):
 * the shared contract suite, each index in a schema of its own, dropped afterwards; then that a text of three
 * characters or more is answered from the trigram index.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { openPostgresCaseSearch } from '../../infra/search/postgresCaseSearch.js';
import { caseSearchContract } from '../contract/caseSearch.contract.js';
import { databaseUrl, probePostgres, requireEngine } from './engines.js';

const freshSchema = (): string => `search_${randomBytes(5).toString('hex')}`;

describe('PostgreSQL case search (real server)', function () {
  before(requireEngine('postgres', probePostgres));
  let admin: pg.Pool;
  before(() => {
    admin = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
  });
  after(async () => admin?.end());

  const openFresh = async () => {
    const schema = freshSchema();
    const index = await openPostgresCaseSearch({ connectionString: databaseUrl(), schema });
    return {
      schema,
      index,
      cleanup: async () => {
        await index.close();
        await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      },
    };
  };

  caseSearchContract('PostgreSQL pg_trgm', openFresh);

  it('answers a text of three or more characters from the trigram index', async () => {
    const { schema, index, cleanup } = await openFresh();
    try {
      await index.put(Array.from({ length: 50 }, (_, i) => ({ caseId: `T-${i}`, title: `第${i}号盗窃案`, caseNumber: null, partyNames: [], agencies: ['ly-court'], position: BigInt(i + 1) })));
      const client = await admin.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL enable_seqscan = off'); // a table this small would be scanned anyway
        const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT case_id FROM "${schema}".case_search WHERE haystack LIKE '%盗窃案%'`);
        await client.query('ROLLBACK');
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).to.contain('case_search_haystack');
      } finally {
        client.release();
      }
    } finally {
      await cleanup();
    }
  });
});
