import { expect } from 'chai';
import { join } from 'node:path';
import { TEST_CITY } from './fixtures.js';
import { cloudEvent, gql, publish, startProgram, stopProgram, tempDir, writeConfig, type RunningProgram, readUntil } from './harness.js';

/**
 * Revision 2 against the real program (issue 16): one community-correction case walked to 脱管 and found again, read
 * back through the attention list and the justice bureau's scorecard row; one township 人民法庭 passing disputes to the
 * 司法所 for pre-litigation mediation and its basic court's 收案统计, read back through the court's 诉源治理 columns;
 * 负责人出庭应诉 per case, the copy notice to the defendant's 上一级主管部门, a suit linked to its 行政复议, the agency
 * hierarchy. All facts are dated in 2026 Q3–Q4, before the program's real today.
 */
const CITY = {
  ...TEST_CITY,
  agencies: [
    ...TEST_CITY.agencies.map((a) => (a.id === 'xj-court' ? { ...a, level: 'district' } : a.id === 'xj-market' ? { ...a, supervisorId: 'xj-gov' } : a)),
    { id: 'xj-court-hx', kind: 'court', name: '新津区人民法院花溪人民法庭', level: 'township', parentId: 'xj-court' },
    { id: 'xj-sfs-hx', kind: 'justice', name: '新津区司法局花溪司法所', level: 'township', parentId: 'xj-justice' },
  ],
  principals: [
    ...TEST_CITY.principals,
    { name: 'hx-court-system', agencyId: 'xj-court-hx', roles: ['publisher', 'viewer'], token: 'test-hx-court-token' },
    { name: 'hx-sfs-system', agencyId: 'xj-sfs-hx', roles: ['publisher', 'viewer'], token: 'test-hx-sfs-token' },
  ],
  copyNoticeRecipients: ['xj-justice'],
  city: { name: '新津区', population: 320000 },
};
const TOKEN: Record<string, string> = {
  'xj-court': 'test-court-token',
  'xj-police': 'test-police-token',
  'xj-justice': 'test-justice-token',
  'xj-court-hx': 'test-hx-court-token',
  'xj-sfs-hx': 'test-hx-sfs-token',
};
const ORGANIZER = 'test-organizer-token';
const at = (day: string, hm = '09:00'): string => `${day}T${hm}:00+08:00`;

describe('社区矫正 脱管 and 诉源治理 (e2e): attention list and scorecard read back through GraphQL', function () {
  this.timeout(180_000);
  const dir = tempDir('ld-correction-');
  const config = writeConfig(dir, CITY);
  let program: RunningProgram;
  let meetingId: string;
  let n = 0;

  async function send(source: string, type: string, subject: string, time: string, data: Record<string, unknown>): Promise<void> {
    const r = await publish(program.base, TOKEN[source]!, [cloudEvent(source, `e2e-${++n}`, type, subject, time, data)]);
    expect(r.status).to.equal(200);
    const result = r.json!.results![0]!;
    expect(result.status, `${type}: ${result.message ?? ''}`).to.equal('accepted');
  }
  async function query<T = Record<string, any>>(text: string, variables: Record<string, unknown> = {}): Promise<T> {
    const r = await gql(program.base, ORGANIZER, text, variables);
    expect(r.json!.errors, JSON.stringify(r.json!.errors)).to.equal(undefined);
    return r.json!.data as T;
  }
  const until = readUntil;

  const attention = async (): Promise<{ reason: string; detail: string; case: { id: string } }[]> =>
    (await query(`query($id: ID!) { meeting(id: $id) { attention { reason detail case { id } } } }`, { id: meetingId })).meeting.attention;
  const correctionReasons = async () => (await attention()).filter((a) => a.case.id === 'CC1').map((a) => a.reason);
  const row = async (agency: string, quarter: string) => {
    const d = await query(
      `query($q: String!, $a: ID) { scorecard(quarter: $q, agency: $a) { agency { id kind } quarter casesHeard casesWithHeadAppearance headAppearanceCaseRate
         hearingsHeld headAppearances correctionsUnreported correctionsAbsconded preLitigationMediations mediationsSucceeded mediationSuccessRate
         diversionRate filingsPer10k handoffsReceived handoffsCompletedOnTime } }`,
      { q: quarter, a: agency },
    );
    expect(d.scorecard, `${agency} ${quarter}`).to.have.length(1);
    return d.scorecard[0];
  };

  before(async () => {
    program = await startProgram({ config, dataDir: join(dir, 'data') });
    const d = await query(`mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { id } }`, {
      input: { title: '2026年第四季度府院联动推进会', scheduledAt: '2027-01-15T09:30:00+08:00', participants: ['xj-court', 'xj-justice', 'xj-gov'] },
    });
    meetingId = d.scheduleMeeting.id;
  });
  after(async () => {
    if (program) await stopProgram(program);
  });

  it('knows the agencies’ levels and units', async () => {
    const d = await query('{ agencies { id level parent { id } supervisor { id } } }');
    const of = (id: string) => d.agencies.find((a: { id: string }) => a.id === id);
    expect(of('xj-court-hx')).to.deep.equal({ id: 'xj-court-hx', level: 'township', parent: { id: 'xj-court' }, supervisor: null });
    expect(of('xj-court')).to.deep.include({ level: 'district', parent: null });
    expect(of('xj-justice')).to.deep.include({ level: 'city', parent: null });
    expect(of('xj-market')).to.deep.include({ supervisor: { id: 'xj-gov' } });
  });

  describe('one community-correction case: sentenced, delivered, reported late, absconded, located', () => {
    it('an overdue 报到 is on the attention list and in the justice bureau’s row (漏管风险)', async () => {
      await send('xj-police', 'case.registered', 'CC1', at('2026-07-01'), { kind: 'criminal', title: '赵某危险驾驶案', parties: [{ name: '赵某', role: 'suspect', type: 'person' }] });
      // effective 2026-09-01: 报到 within 10 days → 2026-09-11 (a Friday)
      await send('xj-court', 'judgment.issued', 'CC1', at('2026-08-20'), { judgmentId: 'J1', outcome: 'convicted', communityCorrection: true, effectiveAt: '2026-09-01' });
      await send('xj-court', 'handoff.requested', 'CC1', at('2026-09-02'), { handoffId: 'cc1', to: 'xj-justice', purpose: 'community_correction' });
      await send('xj-justice', 'handoff.received', 'CC1', at('2026-09-03'), { handoffId: 'cc1' });
      const reasons = await until(correctionReasons, (r) => r.includes('correction_unreported'));
      expect(reasons).to.deep.equal(['correction_unreported']);
      const item = (await attention()).find((a) => a.case.id === 'CC1')!;
      expect(item.detail).to.equal('社区矫正对象应于 2026-09-11 前向 新津区司法局 报到，逾期未报到（漏管风险）');
      const justice = await row('xj-justice', '2026Q4');
      expect(justice).to.deep.include({ agency: { id: 'xj-justice', kind: 'JUSTICE' }, correctionsUnreported: 1, correctionsAbsconded: 0, preLitigationMediations: null, diversionRate: null });
    });

    it('reported, it leaves the list and the count', async () => {
      await send('xj-justice', 'correction.reported', 'CC1', at('2026-09-15'), {});
      expect(await until(correctionReasons, (r) => r.length === 0)).to.deep.equal([]);
      expect(await row('xj-justice', '2026Q4')).to.deep.include({ correctionsUnreported: 0, correctionsAbsconded: 0 });
    });

    it('absconded (脱管): on the list and counted while out of contact', async () => {
      await send('xj-justice', 'correction.absconded', 'CC1', at('2026-11-02'), { note: '连续三日无法取得联系' });
      expect(await until(correctionReasons, (r) => r.length > 0)).to.deep.equal(['correction_absconded']);
      const item = (await attention()).find((a) => a.case.id === 'CC1')!;
      expect(item.detail).to.equal('社区矫正对象自 2026-11-02 起脱管，新津区司法局 尚未报告查找到');
      expect(await row('xj-justice', '2026Q4')).to.deep.include({ correctionsUnreported: 0, correctionsAbsconded: 1 });
      const timeline = (await query('{ case(id: "CC1") { timeline { type summary } } }')).case.timeline as { type: string; summary: string }[];
      expect(timeline.find((t) => t.type === 'correction.absconded')!.summary).to.equal('新津区司法局 报告社区矫正对象脱管（失去联系）：连续三日无法取得联系');
    });

    it('located: off the list, no longer counted; a second report of being located is refused', async () => {
      await send('xj-justice', 'correction.located', 'CC1', at('2026-11-20'), {});
      expect(await until(correctionReasons, (r) => r.length === 0)).to.deep.equal([]);
      expect(await row('xj-justice', '2026Q4')).to.deep.include({ correctionsAbsconded: 0 });
      const again = await publish(program.base, TOKEN['xj-justice']!, [cloudEvent('xj-justice', `e2e-${++n}`, 'correction.located', 'CC1', at('2026-11-21'), {})]);
      expect(again.json!.results![0]).to.include({ status: 'rejected', code: 'invalid_transition' });
    });
  });

  describe('诉源治理: a township 人民法庭 refers disputes to the 司法所; the basic court reports its filings', () => {
    it('counts the mediations for the 人民法庭 and, with its units, for the basic court; rates from the filings and the population', async () => {
      const dispute = async (caseId: string, outcome: string, day: string) => {
        await send('xj-court-hx', 'case.registered', caseId, at(day), { kind: 'civil_dispute', title: `${caseId} 邻里相邻关系纠纷`, parties: [{ name: '钱某', role: 'applicant', type: 'person' }, { name: '孙某', role: 'respondent', type: 'person' }] });
        await send('xj-court-hx', 'handoff.requested', caseId, at(day, '10:00'), { handoffId: 'med', to: 'xj-sfs-hx', purpose: 'entrusted_mediation' });
        await send('xj-sfs-hx', 'handoff.received', caseId, at(day, '15:00'), { handoffId: 'med' });
        await send('xj-sfs-hx', 'handoff.completed', caseId, at('2026-11-25'), { handoffId: 'med', outcome });
      };
      await dispute('CV1', 'mediated', '2026-10-12');
      await dispute('CV2', 'failed', '2026-10-19');
      // the subject names the period; the statistics go to the court's own stream
      await send('xj-court', 'court.filings_reported', 'filings-2026Q4', at('2026-12-01'), { period: '2026Q4', civilFirstInstance: 40, administrativeFirstInstance: 2 });
      // a corrected report of the same quarter replaces the first
      await send('xj-court', 'court.filings_reported', 'filings-2026Q4', at('2026-12-02'), { period: '2026Q4', civilFirstInstance: 48, administrativeFirstInstance: 2 });

      const court = await until(() => row('xj-court', '2026Q4'), (r) => r.filingsPer10k !== null && r.preLitigationMediations === 2);
      expect(court).to.deep.include({ agency: { id: 'xj-court', kind: 'COURT' }, preLitigationMediations: 2, mediationsSucceeded: 1, mediationSuccessRate: 0.5, correctionsUnreported: null });
      // 2 / (2 + 48) diverted before filing; (48 + 2) filings per 10,000 of 320,000 residents
      expect(court.diversionRate).to.be.closeTo(0.04, 1e-12);
      expect(court.filingsPer10k).to.be.closeTo(1.5625, 1e-12);

      const township = await row('xj-court-hx', '2026Q4');
      expect(township).to.deep.include({ preLitigationMediations: 2, mediationsSucceeded: 1, diversionRate: null, filingsPer10k: null });
      // the 司法所's handoff timeliness: a row for a justice unit, asked by id
      expect(await row('xj-sfs-hx', '2026Q4')).to.deep.include({ agency: { id: 'xj-sfs-hx', kind: 'JUSTICE' }, handoffsReceived: 2, correctionsUnreported: 0 });
      // both reports are kept in the court's statistics stream (auditors read it), none in a case stream
      const stats = await gql(program.base, 'test-auditor-token', '{ history(stream: "stats-xj-court") { totalCount nodes { type } } case(id: "filings-2026Q4") { id } }');
      expect(stats.json!.errors, JSON.stringify(stats.json!.errors)).to.equal(undefined);
      expect(stats.json!.data!.history).to.deep.equal({ totalCount: 2, nodes: [{ type: 'court.filings_reported' }, { type: 'court.filings_reported' }] });
      expect(stats.json!.data!.case).to.equal(null);
    });

    it('refuses a filings report whose subject does not name its period', async () => {
      const r = await publish(program.base, TOKEN['xj-court']!, [cloudEvent('xj-court', `e2e-${++n}`, 'court.filings_reported', 'filings-2026Q3', at('2026-12-02'), { period: '2026Q4', civilFirstInstance: 1, administrativeFirstInstance: 0 })]);
      expect(r.json!.results![0]).to.include({ status: 'rejected', code: 'invalid_data' });
    });
  });

  describe('负责人出庭应诉, the supervisor’s copy notice, and a suit that follows its 行政复议', () => {
    it('counts suits heard with the head per case, copies the loss to the 上一级主管部门, links the reconsideration', async () => {
      await send('xj-justice', 'case.registered', 'RC1', at('2026-07-06'), {
        kind: 'administrative_reconsideration', title: '某商行不服区市场监管局行政处罚申请复议案', parties: [{ name: '某商行', role: 'applicant', type: 'enterprise' }], defendantAgencyId: 'xj-market',
      });
      await send('xj-court', 'case.registered', 'AL1', at('2026-10-09'), {
        kind: 'administrative_litigation', title: '某商行诉区市场监管局行政处罚案', parties: [{ name: '某商行', role: 'plaintiff', type: 'enterprise' }], defendantAgencyId: 'xj-market', reconsiderationCaseId: 'RC1',
      });
      await send('xj-court', 'hearing.scheduled', 'AL1', at('2026-10-10'), { hearingId: 'H1', at: at('2026-11-05') });
      await send('xj-court', 'hearing.scheduled', 'AL1', at('2026-10-10', '10:00'), { hearingId: 'H2', at: at('2026-11-26') });
      await send('xj-court', 'hearing.held', 'AL1', at('2026-11-05', '11:00'), { hearingId: 'H1', appearance: 'entrusted_staff' });
      await send('xj-court', 'hearing.held', 'AL1', at('2026-11-26', '11:00'), { hearingId: 'H2', appearance: 'deputy' });
      await send('xj-court', 'judgment.issued', 'AL1', at('2026-11-30'), { judgmentId: 'J1', outcome: 'agency_lost' });

      const market = await until(() => row('xj-market', '2026Q4'), (r) => r.casesHeard === 1);
      expect(market).to.deep.include({ casesHeard: 1, casesWithHeadAppearance: 1, headAppearanceCaseRate: 1, hearingsHeld: 2, headAppearances: 1, correctionsUnreported: null, preLitigationMediations: null });
      const notices = (await query('{ copyNotices(agency: "xj-gov") { caseId reason recipients { id } } }')).copyNotices as { caseId: string; recipients: { id: string }[] }[];
      expect(notices.find((x) => x.caseId === 'AL1')!.recipients.map((a) => a.id)).to.deep.equal(['xj-market', 'xj-gov', 'xj-justice']);
      const suit = (await query('{ case(id: "AL1") { reconsiderationCaseId reconsiderationCase { id kind } } }')).case;
      expect(suit).to.deep.equal({ reconsiderationCaseId: 'RC1', reconsiderationCase: { id: 'RC1', kind: 'administrative_reconsideration' } });
      // the court sees its suit, not the justice bureau's reconsideration case: neither it nor its id
      const asCourt = await gql(program.base, 'test-court-token', '{ case(id: "AL1") { reconsiderationCaseId reconsiderationCase { id } timeline { summary } } }');
      expect(asCourt.json!.data!['case']).to.deep.include({ reconsiderationCaseId: null, reconsiderationCase: null });
      expect(JSON.stringify(asCourt.json!.data!['case'].timeline)).to.not.include('RC1');
    });
  });
});
