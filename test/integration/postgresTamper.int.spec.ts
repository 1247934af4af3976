/**
 * Tampering with a PostgreSQL store behind the platform's back (plain SQL on the tables, as a DBA or an
 * intruder with the password could), and `liandong audit verify` catching it: test/contract/auditTamper.contract.ts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresEventStore } from '../../infra/eventStore/postgresEventStore.js';
import { auditTamperSuite, type TamperAccess } from '../contract/auditTamper.contract.js';
import { databaseUrl, probePostgres, requireEngine } from './engines.js';

function postgresTamper(pool: pg.Pool, schema: string): TamperAccess {
  const events = `"${schema}".events`;
  const columns = ['stream_id', 'revision', 'type', 'data', 'metadata', 'recorded_at', 'idempotency_key', 'hash', 'prev_hash'];
  const assign = columns.map((column, index) => `${column} = $${index + 2}`).join(', ');
  const rowOf = async (client: pg.PoolClient, position: bigint): Promise<unknown[]> => {
    const { rows } = await client.query<Record<string, unknown>>(
      `SELECT stream_id, revision, type, data::text AS data, metadata::text AS metadata, recorded_at, idempotency_key, hash, prev_hash FROM ${events} WHERE position = $1`,
      [position.toString()],
    );
    return columns.map((column) => rows[0]![column]);
  };
  const inTransaction = async (work: (client: pg.PoolClient) => Promise<void>): Promise<void> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };
  return {
    async setData(position, data) {
      await pool.query(`UPDATE ${events} SET data = $1::json WHERE position = $2`, [JSON.stringify(data), position.toString()]);
    },
    async swapContents(a, b) {
      await inTransaction(async (client) => {
        const first = await rowOf(client, a);
        const second = await rowOf(client, b);
        const update = `UPDATE ${events} SET ${assign} WHERE position = $1`;
        await client.query(update, [a.toString(), first[0], -1, ...first.slice(2, 6), null, ...first.slice(7)]);
        await client.query(update, [b.toString(), ...first]);
        await client.query(update, [a.toString(), ...second]);
      });
    },
    async deletePositions(positions) {
      await inTransaction(async (client) => {
        await client.query(`DELETE FROM ${events} WHERE position = ANY($1::bigint[])`, [positions.map(String)]);
        await client.query(`DELETE FROM "${schema}".streams`);
        await client.query(`INSERT INTO "${schema}".streams (stream_id, revision) SELECT stream_id, max(revision) FROM ${events} GROUP BY stream_id`);
      });
    },
    async setHashes(position, hash, prevHash) {
      await pool.query(`UPDATE ${events} SET hash = $1, prev_hash = $2 WHERE position = $3`, [hash, prevHash, position.toString()]);
    },
    async movePosition(from, to) {
      await pool.query(`UPDATE ${events} SET position = $1 WHERE position = $2`, [to.toString(), from.toString()]);
    },
  };
}

describe('PostgreSQL store under audit (real server)', function () {
  before(requireEngine('postgres', probePostgres));
  let admin: pg.Pool | undefined;
  const adminPool = (): pg.Pool => (admin ??= new pg.Pool({ connectionString: databaseUrl(), max: 2 }));
  after(async () => {
    await admin?.end();
  });

  auditTamperSuite('PostgreSQL', async () => {
    const schema = `liandong_t_${randomBytes(6).toString('hex')}`;
    const store = await openPostgresEventStore({ connectionString: databaseUrl(), schema });
    return {
      store,
      tamper: postgresTamper(adminPool(), schema),
      headOutlivesRows: true,
      cleanup: async () => {
        await store.close();
        await adminPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      },
    };
  });
});
