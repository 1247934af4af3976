/** The PostgreSQL parking lot against the real server: the shared contract suite, each lot in a schema of its own. */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { openPostgresParkingLot } from '../../infra/parking/postgresParkingLot.js';
import { parkingLotContract } from '../contract/parkingLot.contract.js';
import { databaseUrl, probePostgres, requireEngine } from './engines.js';

describe('PostgreSQL parking lot (real server)', function () {
  before(requireEngine('postgres', probePostgres));

  const schemas: string[] = [];
  const newSchema = (): string => {
    const schema = `parking_${randomBytes(5).toString('hex')}`;
    schemas.push(schema);
    return schema;
  };
  after(async () => {
    if (schemas.length === 0) return;
    const admin = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  parkingLotContract('PostgreSQL', async () => {
    const schema = newSchema();
    const open = () => openPostgresParkingLot({ connectionString: databaseUrl(), schema });
    const lot = await open();
    return { lot, reopen: open, cleanup: () => lot.close() };
  });

  it('two replicas parking the same event at once keep it once, and both are told the same window', async () => {
    const schema = newSchema();
    const [a, b] = await Promise.all([openPostgresParkingLot({ connectionString: databaseUrl(), schema }), openPostgresParkingLot({ connectionString: databaseUrl(), schema })]);
    try {
      const event = (until: string) => ({
        key: 'xj-justice/r1', source: 'xj-justice', eventId: 'r1', subject: 'C-1', type: 'handoff.received', agencyId: 'xj-justice', principal: null,
        channel: 'kafka' as const, receivedAt: '2026-12-03T01:00:00.000Z', parkedUntil: until, code: 'unknown_case', message: '未登记', raw: '{}',
      });
      const [wa, wb] = await Promise.all([a.park([event('2026-12-03T01:10:00.000Z')]), b.park([event('2026-12-03T01:11:00.000Z')])]);
      expect(wa.get('xj-justice/r1')).to.equal(wb.get('xj-justice/r1'));
      expect((await a.list(10)).length).to.equal(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
