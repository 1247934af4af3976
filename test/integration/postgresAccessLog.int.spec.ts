/** The access log on PostgreSQL (distributed mode): the AccessLog contract, and append-only in plain SQL. */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { openPostgresAccessLog } from '../../infra/accessLog/postgresAccessLog.js';
import { accessEntry, accessLogContract } from '../contract/accessLog.contract.js';
import { databaseUrl, probePostgres, requireEngine } from './engines.js';

describe('PostgreSQL access log (real server)', function () {
  before(requireEngine('postgres', probePostgres));
  let admin: pg.Pool | undefined;
  const adminPool = (): pg.Pool => (admin ??= new pg.Pool({ connectionString: databaseUrl(), max: 2 }));
  const freshSchema = (): string => `liandong_t_${randomBytes(6).toString('hex')}`;
  after(async () => {
    await admin?.end();
  });

  accessLogContract('PostgreSQL', async () => {
    const schema = freshSchema();
    const open = () => openPostgresAccessLog({ connectionString: databaseUrl(), schema });
    const log = await open();
    return {
      log,
      reopen: open,
      cleanup: async () => {
        await log.close();
        await adminPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      },
    };
  });

  it('refuses to change or delete a young entry even in plain SQL, and shares schema_versions', async () => {
    const schema = freshSchema();
    const log = await openPostgresAccessLog({ connectionString: databaseUrl(), schema });
    try {
      await log.record(accessEntry());
      const fail = async (sql: string): Promise<string> => (await adminPool().query(sql).then(() => 'no error', (error: Error) => error.message));
      expect(await fail(`UPDATE "${schema}".access_log SET principal = 'someone-else'`)).to.match(/append-only/);
      expect(await fail(`DELETE FROM "${schema}".access_log`)).to.match(/kept at least 365 days/);
      const { rows } = await adminPool().query(`SELECT component, version FROM "${schema}".schema_versions`);
      expect(rows).to.deep.equal([{ component: 'accessLog', version: 1 }]);
    } finally {
      await log.close();
      await adminPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
