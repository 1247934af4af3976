/** The access log on PostgreSQL (distributed mode): the AccessLog contract, and append-only in plain SQL. */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { openPostgresAccessLog } from '../../infra/accessLog/postgresAccessLog.js';
import { accessEntry, accessLogContract } from '../contract/accessLog.contract.js';
import { postgresTamper } from '../contract/chainTamper.js';
import { verifyChain } from '../../infra/audit/logChain.js';
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
      tamper: postgresTamper(adminPool(), schema, 'access_log', 'access_log_head'),
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
      expect(rows).to.deep.equal([{ component: 'accessLog', version: 2 }]);
    } finally {
      await log.close();
      await adminPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it('a session with triggers off (session_replication_role = replica) can change an entry; verify names it', async () => {
    const schema = freshSchema();
    const log = await openPostgresAccessLog({ connectionString: databaseUrl(), schema });
    try {
      for (let index = 0; index < 3; index++) await log.record(accessEntry({ operationName: `op${index}` }));
      const client = await adminPool().connect();
      try {
        await client.query('SET session_replication_role = replica');
        await client.query(`UPDATE "${schema}".access_log SET operation_name = 'Innocent' WHERE id = 3`);
        await client.query('RESET session_replication_role');
      } finally {
        client.release();
      }
      const report = await verifyChain(log);
      expect(report).to.deep.include({ ok: false, firstBrokenId: '3' });
    } finally {
      await log.close();
      await adminPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it('a table written before the hash chain gets its hashes at migration; ids continue after the pruned ones', async () => {
    const schema = freshSchema();
    const q = `"${schema}"`;
    const longAgo = new Date(Date.now() - 800 * 86_400_000).toISOString();
    try {
      // the schema before the chain (migration 1), as databases written then hold it
      await adminPool().query(`CREATE SCHEMA ${q};
        CREATE TABLE ${q}.schema_versions (component text PRIMARY KEY, version integer NOT NULL);
        INSERT INTO ${q}.schema_versions VALUES ('accessLog', 1);
        CREATE TABLE ${q}.access_log (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL, principal text, roles json NOT NULL,
          agency_id text, operation_type text, operation_name text, fields json NOT NULL, variables json, outcome text NOT NULL,
          error_codes json NOT NULL, client text, duration_ms double precision);
        CREATE INDEX access_log_by_principal ON ${q}.access_log (principal, id);
        CREATE INDEX access_log_by_time ON ${q}.access_log (at);
        CREATE FUNCTION ${q}.access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'access_log is append-only'; END IF;
          IF OLD.at >= now() - interval '365 days' THEN RAISE EXCEPTION 'access_log entries are kept at least 365 days'; END IF;
          RETURN OLD;
        END $$;
        CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON ${q}.access_log
          FOR EACH ROW EXECUTE FUNCTION ${q}.access_log_append_only();
        INSERT INTO ${q}.access_log (at, principal, roles, operation_name, fields, variables, outcome, error_codes, client, duration_ms) VALUES
          ('${longAgo}', 'audit-office', '["auditor"]', 'pruned', '[]', NULL, 'ok', '[]', NULL, NULL),
          (now(), 'audit-office', '["auditor"]', 'kept-2', '["case(id: \\"XJ-1\\")"]', '{"id":"XJ-1","n":1.5}', 'ok', '[]', '10.0.0.1', 2.25),
          (now(), NULL, '[]', NULL, '[]', NULL, 'unauthenticated', '["UNAUTHENTICATED"]', NULL, NULL);
        DELETE FROM ${q}.access_log WHERE id = 1;`);
      const log = await openPostgresAccessLog({ connectionString: databaseUrl(), schema });
      try {
        const migrated = await verifyChain(log);
        expect(migrated, migrated.detail).to.deep.include({ ok: true, checked: 2 });
        await log.record(accessEntry({ operationName: 'after' }));
        expect((await log.list({ first: 10 })).nodes.map((node) => `${node.id} ${node.operationName}`)).to.deep.equal(['4 after', '3 null', '2 kept-2']);
        expect((await verifyChain(log)).ok).to.equal(true);
        const fail = async (sql: string): Promise<string> => (await adminPool().query(sql).then(() => 'no error', (error: Error) => error.message));
        expect(await fail(`INSERT INTO ${q}.access_log (id, at, roles, fields, outcome, error_codes) VALUES (2, now(), '[]', '[]', 'ok', '[]') ON CONFLICT (id) DO UPDATE SET principal = 'x'`)).to.match(/append-only/);
      } finally {
        await log.close();
      }
    } finally {
      await adminPool().query(`DROP SCHEMA IF EXISTS ${q} CASCADE`);
    }
  });
});
