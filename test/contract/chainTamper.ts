/**
 * Tampering with an append-only, hash-chained table (the access log, the rejections) in plain SQL, as a DBA
 * or an intruder holding the file or the password could — shared by test/contract/accessLog.contract.ts and
 * test/contract/rejectionStore.contract.ts.
 *
 * Two kinds of test: every statement that would change or remove a stored row (UPDATE, DELETE, TRUNCATE and
 * every form of REPLACE / upsert / MERGE) is refused by the database itself and leaves the rows as they were;
 * and with the triggers switched off (SQLite: dropped, as the file's owner can; PostgreSQL: `ALTER TABLE …
 * DISABLE TRIGGER ALL` as a superuser can), the change goes through but verification names the entry.
 */
import { expect } from 'chai';
import type pg from 'pg';
import { openDurableDatabase, type SqliteDatabase } from '../../infra/eventStore/sqliteDatabase.js';
import type { ChainedLog, LogReport } from '../../ports/chainedLog.js';
import { verifyChain } from '../../infra/audit/logChain.js';

export interface SqlTamper {
  dialect: 'sqlite' | 'postgres';
  /** the table as SQL names it (schema-qualified on PostgreSQL) */
  table: string;
  /** its head table (the newest id and hash) as SQL names it */
  headTable: string;
  /** runs one statement on its own connection; rejects with the database's error */
  run(sql: string): Promise<void>;
  /** the rows as stored, in id order (every column) */
  rows(): Promise<Record<string, unknown>[]>;
  /** switches the table's triggers off (and the head table's) */
  disableTriggers(): Promise<void>;
}

/** how a table's full row is written in SQL, for the REPLACE / upsert statements */
export interface RowShape {
  /** `(id, col, …)` */
  columns: string;
  /** `(…values…)` for an entry with this id, content differing from what the platform writes */
  values(id: number): string;
  /** an assignment that changes content, e.g. `principal = 'intruder'` */
  change: string;
}

/** every statement that would change or remove a stored row, for the dialect */
export function rewritingStatements(t: SqlTamper, row: RowShape): { name: string; sql: string }[] {
  const insert = `INSERT INTO ${t.table} ${row.columns} VALUES ${row.values(2)}`;
  const common = [
    { name: 'UPDATE', sql: `UPDATE ${t.table} SET ${row.change} WHERE id = 2` },
    { name: 'UPDATE of every row', sql: `UPDATE ${t.table} SET ${row.change}` },
    { name: 'DELETE', sql: `DELETE FROM ${t.table} WHERE id = 2` },
    { name: 'DELETE of every row', sql: `DELETE FROM ${t.table}` },
    { name: 'upsert (ON CONFLICT DO UPDATE)', sql: `${insert} ON CONFLICT (id) DO UPDATE SET ${row.change}` },
    { name: 'head row UPDATE', sql: `UPDATE ${t.headTable} SET last_hash = 'x'` },
    { name: 'head row DELETE', sql: `DELETE FROM ${t.headTable}` },
  ];
  if (t.dialect === 'sqlite') {
    return [
      ...common,
      { name: 'INSERT OR REPLACE', sql: `INSERT OR REPLACE INTO ${t.table} ${row.columns} VALUES ${row.values(2)}` },
      { name: 'REPLACE INTO', sql: `REPLACE INTO ${t.table} ${row.columns} VALUES ${row.values(1)}` },
      { name: 'UPDATE OR REPLACE (onto another id)', sql: `UPDATE OR REPLACE ${t.table} SET id = 1 WHERE id = 2` },
      { name: 'INSERT OR IGNORE of an existing id', sql: `INSERT OR IGNORE INTO ${t.table} ${row.columns} VALUES ${row.values(2)}` },
      { name: 'upsert (ON CONFLICT DO NOTHING)', sql: `${insert} ON CONFLICT DO NOTHING` },
      { name: 'head row INSERT OR REPLACE', sql: `INSERT OR REPLACE INTO ${t.headTable} (singleton, last_id, last_hash) VALUES (1, 0, NULL)` },
    ];
  }
  return [
    ...common,
    { name: 'TRUNCATE', sql: `TRUNCATE ${t.table}` },
    { name: 'TRUNCATE of the head', sql: `TRUNCATE ${t.headTable}` },
    { name: 'MERGE … UPDATE', sql: `MERGE INTO ${t.table} AS l USING (SELECT 2 AS id) AS s ON l.id = s.id WHEN MATCHED THEN UPDATE SET ${row.change}` },
    { name: 'MERGE … DELETE', sql: `MERGE INTO ${t.table} AS l USING (SELECT 2 AS id) AS s ON l.id = s.id WHEN MATCHED THEN DELETE` },
  ];
}

/**
 * The tamper tests for one log. `write(n)` stores n entries through the port (ids 1…n); `tamper` and `log`
 * are read from `get()` at run time (the fixture is made in a beforeEach).
 */
export function chainTamperTests(get: () => { tamper: SqlTamper; log: ChainedLog; row: RowShape; write(n: number): Promise<void> }): void {
  const refused = async (t: SqlTamper, sql: string): Promise<string> => {
    const outcome = await t.run(sql).then(
      () => 'no error',
      (error: Error) => error.message,
    );
    return outcome;
  };
  const findingIds = (report: LogReport): (string | null)[] => report.findings.map((finding) => finding.id);

  it('is verified clean as written, and each entry chains onto the previous one', async () => {
    const { log, write } = get();
    await write(3);
    const report = await verifyChain(log);
    expect(report, report.detail).to.deep.include({ ok: true, checked: 3, firstBrokenId: null, findingCount: 0 });
  });

  it('refuses UPDATE, DELETE and every form of REPLACE / upsert at the database, leaving every row as it was', async () => {
    const { tamper, row, write, log } = get();
    await write(3);
    const before = await tamper.rows();
    expect(before).to.have.length(3);
    for (const { name, sql } of rewritingStatements(tamper, row)) {
      expect(await refused(tamper, sql), `${name}: ${sql}`).to.not.equal('no error');
      expect(await tamper.rows(), `${name} changed nothing`).to.deep.equal(before);
    }
    expect((await verifyChain(log)).ok).to.equal(true);
  });

  it('refuses a plain INSERT that does not chain onto the newest entry', async () => {
    const { tamper, row, write } = get();
    await write(2);
    const before = await tamper.rows();
    // a forged entry at the next id, without a hash or with a made-up one
    expect(await refused(tamper, `INSERT INTO ${tamper.table} ${row.columns} VALUES ${row.values(3)}`)).to.not.equal('no error');
    expect(await refused(tamper, `INSERT INTO ${tamper.table} ${row.columns} VALUES ${row.values(7)}`)).to.not.equal('no error');
    expect(await tamper.rows()).to.deep.equal(before);
  });

  describe('with the triggers switched off, verification names the entry', () => {
    it('an entry changed in place', async () => {
      const { tamper, row, write, log } = get();
      await write(4);
      await tamper.disableTriggers();
      await tamper.run(`UPDATE ${tamper.table} SET ${row.change} WHERE id = 2`);
      const report = await verifyChain(log);
      expect(report.ok).to.equal(false);
      expect(report.firstBrokenId).to.equal('2');
      expect(findingIds(report)).to.deep.equal(['2']);
      expect(report.detail).to.match(/条目 2/);
    });

    it('an entry replaced by INSERT OR REPLACE / upsert keeping its stored hashes', async () => {
      const { tamper, row, write, log } = get();
      await write(4);
      const [, second] = await tamper.rows();
      await tamper.disableTriggers();
      const hashes = `'${String(second!.hash)}', '${String(second!.prev_hash)}'`;
      const columns = row.columns.replace(/\)$/, ', hash, prev_hash)');
      const values = row.values(2).replace(/\)$/, `, ${hashes})`);
      await tamper.run(
        tamper.dialect === 'sqlite'
          ? `INSERT OR REPLACE INTO ${tamper.table} ${columns} VALUES ${values}`
          : `INSERT INTO ${tamper.table} ${columns} VALUES ${values} ON CONFLICT (id) DO UPDATE SET ${row.change}`,
      );
      const report = await verifyChain(log);
      expect(report.firstBrokenId).to.equal('2');
      expect(findingIds(report)).to.deep.equal(['2']);
    });

    it('a middle entry deleted', async () => {
      const { tamper, write, log } = get();
      await write(4);
      await tamper.disableTriggers();
      await tamper.run(`DELETE FROM ${tamper.table} WHERE id = 2`);
      const report = await verifyChain(log);
      expect(report.firstBrokenId).to.equal('2');
      expect(report.detail).to.match(/条目 2.*不见了/);
    });

    it('the newest entries deleted', async () => {
      const { tamper, write, log } = get();
      await write(4);
      await tamper.disableTriggers();
      await tamper.run(`DELETE FROM ${tamper.table} WHERE id >= 3`);
      const report = await verifyChain(log);
      expect(report.firstBrokenId).to.equal('3');
    });

    it('every entry deleted', async () => {
      const { tamper, write, log } = get();
      await write(3);
      await tamper.disableTriggers();
      await tamper.run(`DELETE FROM ${tamper.table}`);
      const report = await verifyChain(log);
      expect(report.firstBrokenId).to.equal('1');
    });

    it('an entry changed and its stored hash rewritten: the next entry no longer chains onto it', async () => {
      const { tamper, row, write, log } = get();
      await write(4);
      await tamper.disableTriggers();
      await tamper.run(`UPDATE ${tamper.table} SET ${row.change}, hash = 'ffff' WHERE id = 2`);
      const report = await verifyChain(log);
      expect(report.firstBrokenId).to.equal('2');
      expect(findingIds(report)).to.include('3');
    });
  });
}

/** SQLite: a second connection on the file; "switching triggers off" is dropping them, as the file's owner can */
export function sqliteTamper(path: string, table: string, headTable: string): SqlTamper {
  const withDb = <T>(work: (db: SqliteDatabase) => T): T => {
    const db = openDurableDatabase(path);
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    dialect: 'sqlite',
    table,
    headTable,
    run: async (sql) => withDb((db) => void db.prepare(sql).run()),
    rows: async () => withDb((db) => db.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as Record<string, unknown>[]),
    disableTriggers: async () =>
      withDb((db) => {
        const triggers = db.prepare<[string, string], string>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (?, ?)").pluck().all(table, headTable);
        for (const name of triggers) db.exec(`DROP TRIGGER "${name}"`);
      }),
  };
}

/** PostgreSQL: the superuser's connection; switching triggers off is `ALTER TABLE … DISABLE TRIGGER ALL` */
export function postgresTamper(pool: pg.Pool, schema: string, table: string, headTable: string): SqlTamper {
  const qualified = (name: string): string => `"${schema}".${name}`;
  return {
    dialect: 'postgres',
    table: qualified(table),
    headTable: qualified(headTable),
    run: async (sql) => void (await pool.query(sql)),
    rows: async () => (await pool.query<Record<string, unknown>>(`SELECT * FROM ${qualified(table)} ORDER BY id`)).rows,
    disableTriggers: async () => {
      await pool.query(`ALTER TABLE ${qualified(table)} DISABLE TRIGGER ALL`);
      await pool.query(`ALTER TABLE ${qualified(headTable)} DISABLE TRIGGER ALL`);
    },
  };
}
