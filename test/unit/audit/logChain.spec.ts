/**
 * The access log's and the rejections' hash chains inside `liandong audit verify` / GraphQL `auditVerify`
 * (infra/audit/logChain.ts, docs/audit.md §7): the worked example of the entry hash, verifyStore reporting a
 * changed or deleted entry at its id, and the CLI opening both logs beside the event store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openSqliteAccessLog } from '../../../infra/accessLog/sqliteAccessLog.js';
import { chainHash } from '../../../infra/audit/logChain.js';
import { trustedKeys } from '../../../infra/audit/signingKey.js';
import { verifyStore } from '../../../infra/audit/verify.js';
import { auditVerifyCommand } from '../../../infra/cli/audit.js';
import { canonicalJson } from '../../../ports/canonicalJson.js';
import { openDurableDatabase } from '../../../infra/eventStore/sqliteDatabase.js';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { openSqliteRejectionStore } from '../../../infra/rejections/sqliteRejectionStore.js';
import { accessEntry } from '../../contract/accessLog.contract.js';
import { sqliteTamper } from '../../contract/chainTamper.js';

const rejection = (eventId: string) => ({
  agencyId: 'xj-court',
  source: 'xj-court',
  channel: 'http' as const,
  receivedAt: '2024-09-10T01:00:00.000Z',
  code: 'invalid_data',
  message: 'data.parties must have at least 1 item',
  eventId,
  eventType: 'case.registered',
  raw: '{}',
});

describe('access log and rejection chains under audit verify', function () {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-logchain-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('hashes an entry as documented (docs/audit.md §7 worked example)', () => {
    const record = {
      id: '17',
      at: '2024-09-10T01:00:00.123Z',
      principal: 'audit-office',
      roles: ['auditor'],
      agencyId: 'ly-justice',
      operationType: 'query',
      operationName: 'CaseHistory',
      fields: ['history(stream: "case-XJ-1")'],
      variables: { first: 10, note: '审计抽查' },
      outcome: 'ok',
      errorCodes: [],
      client: '127.0.0.1',
      durationMs: 3.5,
    };
    const prevHash = 'a'.repeat(64);
    expect(canonicalJson({ ...record, prevHash })).to.equal(
      `{"agencyId":"ly-justice","at":"2024-09-10T01:00:00.123Z","client":"127.0.0.1","durationMs":3.5,"errorCodes":[],"fields":["history(stream: \\"case-XJ-1\\")"],` +
        `"id":"17","operationName":"CaseHistory","operationType":"query","outcome":"ok","prevHash":"${prevHash}","principal":"audit-office","roles":["auditor"],"variables":{"first":10,"note":"审计抽查"}}`,
    );
    expect(chainHash(record, prevHash)).to.equal('1476fa360887c6c0a77e2c08880d950b3b0c8f7f5d824cc67e4f5210d37ff0d2');
  });

  it('verifyStore checks the logs with the whole store and names a changed entry by its id', async () => {
    const store = openSqliteEventStore({ path: join(dir, 'liandong.db') });
    const rejections = openSqliteRejectionStore({ database: store.database });
    const accessLog = openSqliteAccessLog({ path: join(dir, 'access-log.db') });
    try {
      await rejections.record([rejection('e1'), rejection('e2')]);
      for (let index = 0; index < 3; index++) await accessLog.record(accessEntry({ operationName: `op${index}` }));
      const verify = () => verifyStore({ store, trustedKeys: trustedKeys([]), logs: [accessLog, rejections] });

      const clean = await verify();
      expect(clean.ok, clean.detail).to.equal(true);
      expect(clean.logs.map((log) => [log.name, log.ok, log.checked])).to.deep.equal([
        ['访问日志', true, 3],
        ['退回记录', true, 2],
      ]);
      expect(clean.detail).to.contain('访问日志：3 条的哈希链完整');

      const tamper = sqliteTamper(join(dir, 'access-log.db'), 'access_log', 'access_log_head');
      await tamper.disableTriggers();
      await tamper.run("UPDATE access_log SET principal = 'someone-else' WHERE id = 2");
      const broken = await verify();
      expect(broken.ok).to.equal(false);
      expect(broken.firstBrokenPosition, 'the events are fine').to.equal(null);
      expect(broken.detail).to.match(/^访问日志条目 2 的内容与存储的哈希不符/);
      expect(broken.logs[0]).to.deep.include({ ok: false, firstBrokenId: '2' });
      expect(broken.logs[1]!.ok).to.equal(true);

      // a stream given: the logs are not part of it
      expect((await verifyStore({ store, trustedKeys: trustedKeys([]), stream: 'case-1', logs: [accessLog] })).ok).to.equal(true);
    } finally {
      await accessLog.close();
      await rejections.close();
      await store.close();
    }
  });

  it('`liandong audit verify` checks the data directory’s access log and rejections, exit 1 naming the entry', async () => {
    const store = openSqliteEventStore({ path: join(dir, 'liandong.db') });
    const rejections = openSqliteRejectionStore({ database: store.database });
    const accessLog = openSqliteAccessLog({ path: join(dir, 'access-log.db') });
    await rejections.record([rejection('e1'), rejection('e2'), rejection('e3')]);
    await accessLog.record(accessEntry());
    await accessLog.close();
    await rejections.close();
    await store.close();

    const run = async (): Promise<{ code: number; out: string }> => {
      const lines: string[] = [];
      const log = console.log;
      console.log = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
      try {
        const code = await auditVerifyCommand({ configPath: undefined, dataDir: dir, dataDirGiven: true, env: {}, publicKeyFiles: [] });
        return { code, out: lines.join('\n') };
      } finally {
        console.log = log;
      }
    };
    const clean = await run();
    expect(clean.code, clean.out).to.equal(0);
    expect(clean.out).to.match(/一并校验：退回记录（事件库文件中）与访问日志/);
    expect(clean.out).to.contain('退回记录：3 条的哈希链完整');

    const db = openDurableDatabase(join(dir, 'liandong.db'));
    try {
      expect(() => db.prepare('DELETE FROM rejections WHERE id = 2').run()).to.throw(/append-only/);
      db.exec('DROP TRIGGER rejections_no_delete');
      db.prepare('DELETE FROM rejections WHERE id = 2').run();
    } finally {
      db.close();
    }
    const broken = await run();
    expect(broken.code, broken.out).to.equal(1);
    expect(broken.out).to.match(/退回记录：第一个出问题的条目 2/);
    expect(broken.out).to.match(/条目 2：退回记录条目 2 不见了/);
  });
});
