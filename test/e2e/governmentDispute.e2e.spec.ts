import { expect } from 'chai';
import { join } from 'node:path';
import { TEST_CITY } from './fixtures.js';
import { cloudEvent, gql, publish, sleep, startProgram, stopProgram, tempDir, writeConfig, type RunningProgram } from './harness.js';

/**
 * One legal dispute of a government department (涉党政机关、国有企业法律纠纷, events.md revision 2) walked through the
 * real program: 备案 by the responsible department, 会商研判, conclusion (败诉, with a loss), 责任倒查, a rectification
 * ordered (以案促管) and completed — read back through GraphQL: the case's dispute fields and deadlines, the `clocks`
 * view, the meeting's attention list and the quarterly scorecard. Dates are in 2024, so the rectification, due
 * 2024-11-29, is overdue today until it is completed.
 */
const MARKET = 'test-market-token';
const JUSTICE = 'test-justice-token';
const ORGANIZER = 'test-organizer-token';
const at = (day: string, hm = '09:00'): string => `${day}T${hm}:00+08:00`;

describe('涉党政机关法律纠纷 (e2e): registration → consultation → lost → 责任倒查 → rectification, read back through GraphQL', function () {
  this.timeout(180_000);
  const dir = tempDir('ld-dispute-');
  const config = writeConfig(dir, TEST_CITY);
  let program: RunningProgram;
  let n = 0;
  let meetingId = '';

  async function send(token: string, events: ReturnType<typeof cloudEvent>[]): Promise<void> {
    const r = await publish(program.base, token, events);
    expect(r.status).to.equal(200);
    for (const result of r.json!.results!) expect(result.status, `${result.id}: ${result.message ?? ''}`).to.equal('accepted');
  }
  const ce = (source: string, type: string, time: string, data: Record<string, unknown>, subject = 'GD1') => cloudEvent(source, `gd-${++n}`, type, subject, time, data);

  async function query<T = any>(q: string, variables: Record<string, unknown> = {}): Promise<T> {
    const r = await gql(program.base, ORGANIZER, q, variables);
    expect(r.json!.errors, JSON.stringify(r.json!.errors)).to.equal(undefined);
    return r.json!.data as T;
  }
  /** the read side follows the store shortly after: ask again until `ready` holds */
  async function until<T>(read: () => Promise<T>, ready: (value: T) => boolean): Promise<T> {
    let last = await read();
    for (let i = 0; i < 100 && !ready(last); i++) {
      await sleep(100);
      last = await read();
    }
    return last;
  }

  const CASE = `case(id: "GD1") {
    kind status agencies { id }
    dispute { responsibleAgency { id } handlingUnit amount arisenAt filingDueDate filedLate
              consultations { opinion participants { id } consultedBy { id } } outcome lossAmount concludedAt }
    accountabilityReviews { agency { id } finding measures reviewedBy { id } }
    rectifications { id from { id } to { id } dueDate completedAt overdue }
    deadlines { name dueDate overdue metAt }
    timeline { type summary } }`;
  const SCORECARD = `scorecard(quarter: "2024Q4", agency: "xj-market") {
    agency { id } disputesRegistered disputesRegisteredLate disputesLost disputeLossAmount rectificationsOrdered rectificationsOverdue }`;
  const readCase = () => query(`{ ${CASE} }`).then((d) => d.case);
  const readScorecard = () => query(`{ ${SCORECARD} }`).then((d) => d.scorecard[0]);
  const readAttention = () =>
    query(`query($id: ID!) { meeting(id: $id) { attention { case { id } reason detail } } }`, { id: meetingId }).then((d) =>
      (d.meeting.attention as { case: { id: string }; reason: string; detail: string }[]).filter((a) => a.case.id === 'GD1'),
    );
  const readClocks = () => query(`{ clocks(kind: RECTIFICATION, first: 500) { nodes { id name owner { id } dueDate overdue case { id } } } }`).then((d) => d.clocks.nodes);

  before(async () => {
    program = await startProgram({ config, dataDir: join(dir, 'data') });
    const d = await query(`mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { id } }`, {
      input: { title: '2024年第四季度府院联动推进会', scheduledAt: '2024-12-20T09:30:00+08:00', participants: ['xj-market', 'xj-justice', 'xj-court'] },
    });
    meetingId = d.scheduleMeeting.id;
  });
  after(async () => {
    if (program) await stopProgram(program);
  });

  // arisen 2024-10-09 (Wednesday): five working days 10-10, 10-11, 10-12 (make-up workday), 10-14, 10-15
  it('备案: the responsible department registers the dispute within the period, with its 承办单位 and amount', async () => {
    await send(MARKET, [
      ce('xj-market', 'case.registered', at('2024-10-14'), {
        kind: 'government_dispute',
        title: '某建材公司诉区城投公司买卖合同纠纷',
        caseNumber: '新津法备〔2024〕3号',
        parties: [
          { name: '四川某建材有限公司', role: 'plaintiff', type: 'private_enterprise' },
          { name: '新津区城市建设投资有限公司', role: 'defendant', type: 'state_enterprise' },
        ],
        responsibleAgencyId: 'xj-market',
        handlingUnit: '新津区城市建设投资有限公司',
        amount: 1_800_000,
        arisenAt: '2024-10-09',
        major: true,
      }),
      // a second dispute filed after its period (arisen 2024-09-20: five working days end 2024-09-27)
      ce(
        'xj-market',
        'case.registered',
        at('2024-10-15'),
        { kind: 'government_dispute', title: '某物业公司诉区市场监管局合同纠纷', parties: [{ name: '某物业公司', role: 'plaintiff', type: 'enterprise' }], responsibleAgencyId: 'xj-market', arisenAt: '2024-09-20' },
        'GD2',
      ),
    ]);
    const c = await until(readCase, (x) => x !== null && x.dispute !== null);
    expect(c).to.deep.include({ kind: 'government_dispute', status: 'OPEN' });
    expect(c.dispute).to.deep.include({ responsibleAgency: { id: 'xj-market' }, handlingUnit: '新津区城市建设投资有限公司', amount: 1_800_000, arisenAt: '2024-10-09', filingDueDate: '2024-10-15', filedLate: false, outcome: null });
    const open = await until(readAttention, (items) => items.length > 0);
    expect(open.map((a) => a.reason)).to.deep.equal(['major_dispute']);
    const row = await until(readScorecard, (r) => r.disputesRegistered === 2);
    expect(row).to.include({ disputesRegistered: 2, disputesRegisteredLate: 1, disputesLost: 0, disputeLossAmount: 0 });
  });

  it('会商研判 by the justice bureau, then the dispute is lost with a loss: dispute_lost on the attention list', async () => {
    await send(JUSTICE, [ce('xj-justice', 'dispute.consulted', at('2024-10-22'), { opinion: '积极应诉，同时组织诉前调解', participants: ['xj-market', 'xj-court'] })]);
    await send(MARKET, [ce('xj-market', 'dispute.concluded', at('2024-11-11'), { outcome: 'lost', lossAmount: 450_000 })]);
    const c = await until(readCase, (x) => x.dispute.outcome === 'lost');
    expect(c.dispute.consultations).to.deep.equal([{ opinion: '积极应诉，同时组织诉前调解', participants: [{ id: 'xj-market' }, { id: 'xj-court' }], consultedBy: { id: 'xj-justice' } }]);
    expect(c.dispute).to.include({ outcome: 'lost', lossAmount: 450_000, concludedAt: at('2024-11-11') });
    expect(c.agencies.map((a: { id: string }) => a.id)).to.include('xj-court');
    expect(c.timeline.map((t: { summary: string }) => t.summary)).to.include('新津区市场监督管理局 报告纠纷结果：败诉，损失 45 万元');

    const attention = await until(readAttention, (items) => items.some((a) => a.reason === 'dispute_lost'));
    expect(attention.map((a) => a.reason)).to.deep.equal(['dispute_lost']);
    expect(attention).to.deep.include({ case: { id: 'GD1' }, reason: 'dispute_lost', detail: '新津区市场监督管理局 主管的纠纷于 2024-11-11 败诉，损失 45 万元' });
    const row = await until(readScorecard, (r) => r.disputesLost === 1);
    expect(row).to.include({ disputesLost: 1, disputeLossAmount: 450_000 });
  });

  it('责任倒查 and a rectification ordered: its clock runs, and is overdue after its due date', async () => {
    await send(JUSTICE, [
      ce('xj-justice', 'accountability.reviewed', at('2024-11-18'), { agencyId: 'xj-market', finding: 'fault_found', measures: '对合同审查责任人诫勉谈话' }),
      ce('xj-justice', 'rectification.ordered', at('2024-11-19'), { rectificationId: 'GD1-r1', to: 'xj-market', summary: '修订国有企业合同审查办法并报送整改报告', dueDate: '2024-11-29' }),
    ]);
    const c = await until(readCase, (x) => x.rectifications.length === 1);
    expect(c.accountabilityReviews).to.deep.equal([{ agency: { id: 'xj-market' }, finding: 'fault_found', measures: '对合同审查责任人诫勉谈话', reviewedBy: { id: 'xj-justice' } }]);
    expect(c.rectifications).to.deep.equal([{ id: 'GD1-r1', from: { id: 'xj-justice' }, to: { id: 'xj-market' }, dueDate: '2024-11-29', completedAt: null, overdue: true }]);
    expect(c.deadlines).to.deep.include({ name: 'rectification:GD1-r1', dueDate: '2024-11-29', overdue: true, metAt: null });

    const clocks = await until(readClocks, (nodes) => nodes.some((x: { id: string }) => x.id === 'GD1:rectification:GD1-r1'));
    expect(clocks).to.deep.include({ id: 'GD1:rectification:GD1-r1', name: 'rectification:GD1-r1', owner: { id: 'xj-market' }, dueDate: '2024-11-29', overdue: true, case: { id: 'GD1' } });

    const attention = await until(readAttention, (items) => items.some((a) => a.reason === 'overdue_rectification'));
    // concluded: no longer an open major dispute (major_dispute), its loss is listed instead
    expect(attention.map((a) => a.reason)).to.deep.equal(['overdue_rectification', 'dispute_lost']);
    expect(attention[0]!.detail).to.equal('新津区市场监督管理局 应于 2024-11-29 前完成整改');

    const row = await until(readScorecard, (r) => r.rectificationsOrdered === 1);
    expect(row).to.deep.equal({
      agency: { id: 'xj-market' },
      disputesRegistered: 2,
      disputesRegisteredLate: 1,
      disputesLost: 1,
      disputeLossAmount: 450_000,
      rectificationsOrdered: 1,
      rectificationsOverdue: 1,
    });
  });

  it('a completion by another agency is refused; completed by the department: the clock stops and nothing is overdue', async () => {
    const refused = await publish(program.base, JUSTICE, [ce('xj-justice', 'rectification.completed', at('2024-12-02'), { rectificationId: 'GD1-r1', summary: '已整改' })]);
    expect(refused.json!.results![0]).to.include({ status: 'rejected', code: 'invalid_transition' });

    await send(MARKET, [ce('xj-market', 'rectification.completed', at('2024-12-02'), { rectificationId: 'GD1-r1', summary: '已修订合同审查办法并组织培训' })]);
    const c = await until(readCase, (x) => x.rectifications[0].completedAt !== null);
    expect(c.rectifications[0]).to.include({ completedAt: at('2024-12-02'), overdue: false });
    expect(c.deadlines).to.deep.include({ name: 'rectification:GD1-r1', dueDate: '2024-11-29', overdue: false, metAt: at('2024-12-02') });

    const clocks = await until(readClocks, (nodes) => !nodes.some((x: { id: string }) => x.id === 'GD1:rectification:GD1-r1'));
    expect(clocks.map((x: { id: string }) => x.id)).to.not.include('GD1:rectification:GD1-r1');
    const attention = await until(readAttention, (items) => !items.some((a) => a.reason === 'overdue_rectification'));
    expect(attention.map((a) => a.reason)).to.deep.equal(['dispute_lost']);
    const row = await until(readScorecard, (r) => r.rectificationsOverdue === 0);
    expect(row).to.include({ rectificationsOrdered: 1, rectificationsOverdue: 0, disputesLost: 1 });
  });
});
