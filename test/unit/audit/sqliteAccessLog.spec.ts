import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openSqliteAccessLog } from '../../../infra/accessLog/sqliteAccessLog.js';
import { openDurableDatabase } from '../../../infra/eventStore/sqliteDatabase.js';
import { REDACTED, redactVariables } from '../../../infra/accessLog/accessLog.js';
import { accessEntry, accessLogContract } from '../../contract/accessLog.contract.js';

accessLogContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liandong-access-'));
  const open = () => openSqliteAccessLog({ path: join(dir, 'access-log.db') });
  const log = open();
  return {
    log,
    reopen: async () => open(),
    cleanup: async () => {
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite access log', () => {
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
