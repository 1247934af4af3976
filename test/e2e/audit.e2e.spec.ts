/**
 * The audit as an operator and an auditor meet it: `liandong start` generates its checkpoint key and says
 * so, seals the store on stop, and `liandong audit verify` / `liandong replay` (real processes, exit codes)
 * find an event changed behind the platform's back.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { TEST_CITY } from './fixtures.js';
import { cloudEvent, gql, publish, startProgram, stopProgram, tempDir, writeConfig, type RunningProgram } from './harness.js';

const COURT = 'test-court-token';
const AUDITOR = 'test-auditor-token';

const registration = (n: number) =>
  cloudEvent('xj-court', `audit-reg-${n}`, 'case.registered', `AU-${n}`, '2024-09-10T09:00:00+08:00', {
    kind: 'civil_dispute',
    title: `买卖合同纠纷 ${n}`,
    parties: [{ name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' }],
  });

const cli = (...args: string[]) => spawnSync('node', ['bin/liandong.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });

describe('liandong audit verify and replay (e2e)', function () {
  this.timeout(240_000);
  const dir = tempDir('ld-audit-e2e-');
  const config = writeConfig(dir, TEST_CITY);
  const dataDir = join(dir, 'data');
  let program: RunningProgram | undefined;

  after(async () => {
    if (program) await stopProgram(program);
  });

  it('generates the checkpoint key in the data directory and says so; seals the store when stopped', async () => {
    program = await startProgram({ config, dataDir });
    expect(program.output()).to.contain('已在数据目录生成检查点签名密钥');
    expect(existsSync(join(dataDir, 'audit-signing-key.pem'))).to.equal(true);
    const r = await publish(program.base, COURT, [registration(1), registration(2), registration(3)]);
    expect(r.json!.results!.map((x) => x.status)).to.deep.equal(['accepted', 'accepted', 'accepted']);
    const verified = await gql(program.base, AUDITOR, '{ auditVerify { ok checked firstBrokenPosition } }');
    expect(verified.json!.data!.auditVerify).to.deep.equal({ ok: true, checked: 3, firstBrokenPosition: null });
    const log = await gql(program.base, AUDITOR, '{ accessLog(first: 1) { nodes { principal fields outcome } } }');
    expect(log.json!.data!.accessLog.nodes).to.deep.equal([{ principal: 'auditor', fields: ['auditVerify'], outcome: 'ok' }]);
    await stopProgram(program);
    program = undefined;

    const verify = cli('audit', 'verify', '--config', config, '--data-dir', dataDir);
    expect(verify.status, verify.stdout + verify.stderr).to.equal(0);
    expect(verify.stdout).to.match(/✔ 通过：整个事件库：4 个事件的哈希链完整（至位置 4）；1 个检查点签名有效（密钥 [0-9a-f]{16}），封存至位置 3/);
    const replay = cli('replay', '--config', config, '--data-dir', dataDir);
    expect(replay.status, replay.stdout + replay.stderr).to.equal(0);
    expect(replay.stdout).to.match(/cases\s+✔ 一致/);
  });

  it('exits 1 naming the first broken position when an event was changed, and replay lists the document it changed', () => {
    const db = new Database(join(dataDir, 'liandong.db'));
    const data = db.prepare('SELECT data FROM events WHERE position = 2').pluck().get() as string;
    db.prepare('UPDATE events SET data = ? WHERE position = 2').run(data.replace('买卖合同纠纷 2', '借款合同纠纷 2'));
    db.close();

    const verify = cli('audit', 'verify', '--config', config, '--data-dir', dataDir);
    expect(verify.status, verify.stdout + verify.stderr).to.equal(1);
    expect(verify.stdout).to.contain('✘ 第一个出问题的位置：2');
    expect(verify.stdout).to.contain('流 case-AU-2 修订 0（位置 2）的内容与存储的哈希不符');
    const one = cli('audit', 'verify', '--config', config, '--data-dir', dataDir, '--stream', 'case-AU-1');
    expect(one.status, one.stdout).to.equal(0);

    const replay = cli('replay', '--config', config, '--data-dir', dataDir, '--projection', 'cases');
    expect(replay.status, replay.stdout + replay.stderr).to.equal(1);
    expect(replay.stdout).to.contain('cases/AU-2：内容不同（state.title）');
  });

  it('exits 1 at the first position of a stream deleted behind its back, and 2 without a store', () => {
    const db = new Database(join(dataDir, 'liandong.db'));
    db.prepare("DELETE FROM events WHERE stream_id = 'case-AU-1'").run();
    db.close();
    const verify = cli('audit', 'verify', '--config', config, '--data-dir', dataDir);
    expect(verify.status).to.equal(1);
    expect(verify.stdout).to.contain('✘ 第一个出问题的位置：1');
    expect(verify.stdout).to.contain('流 case-AU-1 整个不见了');

    const nowhere = cli('audit', 'verify', '--config', config, '--data-dir', join(dir, 'nothing-here'));
    expect(nowhere.status).to.equal(2);
    expect(nowhere.stderr).to.contain('没有事件库');
  });
});
