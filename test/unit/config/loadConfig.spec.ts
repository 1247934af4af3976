import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, configWarnings, parseConfig } from '../../../infra/config/loadConfig.js';

const good = {
  agencies: [
    { id: 'ly-court', kind: 'court', name: '辽源市中级人民法院' },
    { id: 'ly-justice', kind: 'justice', name: '辽源市司法局' },
    { id: 'ly-gov', kind: 'government', name: '辽源市人民政府' },
  ],
  principals: [
    { name: 'court-system', agencyId: 'ly-court', roles: ['publisher'], token: 'court-token-1' },
    { name: 'lianluo-ban', agencyId: 'ly-justice', roles: ['organizer'], tokenSha256: 'a'.repeat(64) },
  ],
  copyNoticeRecipients: ['ly-gov', 'ly-justice'],
};
const text = (v: unknown) => JSON.stringify(v, null, 2);
const problemsOf = (v: unknown): string => {
  try {
    parseConfig(typeof v === 'string' ? v : text(v), 'test.json');
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('config was accepted');
};

describe('config loading', () => {
  it('accepts the operations.md example shape and fills defaults', () => {
    const config = parseConfig(text(good), 'test.json');
    expect(config.deadlines).to.deep.equal({ privateEnterpriseFastTrack: true, privateEnterpriseReconsiderationDays: 30, noticeAckWorkingDays: 5, informationNoticeWorkingDays: 5, disputeReferralDays: 15, disputeFilingWorkingDays: 5 });
    expect(config.graphql).to.deep.equal({ introspection: true, graphiql: true });
    expect(configWarnings(config)).to.deep.equal([]);
  });

  it('reads calendar.years keyed by year as operations.md shows it, and the list form of earlier configs the same way', () => {
    const days = { holidays: ['2027-01-01', '2027-02-05'], workdays: ['2027-02-14'] };
    const keyed = parseConfig(text({ ...good, calendar: { years: { '2027': days } } }), 'keyed.json');
    const listed = parseConfig(text({ ...good, calendar: { years: [{ year: 2027, ...days }] } }), 'listed.json');
    expect(keyed.calendar.years).to.deep.equal([{ year: 2027, ...days }]);
    expect(listed.calendar.years).to.deep.equal(keyed.calendar.years);
    expect(problemsOf({ ...good, calendar: { years: { '27': days } } })).to.contain('四位数字');
    expect(problemsOf({ ...good, calendar: { years: { '2027': { ...days, holidays: ['2027-13-01'] } } } })).to.contain('calendar.years.0.holidays.0').and.to.contain('不是日历上的日期');
  });

  it('still accepts the retired graphql.answerCacheMiB of released configs, with one Chinese warning that it does nothing', () => {
    for (const mib of [0, 64, 512]) {
      const config = parseConfig(text({ ...good, graphql: { introspection: false, graphiql: false, answerCacheMiB: mib } }), 'released.json');
      expect(config.graphql.introspection).to.equal(false);
      const warnings = configWarnings(config);
      expect(warnings, String(mib)).to.have.length(1);
      expect(warnings[0]).to.contain('graphql.answerCacheMiB').and.to.contain(`（${mib}）`).and.to.match(/不再起作用/);
    }
    // still a number of MiB: a typo in it is refused as before, not silently ignored
    expect(problemsOf({ ...good, graphql: { answerCacheMiB: 'lots' } })).to.contain('answerCacheMiB');
  });

  it('prints the warning once when `liandong start` starts with such a config', async () => {
    const { startEmbedded } = await import('../../../infra/main/embedded.js');
    const dir = mkdtempSync(join(tmpdir(), 'ld-retired-key-'));
    const configPath = join(dir, 'released.json');
    writeFileSync(configPath, text({ ...good, graphql: { answerCacheMiB: 64 } }));
    // the platform logs JSON lines on stdout (operations.md "Logs"; LIANDONG_LOG_FORMAT=json whatever the terminal)
    const written: string[] = [];
    const write = process.stdout.write;
    const format = process.env.LIANDONG_LOG_FORMAT;
    process.env.LIANDONG_LOG_FORMAT = 'json';
    process.stdout.write = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      const before = new Set([...process.listeners('SIGTERM'), ...process.listeners('SIGINT')]);
      const started = await startEmbedded({ configPath, dataDir: join(dir, 'data'), port: 0, host: '127.0.0.1', demo: false });
      // stopped through its own signal handlers only (not every SIGTERM listener of the test process), then they go
      const added = (signal: 'SIGTERM' | 'SIGINT') => process.listeners(signal).filter((l) => !before.has(l));
      const [stop] = added('SIGTERM');
      for (const signal of ['SIGTERM', 'SIGINT'] as const) for (const l of added(signal)) process.off(signal, l);
      (stop as (s: string) => void)('SIGTERM');
      await started.stopped;
    } finally {
      process.stdout.write = write;
      if (format === undefined) delete process.env.LIANDONG_LOG_FORMAT;
      else process.env.LIANDONG_LOG_FORMAT = format;
      rmSync(dir, { recursive: true, force: true });
    }
    const records = written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(records.filter((r) => r.level === 'warn' && r.msg.includes('answerCacheMiB'))).to.have.length(1);
  });

  it('accepts the built-in demo config', () => {
    const demo = readFileSync(new URL('../../../infra/config/demo.config.json', import.meta.url), 'utf8');
    expect(parseConfig(demo, 'demo.config.json').agencies.length).to.be.greaterThan(5);
  });

  it('refuses a repeated agency id and names its line', () => {
    const bad = { ...good, agencies: [...good.agencies, { id: 'ly-court', kind: 'court', name: '重复' }] };
    const message = problemsOf(bad);
    const line = text(bad).split('\n').findIndex((l, i, all) => l.includes('"ly-court"') && all.slice(0, i).some((x) => x.includes('"ly-court"'))) + 1;
    expect(message).to.contain(`第 ${line} 行`).and.to.contain('重复');
  });

  it('reads deadlines.disputeFilingWorkingDays (the 备案 period of operations.md) and refuses one below a working day', () => {
    const config = parseConfig(text({ ...good, deadlines: { disputeFilingWorkingDays: 10 } }), 'test.json');
    expect(config.deadlines.disputeFilingWorkingDays).to.equal(10);
    expect(problemsOf({ ...good, deadlines: { disputeFilingWorkingDays: 0 } })).to.contain('disputeFilingWorkingDays');
  });

  it('refuses a bad kind, naming the allowed kinds', () => {
    const message = problemsOf({ ...good, agencies: [{ id: 'ly-x', kind: 'tribunal', name: 'x' }] });
    expect(message).to.match(/第 \d+ 行 \(agencies\.0\.kind\)/).and.to.contain('court');
  });

  it('refuses a principal of an unknown agency and an unknown copy-notice recipient', () => {
    const message = problemsOf({ ...good, principals: [{ ...good.principals[0], agencyId: 'ly-nowhere' }], copyNoticeRecipients: ['ly-elsewhere'] });
    expect(message).to.contain('ly-nowhere').and.to.contain('ly-elsewhere');
  });

  it('refuses a principal with both or neither of token and tokenSha256', () => {
    expect(problemsOf({ ...good, principals: [{ name: 'p', agencyId: 'ly-court', roles: ['viewer'] }] })).to.contain('token');
    expect(problemsOf({ ...good, principals: [{ name: 'p', agencyId: 'ly-court', roles: ['viewer'], token: 'abcdefgh', tokenSha256: 'a'.repeat(64) }] })).to.contain('token');
  });

  it('refuses an unknown role and an unknown top-level key', () => {
    expect(problemsOf({ ...good, principals: [{ name: 'p', agencyId: 'ly-court', roles: ['admin'], token: 'abcdefgh' }] })).to.contain('publisher');
    expect(problemsOf({ ...good, agencys: [] })).to.contain('agencys');
  });

  it('reports a JSON syntax error with its line', () => {
    expect(problemsOf('{\n  "agencies": [\n    { "id": "x", }\n  ]\n}')).to.match(/第 3 行：JSON 语法错误/);
  });
});
