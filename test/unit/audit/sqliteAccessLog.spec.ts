import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { openSqliteAccessLog } from '../../../infra/accessLog/sqliteAccessLog.js';
import type { AccessLog } from '../../../ports/accessLog.js';
import { openDurableDatabase, type SqliteDatabase } from '../../../infra/eventStore/sqliteDatabase.js';
import { REDACTED, redactVariables } from '../../../gateway/redaction.js';
import { accessEntry, accessLogContract } from '../../contract/accessLog.contract.js';
import { sqliteTamper } from '../../contract/chainTamper.js';
import { verifyChain } from '../../../infra/audit/logChain.js';

/**
 * The contract's fixture on a fresh file: `open` opens the log on a path (and may keep what it opened, for `close`).
 * Opened on a path the log writes in a thread of its own; opened on a database (the audit worker's use), in the
 * calling thread: both run the same contract.
 */
const sqliteFixture = (open: (path: string) => AccessLog, close: () => void = () => undefined) => async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liandong-access-'));
  const path = join(dir, 'access-log.db');
  const log = open(path);
  return {
    log,
    tamper: sqliteTamper(path, 'access_log', 'access_log_head'),
    reopen: async () => open(path),
    cleanup: async () => {
      await log.close();
      close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

accessLogContract('sqlite', sqliteFixture((path) => openSqliteAccessLog({ path })));

const databases: SqliteDatabase[] = [];
accessLogContract(
  'sqlite, written in the calling thread',
  sqliteFixture(
    (path) => {
      const database = openDurableDatabase(path);
      databases.push(database);
      return openSqliteAccessLog({ database });
    },
    () => {
      for (const database of databases.splice(0)) database.close();
    },
  ),
);

/** the access log's schema before the hash chain (migration 1), as databases written then hold it */
const VERSION_1 = `CREATE TABLE access_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, principal TEXT, roles TEXT NOT NULL, agency_id TEXT,
     operation_type TEXT, operation_name TEXT, fields TEXT NOT NULL, variables TEXT, outcome TEXT NOT NULL,
     error_codes TEXT NOT NULL, client TEXT, duration_ms REAL);
   CREATE INDEX access_log_by_principal ON access_log (principal, id);
   CREATE INDEX access_log_by_time ON access_log (at);
   CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
   BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
   CREATE TRIGGER access_log_retention BEFORE DELETE ON access_log
   WHEN old.at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-365 days')
   BEGIN SELECT RAISE(ABORT, 'access_log entries are kept at least 365 days'); END;
   CREATE TABLE schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
   INSERT INTO schema_versions VALUES ('accessLog', 1);`;

describe('SQLite access log', () => {
  describe('a log written before the hash chain', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'liandong-access-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const oldLog = (entries: { at: string; name: string }[], pruneThrough: number): void => {
      const db = openDurableDatabase(join(dir, 'access-log.db'));
      db.exec(VERSION_1);
      const insert = db.prepare(
        `INSERT INTO access_log (at, principal, roles, agency_id, operation_type, operation_name, fields, variables, outcome, error_codes, client, duration_ms)
         VALUES (?, 'audit-office', '["auditor"]', 'ly-justice', 'query', ?, '["history(stream: \\"case-XJ-1\\")"]', '{"first":10}', 'ok', '[]', '127.0.0.1', 3.5)`,
      );
      for (const { at, name } of entries) insert.run(at, name);
      db.prepare('DELETE FROM access_log WHERE id <= ?').run(pruneThrough);
      db.close();
    };
    const longAgo = new Date(Date.now() - 800 * 86_400_000).toISOString();

    it('gets its hashes at migration, starting the chain after what retention already pruned', async () => {
      oldLog(
        [
          { at: longAgo, name: 'pruned-1' },
          { at: longAgo, name: 'pruned-2' },
          ...[3, 4, 5].map((n) => ({ at: new Date().toISOString(), name: `kept-${n}` })),
        ],
        2,
      );
      const log = openSqliteAccessLog({ path: join(dir, 'access-log.db') });
      try {
        const migrated = await verifyChain(log);
        expect(migrated, migrated.detail).to.deep.include({ ok: true, checked: 3 });
        expect(migrated.detail).to.contain('条目 2 及以前已按保留期清理');
        await log.record(accessEntry({ operationName: 'after' }));
        expect((await log.list({ first: 10 })).nodes.map((node) => `${node.id} ${node.operationName}`)).to.deep.equal(['6 after', '5 kept-5', '4 kept-4', '3 kept-3']);
        expect((await verifyChain(log)).ok).to.equal(true);
      } finally {
        await log.close();
      }
      const tamper = sqliteTamper(join(dir, 'access-log.db'), 'access_log', 'access_log_head');
      const rows = await tamper.rows();
      expect(rows[0]).to.include({ id: 3, prev_hash: null });
      expect(await tamper.run("INSERT OR REPLACE INTO access_log (id, at, roles, fields, outcome, error_codes) VALUES (4, '2000-01-01T00:00:00.000Z', '[]', '[]', 'ok', '[]')").catch((e: Error) => e.message)).to.match(/never replaced/);
      expect(await tamper.rows()).to.deep.equal(rows);
    });

    it('continues its ids after entries retention pruned entirely', async () => {
      oldLog([{ at: longAgo, name: 'pruned-1' }, { at: longAgo, name: 'pruned-2' }], 2);
      const log = openSqliteAccessLog({ path: join(dir, 'access-log.db') });
      try {
        expect((await verifyChain(log)).ok).to.equal(true);
        await log.record(accessEntry());
        expect((await log.list({ first: 10 })).nodes.map((node) => node.id)).to.deep.equal(['3']);
        expect((await verifyChain(log)).ok).to.equal(true);
      } finally {
        await log.close();
      }
    });
  });

  describe('opened on a path: written in a thread of its own', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'liandong-access-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    it('waits for a write lock another connection holds without holding up this thread', async () => {
      const log = openSqliteAccessLog({ path: join(dir, 'access-log.db') });
      const other = openDurableDatabase(join(dir, 'access-log.db'));
      try {
        await log.record(accessEntry({ operationName: 'before' }));
        other.exec('BEGIN IMMEDIATE');
        let settled: string | null = null;
        const recording = log.record(accessEntry({ operationName: 'during' })).then(
          () => (settled = 'recorded'),
          (error: Error) => (settled = `failed: ${error.message}`),
        );
        // written in this thread, the insert would wait here for the lock (busy timeout 5 s), timers and all, and
        // then fail with SQLITE_BUSY before the sleep ends
        await sleep(300);
        expect(settled).to.equal(null);
        other.exec('COMMIT');
        await recording;
        expect(settled).to.equal('recorded');
        expect((await log.list({ first: 10 })).nodes.map((node) => node.operationName)).to.deep.equal(['during', 'before']);
      } finally {
        other.close();
        await log.close();
      }
    });

    it('writes what was recorded before close() before it closes', async () => {
      const log = openSqliteAccessLog({ path: join(dir, 'access-log.db') });
      const recorded = Array.from({ length: 20 }, (_, n) => log.record(accessEntry({ operationName: `q${n}` })));
      await log.close();
      await Promise.all(recorded);
      const again = openSqliteAccessLog({ path: join(dir, 'access-log.db') });
      try {
        expect((await again.list({ first: 50 })).totalCount).to.equal(20);
        expect((await verifyChain(again)).ok).to.equal(true);
      } finally {
        await again.close();
      }
    });

    it('lets a process end only after close() has ended the writer thread', async () => {
      const child = fork(fileURLToPath(new URL('./fixtures/recordAndClose.ts', import.meta.url)), [join(dir, 'access-log.db')], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect({ code, output: output.trim() }).to.deep.equal({ code: 0, output: 'closed' });
      const log = openSqliteAccessLog({ path: join(dir, 'access-log.db') });
      try {
        expect((await log.list({ first: 5 })).nodes.map((node) => node.operationName)).to.deep.equal(['Closing']);
      } finally {
        await log.close();
      }
    });

    it('reports a write the file refuses as that record\'s failure, and keeps recording', async () => {
      const log = openSqliteAccessLog({ path: join(dir, 'access-log.db') });
      const other = openDurableDatabase(join(dir, 'access-log.db'));
      try {
        other.exec("CREATE TRIGGER refuse_once BEFORE INSERT ON access_log WHEN new.operation_name = 'refused' BEGIN SELECT RAISE(ABORT, 'refused by the file'); END");
        const outcome = await log.record(accessEntry({ operationName: 'refused' })).then(
          () => 'recorded',
          (error: Error) => error.message,
        );
        expect(outcome).to.contain('refused by the file');
        await log.record(accessEntry({ operationName: 'next' }));
        expect((await log.list({ first: 10 })).nodes.map((node) => node.operationName)).to.deep.equal(['next']);
        expect((await verifyChain(log)).ok).to.equal(true);
      } finally {
        other.close();
        await log.close();
      }
    });
  });

  it('refuses to change or delete a young entry even in plain SQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liandong-access-'));
    try {
      const log = openSqliteAccessLog({ path: join(dir, 'access-log.db') });
      await log.record(accessEntry());
      await log.close();
      const db = openDurableDatabase(join(dir, 'access-log.db'));
      expect(() => db.prepare("UPDATE access_log SET principal = 'someone-else'").run()).to.throw(/append-only/);
      expect(() => db.prepare('DELETE FROM access_log').run()).to.throw(/kept at least 365 days/);
      expect(db.prepare('SELECT count(*) FROM access_log').pluck().get()).to.equal(1);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('removes secrets from variables, at any depth, and bounds the rest', () => {
    expect(redactVariables({ id: 'XJ-1', input: { token: 'abc', password: 'x', nested: [{ apiKey: 'k' }] }, Authorization: 'Bearer t' })).to.deep.equal({
      id: 'XJ-1',
      input: { token: REDACTED, password: REDACTED, nested: [{ apiKey: REDACTED }] },
      Authorization: REDACTED,
    });
    expect(redactVariables({})).to.equal(null);
    expect(redactVariables(undefined)).to.equal(null);
    expect(String(redactVariables({ text: 'x'.repeat(5000) })!.text)).to.have.length.below(1100);
    expect(redactVariables({ list: Array.from({ length: 100 }, () => 'y'.repeat(900)) })).to.have.property('_omitted');
  });
});
