import { expect } from 'chai';
import { CATALOG, MEETING_EVENT_TYPES, CASE_EVENT_TYPES, describeEvent } from '../../../../domain/catalog/index.js';
import { at, directory, ev } from '../support/fixtures.js';

/** What a timeline shows for each stored type (published and platform). */
const EXPECTED: [ReturnType<typeof ev>, string][] = [
  [
    ev('ly-court', 'case.registered', { kind: 'administrative_litigation', title: '张某诉市场监管局案', caseNumber: '(2024)吉04行初12号', parties: [], defendantAgencyId: 'ly-market' }),
    '辽源市中级人民法院 登记行政诉讼案件「张某诉市场监管局案」，案号 (2024)吉04行初12号，被告/被申请人 辽源市市场监督管理局',
  ],
  [ev('ly-court', 'case.closed', { outcome: 'resolved_substantively' }), '辽源市中级人民法院 结案：实质性化解'],
  [ev('ly-justice', 'self_correction.reported', { agencyId: 'ly-market', action: '撤销处罚' }), '辽源市司法局 报告 辽源市市场监督管理局 自我纠错：撤销处罚'],
  [ev('ly-court', 'handoff.requested', { handoffId: 'h1', to: 'ly-justice', purpose: 'entrusted_mediation' }), '辽源市中级人民法院 向 辽源市司法局 移送「诉前委派调解」'],
  [ev('ly-justice', 'handoff.received', { handoffId: 'h1' }), '辽源市司法局 签收移送（h1）'],
  [ev('ly-justice', 'handoff.accepted', { handoffId: 'h1' }), '辽源市司法局 受理移送（h1）'],
  [ev('ly-justice', 'handoff.returned', { handoffId: 'h1', reason: '材料不全' }), '辽源市司法局 退回移送（h1）：材料不全'],
  [ev('ly-proc', 'handoff.extended', { handoffId: 'h1', days: 15, approvedBy: '检察长' }), '辽源市人民检察院 延长移送（h1）办理期限 15 日（批准：检察长）'],
  [ev('ly-proc', 'handoff.extended', { handoffId: 'h1', ground: 'major_complex', approvedBy: '检察长' }), '辽源市人民检察院 延长移送（h1）办理期限：重大复杂（批准：检察长）'],
  [ev('ly-court', 'handoff.extended', { handoffId: 'p1', ground: 'third_month', approvedBy: '院长' }), '辽源市中级人民法院 延长移送（p1）办理期限：延长至三个月（批准：院长）'],
  [ev('ly-justice', 'handoff.extended', { handoffId: 'm1', ground: 'parties_consent', days: 20, approvedBy: '双方当事人' }), '辽源市司法局 延长移送（m1）办理期限：当事人同意延长 20 日（批准：双方当事人）'],
  [
    ev('ly-police', 'handoff.requested', { handoffId: 'h1', to: 'ly-proc', purpose: 'prosecution_review', procedure: 'expedited', possibleSentence: 'over_1y', inCustody: true }),
    '辽源市公安局 向 辽源市人民检察院 移送「移送审查起诉」（认罪认罚速裁，可能判处一年以上有期徒刑，在押）',
  ],
  [ev('ly-court', 'handoff.requested', { handoffId: 'r1', to: 'ly-gov', purpose: 'litigation_response' }), '辽源市中级人民法院 向 辽源市人民政府 移送「应诉通知（答辩举证）」'],
  [ev('ly-justice', 'handoff.completed', { handoffId: 'h1', outcome: 'mediated' }), '辽源市司法局 办结移送（h1）：调解成功'],
  [ev('ly-court', 'handoff.withdrawn', { handoffId: 'h1', reason: '当事人撤回' }), '辽源市中级人民法院 撤回移送（h1）：当事人撤回'],
  [
    ev('ly-court', 'hearing.scheduled', { hearingId: 'H1', at: '2024-10-15T01:30:00Z', observers: ['ly-market'] }),
    '辽源市中级人民法院 安排开庭（H1），时间 2024-10-15 09:30，邀请 辽源市市场监督管理局 旁听',
  ],
  [ev('ly-court', 'hearing.held', { hearingId: 'H1', agencyHeadAppeared: true }), '辽源市中级人民法院 开庭审理（H1），行政机关负责人出庭应诉'],
  [ev('ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'agency_lost' }), '辽源市中级人民法院 作出裁判（J1）：行政机关败诉'],
  [ev('ly-court', 'judicial_confirmation.decided', { granted: true }), '辽源市中级人民法院 司法确认：确认调解协议有效'],
  [
    ev('ly-proc', 'suggestion.issued', { suggestionId: 'S1', to: 'ly-env', category: 'public_interest', summary: '督促整治污染', urgent: true }),
    '辽源市人民检察院 向被建议单位 辽源市生态环境局 发出公益诉讼检察建议（紧急）：督促整治污染',
  ],
  [ev('ly-court', 'suggestion.served', { suggestionId: 'S1', servedAt: '2024-07-31' }), '辽源市中级人民法院 送达建议（S1），送达日期 2024-07-31'],
  [ev('ly-env', 'suggestion.received', { suggestionId: 'S1' }), '被建议单位 辽源市生态环境局 签收建议（S1）'],
  [ev('ly-court', 'judgment.effective', { judgmentId: 'J1', effectiveAt: '2024-09-28' }), '辽源市中级人民法院 确认裁判（J1）于 2024-09-28 生效'],
  [ev('ly-justice', 'reconsideration.extended', { days: 30, approvedBy: '局长' }), '辽源市司法局 延长行政复议审理期限 30 日（批准：局长）'],
  [ev('ly-justice', 'reconsideration.suspended', { reason: '等待鉴定' }), '辽源市司法局 中止行政复议审理：等待鉴定'],
  [ev('ly-justice', 'reconsideration.resumed', {}), '辽源市司法局 恢复行政复议审理'],
  [ev('ly-justice', 'reconsideration.decided', { decision: 'dismissed' }), '辽源市司法局 作出行政复议决定：驳回行政复议请求'],
  [ev('ly-justice', 'reconsideration.decided', { decision: 'confirmed_invalid', performanceDays: 30 }), '辽源市司法局 作出行政复议决定：确认无效，限 30 日内履行'],
  [ev('ly-env', 'suggestion.replied', { suggestionId: 'S1', adopted: true, summary: '已整改' }), '辽源市生态环境局 回复建议（S1）：采纳，已整改'],
  [ev('ly-justice', 'reconsideration.decided', { decision: 'ordered_performance', performanceDueAt: '2024-07-20' }), '辽源市司法局 作出行政复议决定：责令履行，限 2024-07-20 前履行'],
  [ev('ly-market', 'reconsideration.performed', { summary: '已履行' }), '辽源市市场监督管理局 报告履行行政复议决定：已履行'],
  [ev('ly-justice', 'correction.reported', {}), '社区矫正对象向 辽源市司法局 报到'],
  // revision 2: legal disputes of state organs
  [
    ev('ly-market', 'case.registered', { kind: 'government_dispute', title: '某公司诉城投公司合同纠纷', parties: [], responsibleAgencyId: 'ly-market', handlingUnit: '市城投公司', amount: 9800, arisenAt: '2024-09-02', major: true }),
    '辽源市市场监督管理局 登记涉党政机关、国有企业法律纠纷案件「某公司诉城投公司合同纠纷」，主管单位 辽源市市场监督管理局，承办单位 市城投公司，标的额 9,800 元，2024-09-02 发生，重大',
  ],
  [ev('ly-justice', 'dispute.consulted', { opinion: '积极应诉', participants: ['ly-market'] }), '辽源市司法局 组织会商研判（参加单位 辽源市市场监督管理局）：积极应诉'],
  [ev('ly-market', 'dispute.concluded', { outcome: 'lost', lossAmount: 1_250_000 }), '辽源市市场监督管理局 报告纠纷结果：败诉，损失 125 万元'],
  [ev('ly-justice', 'accountability.reviewed', { agencyId: 'ly-market', finding: 'no_fault' }), '辽源市司法局 对 辽源市市场监督管理局 责任倒查：未发现过错'],
  [ev('ly-justice', 'rectification.ordered', { rectificationId: 'r1', to: 'ly-market', summary: '健全制度', dueDate: '2025-02-28' }), '辽源市司法局 要求 辽源市市场监督管理局 整改（r1），限 2025-02-28 前完成：健全制度'],
  [ev('ly-market', 'rectification.completed', { rectificationId: 'r1', summary: '已整改' }), '辽源市市场监督管理局 报告整改完成（r1）：已整改'],
  [
    ev(null, 'notice.issued', { noticeId: 'C-1/judgment/J1', reason: 'agency_lost', recipients: ['ly-market', 'ly-gov'], trigger: 'judgment.issued' }),
    '平台 就「行政机关败诉」向 辽源市市场监督管理局、辽源市人民政府 抄告（C-1/judgment/J1）',
  ],
  [ev('ly-market', 'notice.acknowledged', { noticeId: 'C-1/judgment/J1' }), '辽源市市场监督管理局 签收抄告（C-1/judgment/J1）'],
  [
    ev('ly-justice', 'meeting.scheduled', { meetingId: 'M1', title: '推进会', scheduledAt: at('2024-10-20', '14:30'), participants: ['ly-court'], organizer: 'ly-justice' }),
    '辽源市司法局 安排联席会议「推进会」，时间 2024-10-20 14:30，参会单位 辽源市中级人民法院',
  ],
  [ev('ly-justice', 'meeting.case_nominated', { caseId: 'C-1', reason: 'overdue_handoff' }), '辽源市司法局 将案件 C-1 列入会议议题（移送逾期）'],
  [ev('ly-court', 'hearing.held', { hearingId: 'H2', appearance: 'deputy' }), '辽源市中级人民法院 开庭审理（H2），副职或分管负责人出庭应诉'],
  [ev('ly-justice', 'correction.absconded', { note: '电话无法联系' }), '辽源市司法局 报告社区矫正对象脱管（失去联系）：电话无法联系'],
  [ev('ly-justice', 'correction.located', {}), '辽源市司法局 报告脱管的社区矫正对象已查找到'],
  [ev('ly-court', 'court.filings_reported', { period: '2024Q3', civilFirstInstance: 812, administrativeFirstInstance: 64 }), '辽源市中级人民法院 报送 2024Q3 收案统计：一审民事 812 件，一审行政 64 件'],
  [ev('ly-justice', 'meeting.held', { attendees: ['ly-court', 'ly-gov'] }), '联席会议召开，出席单位 辽源市中级人民法院、辽源市人民政府'],
  [ev('ly-justice', 'meeting.resolution_recorded', { caseId: 'C-1', text: '限期整改' }), '会议就案件 C-1 形成决议：限期整改'],
  [
    ev('ly-justice', 'action_item.assigned', { actionId: 'M1:A1', caseId: 'C-1', text: '重新处理', owner: 'ly-market', dueDate: '2024-11-20' }),
    '会议交办督办事项（M1:A1）给 辽源市市场监督管理局：重新处理，限 2024-11-20 前完成',
  ],
  [ev('ly-market', 'action_item.completed', { actionId: 'M1:A1', note: '已完成' }), '辽源市市场监督管理局 完成督办事项（M1:A1）：已完成'],
  [ev('ly-justice', 'meeting.cancelled', { reason: '改期' }), '辽源市司法局 取消联席会议：改期'],
];

describe('describeEvent', () => {
  for (const [event, line] of EXPECTED) {
    it(`describes ${event.type}`, () => {
      expect(describeEvent(event, directory)).to.equal(line);
    });
  }

  it('covers every stored type: catalog, platform case events, meeting events', () => {
    const described = new Set(EXPECTED.map(([e]) => e.type));
    for (const type of [...CATALOG.keys(), ...CASE_EVENT_TYPES, ...MEETING_EVENT_TYPES]) expect(described.has(type), type).to.equal(true);
  });

  it('keeps a summary on one line and short', () => {
    const line = describeEvent(ev('ly-justice', 'handoff.returned', { handoffId: 'h1', reason: `第一行\n第二行${'很长'.repeat(100)}` }), directory);
    expect(line).not.to.match(/\n/);
    expect(line.length).to.be.lessThan(90);
  });

  it('falls back to ids for unconfigured agencies and to the type for unknown events', () => {
    expect(describeEvent(ev('ly-old', 'handoff.received', { handoffId: 'h1' }), directory)).to.equal('ly-old 签收移送（h1）');
    expect(describeEvent(ev('ly-court', 'something.new', {}), directory)).to.equal('辽源市中级人民法院 发布 something.new');
  });
});
